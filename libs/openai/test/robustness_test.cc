// Every converter answers mistyped input with a status, never an exception:
// each node of realistic inputs is replaced by values of every other JSON
// type, and each variant is converted (a small deterministic fuzzer).

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "gempool/openai/embeddings.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/images.h"
#include "gempool/openai/models.h"
#include "gempool/openai/request_converter.h"
#include "gempool/openai/response_converter.h"
#include "gempool/openai/schema.h"
#include "gempool/openai/speech.h"
#include "gempool/openai/stream_converter.h"
#include "test_json.h"
#include "gempool/testing/json_variants.h"

namespace gempool::openai {
namespace {

using nlohmann::json;
using ::gempool::testing::ForEachJsonVariant;
using testing::J;

constexpr char kChatRequest[] = R"({"model":"gemini-3-pro-preview-search","stream":true,
  "stream_options":{"include_usage":true},"temperature":0.2,"top_p":0.5,"max_tokens":10,"stop":["x"],"n":1,
  "seed":1,"logprobs":true,"top_logprobs":2,"reasoning_effort":"low","modalities":["text"],
  "response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"object",
     "properties":{"a":{"anyOf":[{"$ref":"#/$defs/A"},{"type":"null"}]}},"$defs":{"A":{"type":"string"}}}}},
  "tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object",
     "properties":{"x":{"type":["string","null"],"enum":["a"]}},"required":["x"]}}}],
  "tool_choice":{"type":"function","function":{"name":"f"}},
  "extra_body":{"google":{"cached_content":"cachedContents/c","safety_settings":[{"category":"c","threshold":"t"}]}},
  "messages":[{"role":"system","content":"s"},
    {"role":"user","content":[{"type":"text","text":"t"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},
      {"type":"image_url","image_url":{"url":"https://e.com/i"}},{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}},
      {"type":"file","file":{"file_data":"data:application/pdf;base64,AAAA","filename":"a.pdf"}}]},
    {"role":"assistant","content":"c","tool_calls":[{"id":"i","type":"function",
      "function":{"name":"f","arguments":"{\"x\":\"a\"}"},"extra_content":{"google":{"thought_signature":"s"}}}]},
    {"role":"tool","tool_call_id":"i","content":"{\"ok\":1}"}]})";

constexpr char kGeminiResponse[] = R"({"responseId":"r","modelVersion":"m",
  "candidates":[{"index":0,"finishReason":"STOP","finishMessage":"m",
    "content":{"role":"model","parts":[{"text":"t","thought":true},{"text":"a","thoughtSignature":"s"},
      {"functionCall":{"id":"i","name":"f","args":{"x":1}},"thoughtSignature":"s"},
      {"inlineData":{"mimeType":"image/png","data":"AAAA"}},{"executableCode":{"language":"PYTHON","code":"c"}},
      {"codeExecutionResult":{"outcome":"OUTCOME_OK","output":"o"}}]},
    "groundingMetadata":{"groundingChunks":[{"web":{"uri":"u","title":"t"}}]},
    "logprobsResult":{"chosenCandidates":[{"token":"a","logProbability":-1}],
                      "topCandidates":[{"candidates":[{"token":"a","logProbability":-1}]}]}}],
  "promptFeedback":{"blockReason":"SAFETY","blockReasonMessage":"m"},
  "usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":2,"thoughtsTokenCount":3,"totalTokenCount":6,
                   "cachedContentTokenCount":1,"toolUsePromptTokenCount":1}})";

TEST(RobustnessTest, ChatRequestConversionNeverThrows) {
  ConversionOptions options;
  options.search_models = {"gemini-3-pro-preview"};
  size_t variants = ForEachJsonVariant(J(kChatRequest), [&](const json& body) {
    EXPECT_NO_THROW({
      auto request = ConvertChatRequest(body, options);
      if (request.ok()) {
        for (size_t i = 0; i < request->fetches.size(); ++i) {
          (void)InlineFetchedMedia(*request, i, "image/png", "\x89PNG\r\n\x1a\n");
        }
        (void)request->body.dump();
      } else {
        (void)OpenAIErrorFromStatus(request.status()).body.dump();
      }
    }) << body.dump();
  });
  EXPECT_GT(variants, 1000u);
}

TEST(RobustnessTest, ResponseAndStreamConversionNeverThrow) {
  ResponseContext context;
  context.model = "m";
  ForEachJsonVariant(J(kGeminiResponse), [&](const json& response) {
    EXPECT_NO_THROW({
      auto converted = ConvertChatResponse(response, context);
      if (converted.ok()) (void)converted->dump();
      ChatStreamConverter stream(context, true);
      auto chunks = stream.OnEvent(response);
      if (chunks.ok()) {
        for (const json& chunk : *chunks) (void)chunk.dump();
      }
      for (const json& chunk : stream.Finish()) (void)chunk.dump();
    }) << response.dump();
  });
}

