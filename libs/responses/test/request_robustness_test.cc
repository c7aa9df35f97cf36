// ConvertResponsesRequest answers mistyped input with a status, never an
// exception.

#include <gtest/gtest.h>

#include "gempool/openai/errors.h"
#include "gempool/responses/reasoning_content.h"
#include "gempool/responses/request_converter.h"
#include "gempool/responses/storage.h"
#include "test_util.h"

namespace gempool::responses {
namespace {

using nlohmann::json;
using testing::J;

json Seed() {
  json seed = J(R"({"model":"gemini-2.5-pro","stream":true,"store":false,"instructions":"sys",
    "include":["reasoning.encrypted_content"],"max_output_tokens":100,"temperature":0.5,"top_p":0.9,"stop":"END",
    "reasoning":{"effort":"high","summary":"auto"},
    "text":{"format":{"type":"json_schema","name":"r","schema":{"type":"object","properties":{"a":{"type":"string"}}}},
            "verbosity":"low"},
    "tools":[{"type":"function","name":"f","strict":true,"parameters":{"type":"object",
      "properties":{"x":{"type":["string","null"]}}}},{"type":"web_search"}],
    "tool_choice":{"type":"allowed_tools","mode":"required","tools":[{"type":"function","name":"f"}]},
    "parallel_tool_calls":false,"metadata":{"k":"v"},"prompt_cache_key":"p","previous_response_id":"resp_p",
    "input":[
      {"role":"developer","content":"dev"},
      {"role":"user","content":[{"type":"input_text","text":"t"},
        {"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"auto"},
        {"type":"input_image","image_url":"https://e.com/i.png"},
        {"type":"input_file","filename":"a.pdf","file_data":"data:application/pdf;base64,JVBE"},
        {"type":"input_file","file_url":"https://e.com/d.pdf"}]},
      {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"s"}]},
      {"type":"reasoning","id":"rs_2","summary":[]},
      {"type":"function_call","call_id":"c1","name":"f","arguments":"{\"x\":\"1\"}"},
      {"type":"function_call_output","call_id":"c1","output":[{"type":"input_text","text":"o"},
        {"type":"input_image","image_url":"data:image/png;base64,AAAA"}]},
      {"type":"message","role":"assistant","content":[{"type":"output_text","text":"a","annotations":[]}]},
      {"type":"reasoning","id":"rs_3","summary":[]},
      {"role":"user","content":"again"}]})");
  seed["input"][2]["encrypted_content"] = EncodeReasoningContent(SignatureAnchor::kOwn, "S");
  seed["input"][3]["encrypted_content"] = EncodeReasoningContent(SignatureAnchor::kNext, "S");
  seed["input"][7]["encrypted_content"] = EncodeReasoningContent(SignatureAnchor::kPrevious, "S");
  return seed;
}

json Previous() {
  return J(R"({"version":1,"id":"resp_p","model":"m","created_at":1,
    "input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"q"}]}],
    "response":{"id":"resp_p","output":[{"id":"fc_1","type":"function_call","call_id":"c0","name":"f",
      "arguments":"{}","status":"completed"},{"id":"rs_1","type":"reasoning","summary":[],
      "encrypted_content":"gempool.r1.p.S"}]}})");
}

void ConvertAll(const json& body, const json* previous, const std::string& model) {
  openai::ConversionOptions options;
  options.thinking_budget_map = {{"gemini-2.5-pro", 100}};
  json copy = body;
  if (copy.is_object() && copy.contains("model") && copy["model"] == "gemini-2.5-pro") copy["model"] = model;
  EXPECT_NO_THROW({
    auto request = ConvertResponsesRequest(copy, options, previous);
    if (request.ok()) {
      for (size_t i = 0; i < request->gemini.fetches.size(); ++i) {
        (void)openai::InlineFetchedMedia(request->gemini, i, "image/png", "\x89PNG\r\n\x1a\n");
      }
      (void)request->gemini.body.dump();
      (void)BuildStoredResponse(*request, json::object()).dump();
    } else {
      (void)openai::OpenAIErrorFromStatus(request.status()).body.dump();
    }
  }) << copy.dump();
}

TEST(RequestRobustnessTest, ConversionNeverThrows) {
  const json previous = Previous();
  size_t variants = testing::ForEachVariant(Seed(), [&](const json& body) {
    ConvertAll(body, &previous, "gemini-2.5-pro");
  });
  EXPECT_GT(variants, 1000u);
}

TEST(RequestRobustnessTest, Gemini3ConversionNeverThrows) {
  const json previous = Previous();
  testing::ForEachVariant(Seed(), [&](const json& body) { ConvertAll(body, &previous, "gemini-3-pro-preview"); });
}

TEST(RequestRobustnessTest, StoredPreviousResponsesNeverThrow) {
  const json body = Seed();
  testing::ForEachVariant(Previous(), [&](const json& previous) {
    ConvertAll(body, &previous, "gemini-2.5-pro");
    EXPECT_NO_THROW({
      (void)RetrievedResponse(previous, false);
      (void)InputItemsList(previous);
    });
  });
}

}  // namespace
}  // namespace gempool::responses
