#include "gempool/responses/response_converter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/responses/reasoning_content.h"
#include "gempool/testing/status_matchers.h"
#include "test_util.h"

namespace gempool::responses {
namespace {

using gempool::testing::StatusIs;
using nlohmann::json;
using testing::J;

ResponseContext Context(bool summary = false, bool include = false) {
  ResponseContext context;
  context.response_id = "resp_1";
  context.model = "gemini-2.5-flash";
  context.created_at = 1700000000;
  context.reasoning_summary = summary;
  context.include_encrypted_reasoning = include;
  context.echo = testing::MustConvert(testing::Body("hi")).echo;
  return context;
}

json Answer(const std::string& parts_json, const std::string& finish = "STOP") {
  json answer = J(R"({"responseId":"g1","candidates":[{"index":0,"content":{"role":"model"}}],
      "usageMetadata":{"promptTokenCount":10,"cachedContentTokenCount":4,"candidatesTokenCount":5,
                       "thoughtsTokenCount":7,"totalTokenCount":22}})");
  answer["candidates"][0]["content"]["parts"] = J(parts_json);
  if (!finish.empty()) answer["candidates"][0]["finishReason"] = finish;
  return answer;
}

json Convert(const json& answer, const ResponseContext& context) {
  auto converted = ConvertResponsesResponse(answer, context);
  EXPECT_TRUE(converted.ok()) << converted.status();
  return converted.ok() ? converted->response : json();
}

TEST(ResponseConverterTest, TextAnswerHasTheFieldsTheSdkReads) {
  json response = Convert(Answer(R"([{"text":"Hel"},{"text":"lo"}])"), Context());
  EXPECT_EQ(response["id"], "resp_1");
  EXPECT_EQ(response["object"], "response");
  EXPECT_EQ(response["created_at"], 1700000000);
  EXPECT_EQ(response["status"], "completed");
  EXPECT_TRUE(response["error"].is_null());
  EXPECT_TRUE(response["incomplete_details"].is_null());
  EXPECT_EQ(response["model"], "gemini-2.5-flash");
  EXPECT_EQ(response["tool_choice"], "auto");
  EXPECT_EQ(response["parallel_tool_calls"], true);
  ASSERT_EQ(response["output"].size(), 1u);
  const json& message = response["output"][0];
  EXPECT_EQ(message["type"], "message");
  EXPECT_EQ(message["role"], "assistant");
  EXPECT_EQ(message["status"], "completed");
  EXPECT_EQ(message["id"].get<std::string>().rfind("msg_", 0), 0u);
  EXPECT_EQ(message["content"], J(R"([{"type":"output_text","text":"Hello","annotations":[]}])"));
  EXPECT_EQ(response["usage"], J(R"({"input_tokens":10,"input_tokens_details":{"cached_tokens":4,
      "cache_write_tokens":0},"output_tokens":12,"output_tokens_details":{"reasoning_tokens":7},"total_tokens":22})"));
}

TEST(ResponseConverterTest, FunctionCallsWithIdsAndSignatures) {
  json answer = Answer(R"([{"functionCall":{"name":"f","args":{"a":1}},"thoughtSignature":"SIG"},
      {"functionCall":{"id":"gem-7","name":"g"}}])");
  auto converted = ConvertResponsesResponse(answer, Context());
  ASSERT_TRUE(converted.ok());
  const json& output = converted->response["output"];
  ASSERT_EQ(output.size(), 3u);
  EXPECT_EQ(output[0]["type"], "reasoning");
  EXPECT_EQ(output[0]["summary"], json::array());
  EXPECT_FALSE(output[0].contains("encrypted_content"));
  EXPECT_EQ(output[1]["type"], "function_call");
  EXPECT_EQ(output[1]["name"], "f");
  EXPECT_EQ(output[1]["arguments"], R"({"a":1})");
  EXPECT_EQ(output[1]["status"], "completed");
  EXPECT_EQ(output[1]["call_id"].get<std::string>().rfind("call_", 0), 0u);
  EXPECT_EQ(output[1]["call_id"].get<std::string>().size(), 29u);
  EXPECT_EQ(output[2]["call_id"], "gem-7");
  EXPECT_EQ(output[2]["arguments"], "{}");
  // The stored form keeps the signature.
  EXPECT_EQ(converted->stored["output"][0]["encrypted_content"],
            EncodeReasoningContent(SignatureAnchor::kNext, "SIG"));
  EXPECT_EQ(converted->response["status"], "completed");
}

