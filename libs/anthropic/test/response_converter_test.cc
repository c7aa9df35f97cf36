#include "gempool/anthropic/response_converter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "gempool/anthropic/thought_signature.h"
#include "gempool/testing/status_matchers.h"
#include "stream_events.h"

namespace gempool::anthropic {
namespace {

using gempool::testing::StatusIs;
using nlohmann::json;
using testing::J;

ResponseContext Context(bool thinking = false, bool show_thinking = false) {
  ResponseContext context;
  context.model = "claude-sonnet-4-6";
  context.fallback_id = "msg_fallback";
  context.thinking = thinking;
  context.show_thinking = show_thinking;
  return context;
}

// A response whose candidate 0 holds `parts_json`.
json Response(const std::string& parts_json, const std::string& finish = "STOP") {
  json response = J(R"({"responseId":"resp1","candidates":[{"index":0,"content":{"role":"model","parts":[]}}]})");
  response["candidates"][0]["content"]["parts"] = J(parts_json);
  if (!finish.empty()) response["candidates"][0]["finishReason"] = finish;
  return response;
}

json Convert(const json& response, const ResponseContext& context) {
  auto converted = ConvertMessagesResponse(response, context);
  EXPECT_TRUE(converted.ok()) << converted.status();
  return converted.ok() ? *converted : json();
}

json Content(const std::string& parts_json, const ResponseContext& context) {
  return Convert(Response(parts_json), context)["content"];
}

json Thinking(const std::string& text, const std::string& signature) {
  return json{{"type", "thinking"}, {"thinking", text}, {"signature", signature}};
}

json Text(const std::string& text) { return json{{"type", "text"}, {"text", text}}; }

TEST(ResponseConverterTest, TextAnswerHasTheMessageShape) {
  json response = Response(R"([{"text":"Hello"},{"text":" world"}])");
  response["usageMetadata"] = J(R"({"promptTokenCount":10,"candidatesTokenCount":3,"totalTokenCount":13})");
  json message = Convert(response, Context());
  EXPECT_EQ(message, J(R"({"id":"msg_resp1","type":"message","role":"assistant","model":"claude-sonnet-4-6",
      "content":[{"type":"text","text":"Hello world"}],"stop_reason":"end_turn","stop_sequence":null,
      "usage":{"input_tokens":10,"output_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}})"));
}

TEST(ResponseConverterTest, FallbackIdWithoutResponseId) {
  json response = Response(R"([{"text":"x"}])");
  response.erase("responseId");
  EXPECT_EQ(Convert(response, Context())["id"], "msg_fallback");
  ResponseContext no_fallback = Context();
  no_fallback.fallback_id.clear();
  const std::string derived = Convert(response, no_fallback)["id"].get<std::string>();
  EXPECT_THAT(derived, ::testing::MatchesRegex("msg_[0-9a-f]{24}"));
}

TEST(ResponseConverterTest, StopReasonForEveryFinishReason) {
  struct Row {
    const char* gemini;
    const char* without_call;
    const char* with_call;
  };
  const Row rows[] = {
      {"STOP", "end_turn", "tool_use"},
      {"", "end_turn", "tool_use"},
      {"FINISH_REASON_UNSPECIFIED", "end_turn", "tool_use"},
      {"MAX_TOKENS", "max_tokens", "tool_use"},
      {"SAFETY", "refusal", "refusal"},
      {"RECITATION", "refusal", "refusal"},
      {"BLOCKLIST", "refusal", "refusal"},
      {"PROHIBITED_CONTENT", "refusal", "refusal"},
      {"SPII", "refusal", "refusal"},
      {"LANGUAGE", "refusal", "refusal"},
      {"IMAGE_SAFETY", "refusal", "refusal"},
      {"IMAGE_PROHIBITED_CONTENT", "refusal", "refusal"},
      {"IMAGE_RECITATION", "refusal", "refusal"},
      {"IMAGE_OTHER", "refusal", "refusal"},
      {"NO_IMAGE", "end_turn", "tool_use"},
      {"OTHER", "end_turn", "tool_use"},
      {"MALFORMED_FUNCTION_CALL", "end_turn", "tool_use"},
      {"UNEXPECTED_TOOL_CALL", "end_turn", "tool_use"},
      {"TOO_MANY_TOOL_CALLS", "end_turn", "tool_use"},
      {"MISSING_THOUGHT_SIGNATURE", "end_turn", "tool_use"},
      {"MALFORMED_RESPONSE", "end_turn", "tool_use"},
      {"SOMETHING_NEW", "end_turn", "tool_use"},
  };
  for (const Row& row : rows) {
    EXPECT_STREQ(AnthropicStopReason(row.gemini, false), row.without_call) << row.gemini;
    EXPECT_STREQ(AnthropicStopReason(row.gemini, true), row.with_call) << row.gemini;
    if (row.gemini[0] == '\0') continue;
    EXPECT_EQ(Convert(Response(R"([{"text":"x"}])", row.gemini), Context())["stop_reason"], row.without_call)
        << row.gemini;
    EXPECT_EQ(Convert(Response(R"([{"functionCall":{"name":"f","args":{}}}])", row.gemini), Context())["stop_reason"],
              row.with_call)
        << row.gemini;
  }
}

TEST(ResponseConverterTest, UsageArithmetic) {
  EXPECT_EQ(ConvertUsage(J(R"({"promptTokenCount":100,"cachedContentTokenCount":30,"toolUsePromptTokenCount":5,
                               "candidatesTokenCount":20,"thoughtsTokenCount":7,"totalTokenCount":132})")),
            J(R"({"input_tokens":75,"output_tokens":27,"cache_creation_input_tokens":0,
                   "cache_read_input_tokens":30})"));
  EXPECT_EQ(ConvertUsage(json::object()),
            J(R"({"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0})"));
  EXPECT_EQ(ConvertUsage(json(nullptr))["input_tokens"], 0);
  // Inconsistent counts never go negative; mistyped ones count as 0.
  EXPECT_EQ(ConvertUsage(J(R"({"promptTokenCount":10,"cachedContentTokenCount":30})"))["input_tokens"], 0);
  EXPECT_EQ(ConvertUsage(J(R"({"promptTokenCount":"10","candidatesTokenCount":-4})"))["input_tokens"], 0);
  EXPECT_EQ(ConvertUsage(J(R"({"candidatesTokenCount":-4,"thoughtsTokenCount":2})"))["output_tokens"], 2);
  // A response without usageMetadata reports zeros.
  EXPECT_EQ(Convert(Response(R"([{"text":"x"}])"), Context())["usage"]["output_tokens"], 0);
}

TEST(ResponseConverterTest, ToolUseIdsKeepGeminiIdsAndAreStableOtherwise) {
  const std::string parts = R"([{"functionCall":{"id":"abc_1-X","name":"f","args":{"a":1}}},
      {"functionCall":{"name":"g"}},{"functionCall":{"id":"toolu_fake","name":"h","args":{}}},
      {"functionCall":{"id":"has.dot","name":"i","args":{}}},{"functionCall":{"id":"","name":"j","args":{}}}])";
  json content = Content(parts, Context());
  ASSERT_EQ(content.size(), 5u);
  EXPECT_EQ(content[0], J(R"({"type":"tool_use","id":"abc_1-X","name":"f","input":{"a":1}})"));
  EXPECT_EQ(content[1]["input"], json::object()) << "missing args are an empty input";
  for (int i = 1; i < 5; ++i) {
    EXPECT_THAT(content[i]["id"].get<std::string>(), ::testing::MatchesRegex("toolu_[0-9a-f]{24}")) << i;
  }
  EXPECT_NE(content[1]["id"], content[2]["id"]);
  EXPECT_NE(content[3]["id"], content[4]["id"]);
  // Same response, same ids; another message id, other ids.
  EXPECT_EQ(Content(parts, Context()), content);
  json other = Response(parts);
  other["responseId"] = "resp2";
  EXPECT_NE(Convert(other, Context())["content"][1]["id"], content[1]["id"]);
}

TEST(ResponseConverterTest, CallSignatureGetsAThinkingBlockEvenWithoutThinking) {
  const std::string parts = R"([{"functionCall":{"id":"c1","name":"f","args":{}},"thoughtSignature":"S1"},
                                {"functionCall":{"id":"c2","name":"g","args":{}}}])";
  for (bool thinking : {false, true}) {
    json content = Content(parts, Context(thinking, thinking));
    ASSERT_EQ(content.size(), 3u) << content.dump();
    EXPECT_EQ(content[0], Thinking("", TagSignature(SignatureAnchor::kNext, "S1")));
    EXPECT_EQ(content[1]["id"], "c1");
    EXPECT_EQ(content[2]["id"], "c2") << "parallel calls: only the first carries a signature";
  }
}

