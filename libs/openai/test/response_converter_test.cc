// Non-stream responses: protocol.md §5 response rows (content, thoughts,
// function calls, signatures, finish reasons, blocks, usage, ids) and §6.2,
// §6.3, §6.18.

#include "gempool/openai/response_converter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"
#include "test_json.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::J;

ResponseContext Context() {
  ResponseContext context;
  context.model = "gemini-2.5-flash-search";
  context.created = 1'700'000'000;
  context.fallback_id = "chatcmpl-fallback";
  return context;
}

nlohmann::json MustConvertResponse(const std::string& gemini, const ResponseContext& context = Context()) {
  auto converted = ConvertChatResponse(J(gemini), context);
  EXPECT_TRUE(converted.ok()) << converted.status();
  return converted.ok() ? *converted : nlohmann::json();
}

TEST(ResponseConverterTest, TextAnswerBecomesChatCompletion) {
  nlohmann::json out = MustConvertResponse(R"({"candidates":[{"content":{"role":"model","parts":[
      {"text":"Hello"},{"text":" world"}]},"finishReason":"STOP","index":0}],
      "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2,"totalTokenCount":7},
      "modelVersion":"gemini-2.5-flash","responseId":"abc"})");
  EXPECT_EQ(out, J(R"({"id":"chatcmpl-abc","object":"chat.completion","created":1700000000,
      "model":"gemini-2.5-flash-search",
      "choices":[{"index":0,"message":{"role":"assistant","content":"Hello world","refusal":null},
                  "finish_reason":"stop","logprobs":null}],
      "usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7,
               "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}})"));
}

TEST(ResponseConverterTest, FallbackIdWithoutResponseId) {
  nlohmann::json out = MustConvertResponse(R"({"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"STOP"}]})");
  EXPECT_EQ(out["id"], "chatcmpl-fallback");
}

TEST(ResponseConverterTest, ThoughtsGoToReasoningContentNeverContent) {
  nlohmann::json out = MustConvertResponse(R"({"candidates":[{"content":{"parts":[
      {"text":"Let me think.","thought":true},{"text":"42"}]},"finishReason":"STOP"}],
      "usageMetadata":{"promptTokenCount":83,"candidatesTokenCount":14,"thoughtsTokenCount":104,"totalTokenCount":201}})");
  const auto& message = out["choices"][0]["message"];
  EXPECT_EQ(message["content"], "42");
  EXPECT_EQ(message["reasoning_content"], "Let me think.");
  EXPECT_EQ(out["usage"], J(R"({"prompt_tokens":83,"completion_tokens":118,"total_tokens":201,
      "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":104}})"));
}

TEST(ResponseConverterTest, FunctionCallsBecomeToolCallsAndFinishAsToolCalls) {
  nlohmann::json out = MustConvertResponse(R"({"responseId":"r1","candidates":[{"content":{"role":"model","parts":[
      {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"c2ln"},
      {"functionCall":{"name":"get_time","args":{}}}]},
      "finishReason":"STOP","finishMessage":"Model generated function call(s)."}]})");
  const auto& choice = out["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "tool_calls");
  EXPECT_TRUE(choice["message"]["content"].is_null());
  const auto& calls = choice["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_THAT(calls[0]["id"].get<std::string>(), StartsWith("call_"));
  EXPECT_NE(calls[0]["id"], calls[1]["id"]);
  EXPECT_EQ(calls[0]["type"], "function");
  EXPECT_EQ(calls[0]["function"], J(R"({"name":"get_weather","arguments":"{\"city\":\"Paris\"}"})"));
  EXPECT_EQ(calls[0]["extra_content"], J(R"({"google":{"thought_signature":"c2ln"}})"));
  EXPECT_FALSE(calls[1].contains("extra_content"));
  EXPECT_EQ(calls[1]["function"]["arguments"], "{}");
}

// A call no request converter could take back (no name, arguments that are
// not an object) would leave the client stuck on its next turn; such calls
// are not shown (found by the Responses fuzzer, tests/fuzz/responses/
// stream_nameless_call).
TEST(ResponseConverterTest, MalformedCallsAreNotToolCalls) {
  nlohmann::json out = MustConvertResponse(R"({"responseId":"r1","candidates":[{"content":{"role":"model","parts":[
      {"functionCall":{"namg":"get_weather","args":{}}},{"functionCall":{"name":"","args":{}}},
      {"functionCall":{"name":"f","args":[1]}},{"functionCall":{"name":"ok","args":null}}]},
      "finishReason":"STOP"}]})");
  const auto& calls = out["choices"][0]["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0]["function"]["name"], "ok");
}

TEST(ResponseConverterTest, ToolCallIdsAreStableAndGeminiIdsAreKept) {
  const char* gemini = R"({"responseId":"same","candidates":[{"content":{"parts":[
      {"functionCall":{"name":"f","args":{}}},{"functionCall":{"id":"gem-7","name":"g","args":{}}}]},
      "finishReason":"STOP"}]})";
  nlohmann::json first = MustConvertResponse(gemini);
  nlohmann::json second = MustConvertResponse(gemini);
  EXPECT_EQ(first["choices"][0]["message"]["tool_calls"][0]["id"],
            second["choices"][0]["message"]["tool_calls"][0]["id"]);
  EXPECT_EQ(first["choices"][0]["message"]["tool_calls"][1]["id"], "gem-7");
}