// Found by the Responses fuzzer (tests/fuzz/responses/stream_nameless_call):
// a functionCall without a name became a function_call item with name "",
// which previous_response_id then refused on every later turn.
TEST(ResponseConverterTest, NamelessCallsAreNotFunctionCalls) {
  json output = Convert(Answer(R"([{"functionCall":{"namg":"get_weather","args":{}}},{"text":"Done."}])"),
                        Context())["output"];
  ASSERT_EQ(output.size(), 1u);
  EXPECT_EQ(output[0]["type"], "message");
}

TEST(ResponseConverterTest, ANamespacedCallNamesItsNamespace) {
  const json output = Convert(Answer(R"([{"functionCall":{"name":"multi_agent_v1.close_agent","args":{}}},
      {"functionCall":{"name":"exec_command","args":{}}}])"), Context())["output"];
  ASSERT_EQ(output.size(), 2u);
  EXPECT_EQ(output[0]["name"], "close_agent");
  EXPECT_EQ(output[0]["namespace"], "multi_agent_v1");
  EXPECT_EQ(output[1]["name"], "exec_command");
  EXPECT_FALSE(output[1].contains("namespace"));
}

TEST(ResponseConverterTest, EncryptedContentWhenIncluded) {
  json response = Convert(Answer(R"([{"text":"hi","thoughtSignature":"TS"}])"), Context(false, true));
  ASSERT_EQ(response["output"].size(), 2u);
  EXPECT_EQ(response["output"][1]["encrypted_content"], EncodeReasoningContent(SignatureAnchor::kPrevious, "TS"));
}

TEST(ResponseConverterTest, ReasoningSummaryOnlyWhenAsked) {
  const std::string parts = R"([{"text":"Let me ","thought":true},{"text":"think.","thought":true,
      "thoughtSignature":"OWN"},{"text":"Answer"}])";
  json shown = Convert(Answer(parts), Context(true, true));
  ASSERT_EQ(shown["output"].size(), 2u);
  EXPECT_EQ(shown["output"][0]["summary"], J(R"([{"type":"summary_text","text":"Let me think."}])"));
  EXPECT_EQ(shown["output"][0]["encrypted_content"], EncodeReasoningContent(SignatureAnchor::kOwn, "OWN"));
  json hidden = Convert(Answer(parts), Context(false, false));
  ASSERT_EQ(hidden["output"].size(), 2u);
  EXPECT_EQ(hidden["output"][0]["summary"], json::array());
  // Hidden thoughts without a signature make no item.
  EXPECT_EQ(Convert(Answer(R"([{"text":"hmm","thought":true},{"text":"A"}])"), Context())["output"].size(), 1u);
}

TEST(ResponseConverterTest, MaxTokensIsIncomplete) {
  json response = Convert(Answer(R"([{"text":"cut"}])", "MAX_TOKENS"), Context());
  EXPECT_EQ(response["status"], "incomplete");
  EXPECT_EQ(response["incomplete_details"], J(R"({"reason":"max_output_tokens"})"));
  EXPECT_EQ(response["output"][0]["status"], "incomplete");
  EXPECT_TRUE(response["completed_at"].is_null());
  // A whole call is still runnable.
  EXPECT_EQ(Convert(Answer(R"([{"functionCall":{"name":"f"}}])", "MAX_TOKENS"), Context())["status"], "completed");
}