TEST(ResponseConverterTest, CallSignatureGoesOnThePrecedingThoughtBlock) {
  json content = Content(R"([{"text":"plan","thought":true},
      {"functionCall":{"id":"c1","name":"f","args":{}},"thoughtSignature":"S1"}])",
                         Context(true, true));
  ASSERT_EQ(content.size(), 2u) << content.dump();
  EXPECT_EQ(content[0], Thinking("plan", TagSignature(SignatureAnchor::kNext, "S1")));
  EXPECT_EQ(content[1]["type"], "tool_use");
}

TEST(ResponseConverterTest, CallSignatureAfterTextOrSignedThoughtOpensItsOwnBlock) {
  json after_text = Content(R"([{"text":"Let me check."},
      {"functionCall":{"id":"c1","name":"f","args":{}},"thoughtSignature":"S1"}])",
                            Context(true, true));
  ASSERT_EQ(after_text.size(), 3u) << after_text.dump();
  EXPECT_EQ(after_text[0], Text("Let me check."));
  EXPECT_EQ(after_text[1], Thinking("", TagSignature(SignatureAnchor::kNext, "S1")));

  json after_signed_thought = Content(R"([{"text":"plan","thought":true,"thoughtSignature":"T"},
      {"functionCall":{"id":"c1","name":"f","args":{}},"thoughtSignature":"S1"}])",
                                      Context(true, true));
  ASSERT_EQ(after_signed_thought.size(), 3u) << after_signed_thought.dump();
  EXPECT_EQ(after_signed_thought[0], Thinking("plan", TagSignature(SignatureAnchor::kOwn, "T")));
  EXPECT_EQ(after_signed_thought[1], Thinking("", TagSignature(SignatureAnchor::kNext, "S1")));
}

