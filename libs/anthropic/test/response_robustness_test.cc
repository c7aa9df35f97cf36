// The response side answers mistyped upstream JSON with a status or a
// best-effort answer, never an exception, and streams stay well-formed:
// each node of realistic Gemini answers is replaced by values of every JSON
// type and each variant is converted (a small deterministic fuzzer).

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "gempool/anthropic/errors.h"
#include "gempool/anthropic/models.h"
#include "gempool/anthropic/response_converter.h"
#include "gempool/anthropic/stream_converter.h"
#include "stream_events.h"
#include "gempool/testing/json_variants.h"

namespace gempool::anthropic {
namespace {

using nlohmann::json;
using ::gempool::testing::ForEachJsonVariant;
using testing::J;

std::string Show(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

constexpr char kResponse[] = R"({"responseId":"r","modelVersion":"m",
  "candidates":[{"index":0,"finishReason":"STOP","finishMessage":"m",
    "content":{"role":"model","parts":[{"text":"t","thought":true},{"text":"u","thought":true,"thoughtSignature":"o"},
      {"text":"a","thoughtSignature":"s"},{"text":"","thoughtSignature":"e"},
      {"functionCall":{"id":"i","name":"f","args":{"x":1}},"thoughtSignature":"c"},
      {"functionCall":{"name":"g","args":{"y":[1,2]}}},
      {"inlineData":{"mimeType":"image/png","data":"AAAA"}},{"executableCode":{"language":"PYTHON","code":"c"}},
      {"codeExecutionResult":{"outcome":"OUTCOME_OK","output":"o"}}]},
    "groundingMetadata":{"groundingChunks":[{"web":{"uri":"https://a","title":"A"}}]}},
    {"index":1,"content":{"parts":[{"text":"other"}]}}],
  "promptFeedback":{"blockReason":"SAFETY","blockReasonMessage":"no"},
  "usageMetadata":{"promptTokenCount":10,"cachedContentTokenCount":2,"candidatesTokenCount":3,
    "thoughtsTokenCount":4,"toolUsePromptTokenCount":1,"totalTokenCount":20}})";

constexpr char kStream[] = R"([
  {"responseId":"r","candidates":[{"content":{"parts":[{"text":"th","thought":true}]}}],
   "usageMetadata":{"promptTokenCount":10}},
  {"responseId":"r","candidates":[{"content":{"parts":[{"text":"Hi","thoughtSignature":"s"},
    {"functionCall":{"id":"i","name":"f","args":{"x":1}},"thoughtSignature":"c"}]}}]},
  {"responseId":"r","candidates":[{"content":{"role":"model"},"finishReason":"STOP",
    "groundingMetadata":{"groundingChunks":[{"web":{"uri":"https://a"}}]}}],
   "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5}}])";

ResponseContext RobustnessContext() {
  ResponseContext context;
  context.model = "claude-sonnet-4-6";
  context.fallback_id = "msg_f";
  context.thinking = true;
  context.show_thinking = true;
  return context;
}

TEST(ResponseRobustnessTest, NonStreamAnswersNeverThrow) {
  size_t variants = ForEachJsonVariant(J(kResponse), [](const json& response) {
    EXPECT_NO_THROW({
      auto converted = ConvertMessagesResponse(response, RobustnessContext());
      if (converted.ok()) {
        EXPECT_TRUE((*converted)["content"].is_array());
        EXPECT_TRUE((*converted)["stop_reason"].is_string());
      }
      (void)ConvertCountTokensResponse(response);
      (void)ConvertUsage(response);
    }) << Show(response);
  }, /*invalid_utf8=*/true);
  EXPECT_GT(variants, 500u);
}

TEST(ResponseRobustnessTest, StreamsNeverThrowAndStayWellFormed) {
  size_t variants = ForEachJsonVariant(J(kStream), [](const json& events) {
    EXPECT_NO_THROW({
      MessagesStreamConverter converter(RobustnessContext());
      std::vector<StreamEvent> out;
      const std::vector<json> inputs = events.is_array() ? events.get<std::vector<json>>() : std::vector<json>{events};
      bool failed = false;
      for (const json& event : inputs) {
        auto converted = converter.OnEvent(event);
        if (!converted.ok()) {
          failed = true;
          break;
        }
        out.insert(out.end(), converted->begin(), converted->end());
      }
      if (!failed) {
        std::vector<StreamEvent> closing = converter.Finish();
        out.insert(out.end(), closing.begin(), closing.end());
        testing::ExpectValidSequence(out);
      }
      for (const StreamEvent& event : out) (void)FrameEvent(event);
    }) << Show(events);
  }, /*invalid_utf8=*/true);
  EXPECT_GT(variants, 500u);
}

TEST(ResponseRobustnessTest, ErrorsAndModelListsNeverThrow) {
  const json error = J(R"({"error":{"code":429,"message":"m","status":"RESOURCE_EXHAUSTED",
      "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"3s"}]}})");
  ForEachJsonVariant(error, [](const json& body) {
    EXPECT_NO_THROW({
      AnthropicError converted = ConvertGeminiError(0, body);
      EXPECT_GE(converted.http_status, 400);
      EXPECT_TRUE(converted.body["error"]["message"].is_string());
    }) << Show(body);
  }, /*invalid_utf8=*/true);
  const json models = J(R"([{"name":"models/gemini-2.5-pro","displayName":"P","inputTokenLimit":5,
                            "outputTokenLimit":6}])");
  ForEachJsonVariant(models, [](const json& list) {
    EXPECT_NO_THROW({
      (void)ConvertModelList(list, ModelMap::Default(), {}, 0, ModelPage());
      (void)FindModel(list, ModelMap::Default(), {}, 0, "gemini-2.5-pro");
    }) << Show(list);
  });
}

}  // namespace
}  // namespace gempool::anthropic