TEST(ResponseConverterTest, TextThoughtSignatureIsReturnedOnTheMessage) {
  nlohmann::json out = MustConvertResponse(R"({"candidates":[{"content":{"parts":[
      {"text":"done","thoughtSignature":"dGV4dA=="}]},"finishReason":"STOP"}]})");
  EXPECT_EQ(out["choices"][0]["message"]["extra_content"], J(R"({"google":{"thought_signature":"dGV4dA=="}})"));
}

struct FinishCase {
  const char* gemini;
  const char* openai;
};

class FinishReasonTest : public ::testing::TestWithParam<FinishCase> {};

TEST_P(FinishReasonTest, MapsToAnOpenAIValue) {
  EXPECT_STREQ(OpenAIFinishReason(GetParam().gemini, false), GetParam().openai);
}

INSTANTIATE_TEST_SUITE_P(
    AllReasons, FinishReasonTest,
    ::testing::Values(FinishCase{"STOP", "stop"}, FinishCase{"MAX_TOKENS", "length"},
                      FinishCase{"SAFETY", "content_filter"}, FinishCase{"RECITATION", "content_filter"},
                      FinishCase{"BLOCKLIST", "content_filter"}, FinishCase{"PROHIBITED_CONTENT", "content_filter"},
                      FinishCase{"SPII", "content_filter"}, FinishCase{"IMAGE_SAFETY", "content_filter"},
                      FinishCase{"IMAGE_PROHIBITED_CONTENT", "content_filter"},
                      FinishCase{"IMAGE_RECITATION", "content_filter"}, FinishCase{"LANGUAGE", "content_filter"},
                      FinishCase{"MALFORMED_FUNCTION_CALL", "stop"}, FinishCase{"UNEXPECTED_TOOL_CALL", "stop"},
                      FinishCase{"TOO_MANY_TOOL_CALLS", "stop"}, FinishCase{"MISSING_THOUGHT_SIGNATURE", "stop"},
                      FinishCase{"OTHER", "stop"}, FinishCase{"MALFORMED_RESPONSE", "stop"},
                      FinishCase{"NO_IMAGE", "stop"}, FinishCase{"IMAGE_OTHER", "stop"},
                      FinishCase{"FINISH_REASON_UNSPECIFIED", "stop"}, FinishCase{"", "stop"},
                      FinishCase{"SOMETHING_NEW", "stop"}));

TEST(ResponseConverterTest, StopWithACallIsToolCallsButLengthStaysLength) {
  EXPECT_STREQ(OpenAIFinishReason("STOP", true), "tool_calls");
  EXPECT_STREQ(OpenAIFinishReason("MAX_TOKENS", true), "length");
}

TEST(ResponseConverterTest, MaxTokensWithoutContent) {
  nlohmann::json out = MustConvertResponse(R"({"candidates":[{"content":{"role":"model"},"finishReason":"MAX_TOKENS"}]})");
  EXPECT_EQ(out["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(out["choices"][0]["message"]["content"], "");
}

TEST(ResponseConverterTest, SafetyStopWithoutTextExplainsItself) {
  nlohmann::json out = MustConvertResponse(R"({"candidates":[{"finishReason":"SAFETY","safetyRatings":[]}]})");
  const auto& choice = out["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "content_filter");
  EXPECT_TRUE(choice["message"]["content"].is_null());
  EXPECT_THAT(choice["message"]["refusal"].get<std::string>(), HasSubstr("finishReason: SAFETY"));
}

TEST(ResponseConverterTest, BlockedPromptIsContentFilterWithAnExplanation) {
  nlohmann::json out = MustConvertResponse(R"({"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},
      "usageMetadata":{"promptTokenCount":9,"totalTokenCount":9}})");
  ASSERT_EQ(out["choices"].size(), 1u);
  const auto& choice = out["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "content_filter");
  EXPECT_EQ(choice["message"]["role"], "assistant");
  EXPECT_THAT(choice["message"]["refusal"].get<std::string>(),
              HasSubstr("Gemini blocked the prompt (blockReason: PROHIBITED_CONTENT)"));
  EXPECT_EQ(out["usage"]["prompt_tokens"], 9);
}

TEST(ResponseConverterTest, MissingIndexIsZeroAndCandidatesAreOrdered) {
  nlohmann::json out = MustConvertResponse(R"({"candidates":[
      {"content":{"parts":[{"text":"second"}]},"finishReason":"STOP","index":1},
      {"content":{"parts":[{"text":"first"}]},"finishReason":"STOP"}]})");
  ASSERT_EQ(out["choices"].size(), 2u);
  EXPECT_EQ(out["choices"][0]["index"], 0);
  EXPECT_EQ(out["choices"][0]["message"]["content"], "first");
  EXPECT_EQ(out["choices"][1]["index"], 1);
}