TEST(ResponseConverterTest, TextSignatureFollowsItsTextBlockOnlyWithThinking) {
  const std::string parts = R"([{"text":"Answer"},{"text":" done","thoughtSignature":"S"}])";
  json on = Content(parts, Context(true, false));
  ASSERT_EQ(on.size(), 2u) << on.dump();
  EXPECT_EQ(on[0], Text("Answer done"));
  EXPECT_EQ(on[1], Thinking("", TagSignature(SignatureAnchor::kPrevious, "S")));
  EXPECT_EQ(Content(parts, Context(false, false)), json::array({Text("Answer done")}));
}

TEST(ResponseConverterTest, TwoSignedTextPartsKeepBothSignatures) {
  json content = Content(R"([{"text":"a","thoughtSignature":"S1"},{"text":"b","thoughtSignature":"S2"}])",
                         Context(true, true));
  EXPECT_EQ(content, json::array({Text("a"), Thinking("", TagSignature(SignatureAnchor::kPrevious, "S1")), Text("b"),
                                  Thinking("", TagSignature(SignatureAnchor::kPrevious, "S2"))}));
}

TEST(ResponseConverterTest, ThoughtAndSignatureOnlyPartsOwnTheirSignature) {
  EXPECT_EQ(Content(R"([{"text":"why","thought":true,"thoughtSignature":"T"}])", Context(true, true)),
            json::array({Thinking("why", TagSignature(SignatureAnchor::kOwn, "T"))}));
  const std::string signature_only = R"([{"text":"Hi"},{"text":"","thoughtSignature":"E"},{"thoughtSignature":"F"}])";
  EXPECT_EQ(Content(signature_only, Context(true, false)),
            json::array({Text("Hi"), Thinking("", TagSignature(SignatureAnchor::kOwn, "E")),
                         Thinking("", TagSignature(SignatureAnchor::kOwn, "F"))}));
  EXPECT_EQ(Content(signature_only, Context(false, false)), json::array({Text("Hi")}));
  EXPECT_EQ(Content(R"([{"text":"why","thought":true,"thoughtSignature":"T"}])", Context(false, false)),
            json::array());
}

TEST(ResponseConverterTest, ThinkingShownOmittedOrOff) {
  const std::string parts =
      R"([{"text":"step 1. ","thought":true},{"text":"step 2.","thought":true},{"text":"Answer"}])";
  EXPECT_EQ(Content(parts, Context(true, true)), json::array({Thinking("step 1. step 2.", ""), Text("Answer")}));
  EXPECT_EQ(Content(parts, Context(true, false)), json::array({Thinking("", ""), Text("Answer")}));
  EXPECT_EQ(Content(parts, Context(false, false)), json::array({Text("Answer")}));
}

TEST(ResponseConverterTest, OtherPartsRenderAsMarkdownText) {
  json content = Content(R"j([{"text":"Here:"},{"inlineData":{"mimeType":"image/png","data":"AAAA"}},
      {"executableCode":{"language":"PYTHON","code":"print(1)"}},
      {"codeExecutionResult":{"outcome":"OUTCOME_OK","output":"1"}}])j",
                         Context());
  ASSERT_EQ(content.size(), 1u);
  const std::string text = content[0]["text"].get<std::string>();
  EXPECT_THAT(text, ::testing::StartsWith("Here:"));
  EXPECT_THAT(text, ::testing::HasSubstr("![image](data:image/png;base64,AAAA)"));
  EXPECT_THAT(text, ::testing::HasSubstr("```python\nprint(1)\n```"));
  EXPECT_THAT(text, ::testing::HasSubstr("```\n1\n```"));
}

