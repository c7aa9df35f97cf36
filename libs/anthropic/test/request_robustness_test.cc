// ConvertMessagesRequest answers mistyped input with a status, never an
// exception: each node of a realistic request is replaced by values of every
// other JSON type, and each variant is converted (a small deterministic
// fuzzer, as libs/openai/test/robustness_test.cc does for the chat route).

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "gempool/anthropic/errors.h"
#include "gempool/anthropic/request_converter.h"
#include "gempool/anthropic/thought_signature.h"
#include "request_test_util.h"
#include "gempool/testing/json_variants.h"

namespace gempool::anthropic {
namespace {

using nlohmann::json;
using ::gempool::testing::ForEachJsonVariant;
using testing::J;

json Seed() {
  json seed = J(R"({"model":"claude-sonnet-4-6","max_tokens":2048,"stream":true,"temperature":0.5,"top_p":0.9,
    "top_k":5,"stop_sequences":["END"],"metadata":{"user_id":"u"},
    "system":[{"type":"text","text":"x-anthropic-billing-header: v"},{"type":"text","text":"sys",
      "cache_control":{"type":"ephemeral"}}],
    "thinking":{"type":"enabled","budget_tokens":2000,"display":"summarized"},
    "output_config":{"effort":"high","format":{"type":"json_schema","schema":{"type":"object",
      "properties":{"a":{"type":"string"}}}}},
    "tools":[{"name":"f","description":"d","input_schema":{"$schema":"s","type":"object",
      "properties":{"x":{"type":["string","null"]}},"required":["x"]}},{"type":"web_search_20250305","name":"web_search"}],
    "tool_choice":{"type":"tool","name":"f","disable_parallel_tool_use":true},
    "messages":[
      {"role":"user","content":[{"type":"text","text":"t"},
        {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}},
        {"type":"image","source":{"type":"url","url":"https://e.com/i.png"}},
        {"type":"document","title":"T","source":{"type":"url","url":"https://e.com/d.pdf"}},
        {"type":"document","source":{"type":"text","media_type":"text/plain","data":"doc"}},
        {"type":"document","source":{"type":"content","content":[{"type":"text","text":"c"}]}}]},
      {"role":"system","content":"reminder"},
      {"role":"assistant","content":[{"type":"thinking","thinking":"th","signature":"SIG_N"},
        {"type":"text","text":"a"},{"type":"thinking","thinking":"","signature":"SIG_P"},
        {"type":"thinking","thinking":"own","signature":"SIG_O"},{"type":"redacted_thinking","data":"r"},
        {"type":"tool_use","id":"toolu_1","name":"f","input":{"x":"1"}},
        {"type":"tool_use","id":"gem-2","name":"f","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"},
        {"type":"tool_result","tool_use_id":"gem-2","is_error":true,"content":[{"type":"text","text":"e"},
          {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}]},
      {"role":"assistant","content":"done"}]})");
  // Gempool-tagged signatures, so all three anchors are exercised.
  json& blocks = seed["messages"][2]["content"];
  blocks[0]["signature"] = TagSignature(SignatureAnchor::kNext, "c2ln");
  blocks[2]["signature"] = TagSignature(SignatureAnchor::kPrevious, "c2ln");
  blocks[3]["signature"] = TagSignature(SignatureAnchor::kOwn, "c2ln");
  return seed;
}

void ConvertAll(const json& body, RequestKind kind, const std::string& model_map_json) {
  openai::ConversionOptions options;
  options.thinking_budget_map = {{"gemini-2.5-pro", 100}};
  auto map = ModelMap::Parse(model_map_json);
  ASSERT_TRUE(map.ok());
  EXPECT_NO_THROW({
    auto request = ConvertMessagesRequest(body, kind, options, *map);
    if (request.ok()) {
      for (size_t i = 0; i < request->gemini.fetches.size(); ++i) {
        (void)openai::InlineFetchedMedia(request->gemini, i, "image/png", "\x89PNG\r\n\x1a\n");
      }
      (void)request->gemini.body.dump();
      (void)CountTokensBody(*request).dump();
    } else {
      (void)AnthropicErrorFromStatus(request.status()).body.dump();
    }
  }) << body.dump();
}

TEST(RequestRobustnessTest, MessagesConversionNeverThrows) {
  size_t variants = ForEachJsonVariant(Seed(), [](const json& body) {
    ConvertAll(body, RequestKind::kMessages, R"({"claude-*":"gemini-2.5-pro"})");
  });
  EXPECT_GT(variants, 1000u);
}

TEST(RequestRobustnessTest, Gemini3AndCountTokensConversionNeverThrow) {
  ForEachJsonVariant(Seed(), [](const json& body) {
    ConvertAll(body, RequestKind::kCountTokens, R"({"claude-*":"gemini-3-pro-preview"})");
  });
}

TEST(RequestRobustnessTest, ModelMapParsingNeverThrows) {
  ForEachJsonVariant(J(R"({"claude-*haiku*":"gemini-2.5-flash","claude-*":"models/gemini-2.5-pro"})"), [](const json& map) {
    EXPECT_NO_THROW({
      auto parsed = ModelMap::Parse(map.dump());
      if (parsed.ok()) (void)parsed->Map("claude-haiku-4-5");
    });
  });
}

}  // namespace
}  // namespace gempool::anthropic