TEST(ResponseConverterTest, SafetyIsContentFilterWithAnExplanation) {
  json response = Convert(Answer("[]", "SAFETY"), Context());
  EXPECT_EQ(response["status"], "incomplete");
  EXPECT_EQ(response["incomplete_details"], J(R"({"reason":"content_filter"})"));
  EXPECT_THAT(response["output"][0]["content"][0]["text"].get<std::string>(), ::testing::HasSubstr("SAFETY"));
  json blocked = Convert(J(R"({"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"}})"), Context());
  EXPECT_EQ(blocked["incomplete_details"]["reason"], "content_filter");
  EXPECT_THAT(blocked["output"][0]["content"][0]["text"].get<std::string>(),
              ::testing::HasSubstr("PROHIBITED_CONTENT"));
}

TEST(ResponseConverterTest, GroundingLinksGetUrlCitations) {
  json answer = Answer(R"([{"text":"Café news"}])");
  answer["candidates"][0]["groundingMetadata"] = J(R"({"groundingChunks":[
      {"web":{"uri":"https://a.example/x","title":"A [1]"}},{"web":{"uri":"https://b.example"}}]})");
  json response = Convert(answer, Context());
  const json& part = response["output"][0]["content"][0];
  const std::string text = part["text"].get<std::string>();
  ASSERT_EQ(part["annotations"].size(), 2u);
  const json& first = part["annotations"][0];
  EXPECT_EQ(first["type"], "url_citation");
  EXPECT_EQ(first["url"], "https://a.example/x");
  EXPECT_EQ(first["title"], "A [1]");
  // Offsets count characters ("é" is one), and cover "[A \[1\]](https://a.example/x)".
  const std::string link = "[A \\[1\\]](https://a.example/x)";
  const size_t byte_start = text.find(link);
  ASSERT_NE(byte_start, std::string::npos);
  EXPECT_EQ(first["start_index"], byte_start - 1);
  EXPECT_EQ(first["end_index"], byte_start - 1 + link.size());
  EXPECT_EQ(part["annotations"][1]["title"], "https://b.example");
}

TEST(ResponseConverterTest, ErrorsAndMalformedAnswers) {
  EXPECT_THAT(ConvertResponsesResponse(J(R"({"error":{"code":429,"message":"slow","status":"RESOURCE_EXHAUSTED"}})"),
                                       Context())
                  .status(),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(ConvertResponsesResponse(J("[1]"), Context()).status(), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ConvertResponsesResponse(J("{}"), Context()).status(), StatusIs(absl::StatusCode::kInternal));
}

TEST(ResponseConverterTest, IdFallsBackToGeminisResponseId) {
  ResponseContext context = Context();
  context.response_id.clear();
  EXPECT_EQ(Convert(Answer(R"([{"text":"x"}])"), context)["id"], "resp_g1");
}

TEST(ResponseConverterTest, MakeResponseContextCarriesTheRequest) {
  ResponsesRequest request = testing::MustConvert(testing::Body(
      "hi", R"({"instructions":"I","store":false,"include":["reasoning.encrypted_content"],
               "reasoning":{"effort":"low","summary":"auto"}})"));
  ResponseContext context = MakeResponseContext(request, testing::PlainOptions(), "resp_z", 9);
  EXPECT_EQ(context.response_id, "resp_z");
  EXPECT_EQ(context.instructions, "I");
  EXPECT_FALSE(context.store);
  EXPECT_TRUE(context.include_encrypted_reasoning);
  EXPECT_TRUE(context.reasoning_summary);
  json response = Convert(Answer(R"([{"text":"x"}])"), context);
  EXPECT_EQ(response["instructions"], "I");
  EXPECT_EQ(response["store"], false);
  EXPECT_EQ(response["reasoning"], J(R"({"effort":"low","summary":"auto"})"));
}

}  // namespace
}  // namespace gempool::responses