TEST(ResponseConverterTest, GroundingSourcesAreAppendedWhenEnabled) {
  json response = Response(R"([{"text":"Paris."}])");
  response["candidates"][0]["groundingMetadata"] =
      J(R"({"groundingChunks":[{"web":{"uri":"https://a.example","title":"A"}}]})");
  EXPECT_EQ(Convert(response, Context())["content"],
            json::array({Text("Paris.\n\n**Sources**\n1. [A](https://a.example)\n")}));
  ResponseContext off = Context();
  off.show_search_link = false;
  EXPECT_EQ(Convert(response, off)["content"], json::array({Text("Paris.")}));
  // After a call, the sources open a text block of their own.
  json with_call = Response(R"([{"functionCall":{"id":"c","name":"search","args":{}}}])");
  with_call["candidates"][0]["groundingMetadata"] = response["candidates"][0]["groundingMetadata"];
  json content = Convert(with_call, Context())["content"];
  ASSERT_EQ(content.size(), 2u);
  EXPECT_EQ(content[1]["type"], "text");
}

TEST(ResponseConverterTest, BlockedPromptIsARefusalThatExplainsItself) {
  json message = Convert(J(R"({"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},
                               "usageMetadata":{"promptTokenCount":7}})"),
                         Context());
  EXPECT_EQ(message["stop_reason"], "refusal");
  ASSERT_EQ(message["content"].size(), 1u);
  EXPECT_THAT(message["content"][0]["text"].get<std::string>(), ::testing::HasSubstr("PROHIBITED_CONTENT"));
  EXPECT_EQ(message["usage"]["input_tokens"], 7);
}

TEST(ResponseConverterTest, EmptyRefusalExplainsTheFinishReason) {
  json message = Convert(Response("[]", "SAFETY"), Context());
  EXPECT_EQ(message["stop_reason"], "refusal");
  ASSERT_EQ(message["content"].size(), 1u);
  EXPECT_THAT(message["content"][0]["text"].get<std::string>(), ::testing::HasSubstr("finishReason: SAFETY"));
  // With some text already written, nothing is added.
  EXPECT_EQ(Convert(Response(R"([{"text":"partial"}])", "SAFETY"), Context())["content"],
            json::array({Text("partial")}));
}

TEST(ResponseConverterTest, OnlyCandidateZeroIsUsed) {
  json response = J(R"({"candidates":[{"index":1,"content":{"parts":[{"text":"second"}]}},
                                      {"content":{"parts":[{"text":"first"}]},"finishReason":"STOP"}]})");
  EXPECT_EQ(Convert(response, Context())["content"], json::array({Text("first")}));
}

TEST(ResponseConverterTest, ErrorsAndMalformedAnswers) {
  EXPECT_THAT(ConvertMessagesResponse(J(R"({"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}})"),
                                      Context()),
              StatusIs(absl::StatusCode::kResourceExhausted, ::testing::HasSubstr("quota")));
  EXPECT_THAT(ConvertMessagesResponse(J(R"([{"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}])"),
                                      Context()),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(ConvertMessagesResponse(J("[1]"), Context()), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ConvertMessagesResponse(J(R"({"usageMetadata":{}})"), Context()),
              StatusIs(absl::StatusCode::kInternal, ::testing::HasSubstr("neither candidates")));
}

TEST(ResponseConverterTest, CountTokens) {
  EXPECT_EQ(*ConvertCountTokensResponse(J(R"({"totalTokens":42,"promptTokensDetails":[]})")),
            J(R"({"input_tokens":42})"));
  EXPECT_THAT(ConvertCountTokensResponse(J("{}")), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ConvertCountTokensResponse(J(R"({"totalTokens":"3"})")), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ConvertCountTokensResponse(J(R"({"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}})")),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ResponseConverterTest, MakeResponseContextCopiesTheRequestSettings) {
  MessagesRequest request;
  request.gemini.model.requested = "claude-haiku-4-5";
  request.thinking = true;
  request.show_thinking = false;
  request.text_bytes = 4003;
  openai::ConversionOptions options;
  options.show_search_link = false;
  options.link_language = openai::LinkLanguage::kChinese;
  ResponseContext context = MakeResponseContext(request, options, "msg_x");
  EXPECT_EQ(context.model, "claude-haiku-4-5");
  EXPECT_EQ(context.fallback_id, "msg_x");
  EXPECT_TRUE(context.thinking);
  EXPECT_FALSE(context.show_thinking);
  EXPECT_EQ(context.estimated_input_tokens, 1000);
  EXPECT_FALSE(context.show_search_link);
  EXPECT_EQ(context.link_language, openai::LinkLanguage::kChinese);
}

}  // namespace
}  // namespace gempool::anthropic