TEST(RobustnessTest, OtherConvertersNeverThrow) {
  ConversionOptions options;
  options.search_models = {"a"};
  ForEachJsonVariant(J(R"({"models":[{"name":"models/a"},{"name":"models/b"}]})"), [&](const json& list) {
    EXPECT_NO_THROW({
      auto converted = ConvertModelList(list, options, 1);
      if (converted.ok()) (void)FindModel(*converted, "a");
    });
  });
  ForEachJsonVariant(J(R"({"model":"m","input":["a","b"],"dimensions":3,"encoding_format":"base64"})"),
                 [&](const json& body) {
                   EXPECT_NO_THROW({
                     auto request = ConvertEmbeddingRequest(body, options);
                     if (request.ok()) {
                       std::vector<json> answers(request->batches.size(),
                                                 J(R"({"embeddings":[{"values":[1,2]},{"values":[3]}]})"));
                       (void)ConvertEmbeddingResponse(answers, *request);
                     }
                   });
                 });
  ForEachJsonVariant(J(R"({"embeddings":[{"values":[1,2]},{"values":[3]}],"usageMetadata":{"promptTokenCount":2}})"),
                 [&](const json& answer) {
                   auto request = ConvertEmbeddingRequest(J(R"({"model":"m","input":["a","b"]})"), options);
                   ASSERT_TRUE(request.ok());
                   EXPECT_NO_THROW((void)ConvertEmbeddingResponse({answer}, *request));
                 });
  ForEachJsonVariant(J(R"({"model":"gemini-2.5-flash-image","prompt":"p","n":1,"size":"1024x1024",
                       "response_format":"url","extra_body":{"google":{"aspect_ratio":"1:1"}}})"),
                 [&](const json& body) { EXPECT_NO_THROW((void)ConvertImageRequest(body, options)); });
  auto imagen = ConvertImageRequest(J(R"({"prompt":"p"})"), options);
  ASSERT_TRUE(imagen.ok());
  ForEachJsonVariant(J(R"({"predictions":[{"bytesBase64Encoded":"AAAA","mimeType":"image/png","prompt":"p"},
                                      {"raiFilteredReason":"r"}]})"),
                 [&](const json& answer) { EXPECT_NO_THROW((void)ConvertImageResponse(answer, *imagen, 1)); });
  ForEachJsonVariant(J(R"({"model":"tts-1","input":"hi","voice":"Kore","response_format":"wav","speed":1,
                       "instructions":"calm"})"),
                 [&](const json& body) { EXPECT_NO_THROW((void)ConvertSpeechRequest(body, options)); });
  auto speech = ConvertSpeechRequest(J(R"({"input":"hi"})"), options);
  ASSERT_TRUE(speech.ok());
  ForEachJsonVariant(J(R"({"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"audio/L16;codec=pcm;rate=24000",
                                                                          "data":"AAAA"}}]},"finishReason":"STOP"}]})"),
                 [&](const json& answer) { EXPECT_NO_THROW((void)ConvertSpeechResponse(answer, *speech)); });
  ForEachJsonVariant(J(R"({"error":{"code":429,"message":"m","status":"RESOURCE_EXHAUSTED","details":[
                       {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1s"},
                       {"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"f"}]}]}})"),
                 [&](const json& body) { EXPECT_NO_THROW((void)ConvertGeminiError(0, body).body.dump()); });
}

TEST(RobustnessTest, SchemaTranslationNeverThrows) {
  ForEachJsonVariant(J(R"({"type":"object","$defs":{"A":{"type":"string","enum":["a",1]}},
                       "properties":{"a":{"$ref":"#/$defs/A"},"b":{"allOf":[{"properties":{"c":{"const":1}}}]},
                                     "d":{"type":["integer","null"],"exclusiveMinimum":1,"format":"int32"},
                                     "e":{"oneOf":[{"type":"string"},{"type":"null"}]},"f":{"items":[{"type":"string"}]}},
                       "required":["a"]})"),
                 [&](const json& schema) {
                   EXPECT_NO_THROW({
                     std::vector<std::string> dropped;
                     (void)ToOpenApiSchema(schema, "s", &dropped);
                     (void)PrepareToolParameters(schema, SchemaDialect::kJsonSchema, "p");
                     (void)PrepareToolParameters(schema, SchemaDialect::kOpenApiSubset, "p");
                   }) << schema.dump();
                 });
}

}  // namespace
}  // namespace gempool::openai