TEST(ResponseConverterTest, UsageFoldsToolPromptTokensAndReportsCachedTokens) {
  EXPECT_EQ(ConvertUsage(J(R"({"promptTokenCount":100,"toolUsePromptTokenCount":20,"candidatesTokenCount":30,
                              "thoughtsTokenCount":10,"cachedContentTokenCount":64,"totalTokenCount":160})")),
            J(R"({"prompt_tokens":120,"completion_tokens":40,"total_tokens":160,
                  "prompt_tokens_details":{"cached_tokens":64},"completion_tokens_details":{"reasoning_tokens":10}})"));
  EXPECT_EQ(ConvertUsage(J("{}"))["total_tokens"], 0);
}

constexpr char kGrounded[] = R"({"candidates":[{"content":{"parts":[{"text":"It rained."}]},"finishReason":"STOP",
    "groundingMetadata":{"groundingChunks":[
      {"web":{"uri":"https://a.example/1","title":"a.example"}},
      {"web":{"uri":"https://b.example/2","title":"b [news]"}},
      {"web":{"uri":"https://a.example/1","title":"a.example"}}]}}]})";

TEST(ResponseConverterTest, GroundingLinksAreAppendedInEnglishByDefault) {
  nlohmann::json out = MustConvertResponse(kGrounded);
  EXPECT_EQ(out["choices"][0]["message"]["content"],
            "It rained.\n\n**Sources**\n1. [a.example](https://a.example/1)\n2. [b \\[news\\]](https://b.example/2)\n");
}

TEST(ResponseConverterTest, GroundingLinksInChineseOrNotAtAll) {
  ResponseContext chinese = Context();
  chinese.link_language = LinkLanguage::kChinese;
  EXPECT_THAT(MustConvertResponse(kGrounded, chinese)["choices"][0]["message"]["content"].get<std::string>(),
              HasSubstr("**参考来源**"));
  ResponseContext hidden = Context();
  hidden.show_search_link = false;
  EXPECT_EQ(MustConvertResponse(kGrounded, hidden)["choices"][0]["message"]["content"], "It rained.");
}

TEST(ResponseConverterTest, InlineImagesAndCodeBecomeMarkdown) {
  nlohmann::json out = MustConvertResponse(R"j({"candidates":[{"content":{"parts":[
      {"text":"Here:"},{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},
      {"executableCode":{"language":"PYTHON","code":"print(1)"}},
      {"codeExecutionResult":{"outcome":"OUTCOME_OK","output":"1\n"}}]},"finishReason":"STOP"}]})j");
  EXPECT_EQ(out["choices"][0]["message"]["content"],
            "Here:\n\n![image](data:image/png;base64,iVBORw0KGgo=)\n\n\n```python\nprint(1)\n```\n\n```\n1\n\n```\n");
}

TEST(ResponseConverterTest, LogprobsAreConverted) {
  nlohmann::json out = MustConvertResponse(R"({"candidates":[{"content":{"parts":[{"text":"Hi"}]},"finishReason":"STOP",
      "logprobsResult":{"chosenCandidates":[{"token":"Hi","logProbability":-0.1}],
                        "topCandidates":[{"candidates":[{"token":"Hi","logProbability":-0.1},
                                                        {"token":"Yo","logProbability":-2.5}]}]}}]})");
  EXPECT_EQ(out["choices"][0]["logprobs"], J(R"({"content":[{"token":"Hi","logprob":-0.1,"bytes":[72,105],
      "top_logprobs":[{"token":"Hi","logprob":-0.1,"bytes":[72,105]},{"token":"Yo","logprob":-2.5,"bytes":[89,111]}]}],
      "refusal":null})"));
}

TEST(ResponseConverterTest, ErrorBodiesAndGarbageAreErrors) {
  EXPECT_THAT(ConvertChatResponse(J(R"({"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}})"),
                                  Context()),
              StatusIs(absl::StatusCode::kResourceExhausted, "quota"));
  EXPECT_THAT(ConvertChatResponse(J("[]"), Context()), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ConvertChatResponse(J("{}"), Context()),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("neither candidates nor")));
}

TEST(ResponseConverterTest, MakeResponseContextCarriesTheRequestedModelAndSettings) {
  GeminiRequest request;
  request.model.requested = "gemini-2.5-flash-search";
  request.model.upstream = "gemini-2.5-flash";
  ConversionOptions options;
  options.show_search_link = false;
  options.link_language = LinkLanguage::kChinese;
  ResponseContext context = MakeResponseContext(request, options, 42, "chatcmpl-x");
  EXPECT_EQ(context.model, "gemini-2.5-flash-search");
  EXPECT_EQ(context.created, 42);
  EXPECT_EQ(context.fallback_id, "chatcmpl-x");
  EXPECT_FALSE(context.show_search_link);
  EXPECT_EQ(context.link_language, LinkLanguage::kChinese);
}

}  // namespace
}  // namespace gempool::openai
