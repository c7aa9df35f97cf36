// `system` and `messages` → systemInstruction and contents (anthropic.md
// §7.1–7.3): roles, merging, mid-conversation system messages, tool_use /
// tool_result pairing and thought signatures.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/anthropic/thought_signature.h"
#include "gempool/openai/errors.h"
#include "gempool/testing/status_matchers.h"
#include "request_test_util.h"

namespace gempool::anthropic {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using testing::Body;
using testing::ConvertStatus;
using testing::J;
using testing::MustConvert;
using testing::PlainOptions;

const nlohmann::json& Contents(const MessagesRequest& request) { return request.gemini.body["contents"]; }

TEST(ContentConverterTest, UserAndAssistantBecomeUserAndModel) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"hi"},
      {"role":"assistant","content":[{"type":"text","text":"hello"}]},{"role":"user","content":"bye"}])"));
  EXPECT_EQ(Contents(request), J(R"([{"role":"user","parts":[{"text":"hi"}]},
      {"role":"model","parts":[{"text":"hello"}]},{"role":"user","parts":[{"text":"bye"}]}])"));
}

TEST(ContentConverterTest, ConsecutiveSameRoleMessagesAreMerged) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"a"},{"role":"user","content":"b"},
      {"role":"assistant","content":"c"},{"role":"assistant","content":"d"}])"));
  EXPECT_EQ(Contents(request), J(R"([{"role":"user","parts":[{"text":"a"},{"text":"b"}]},
      {"role":"model","parts":[{"text":"c"},{"text":"d"}]}])"));
}

TEST(ContentConverterTest, EmptyTextIsSkippedAndEmptyMessagesDropped) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":[{"type":"text","text":""},
      {"type":"text","text":"x","cache_control":{"type":"ephemeral"}}]},{"role":"assistant","content":""},
      {"role":"user","content":"y"}])"));
  EXPECT_EQ(Contents(request), J(R"([{"role":"user","parts":[{"text":"x"},{"text":"y"}]}])"));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("messages[1]")));
}

TEST(ContentConverterTest, MessagesMissingOrEmptyIsRefused) {
  nlohmann::json body = Body("[]");
  EXPECT_THAT(ConvertStatus(body), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("messages must contain")));
  body.erase("messages");
  absl::Status status = ConvertStatus(body);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("messages is required")));
  EXPECT_EQ(openai::ErrorParam(status), "messages");
  body["messages"] = "hi";
  EXPECT_THAT(ConvertStatus(body), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must be an array")));
}

TEST(ContentConverterTest, UnknownRoleIsRefused) {
  EXPECT_THAT(ConvertStatus(Body(R"([{"role":"tool","content":"x"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("messages[0].role 'tool' is not a message role")));
  EXPECT_THAT(ConvertStatus(Body(R"([{"content":"x"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("messages[0].role is required")));
}

TEST(ContentConverterTest, SystemStringAndBlocksBecomeSystemInstructionWithoutBillingHeader) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"hi"}])", R"({"system":[
      {"type":"text","text":"x-anthropic-billing-header: cc_version=2.1.332; cc_entrypoint=cli;"},
      {"type":"text","text":"You are helpful.","cache_control":{"type":"ephemeral"}},{"type":"text","text":""}]})"));
  EXPECT_EQ(request.gemini.body["systemInstruction"], J(R"({"parts":[{"text":"You are helpful."}]})"));
  MessagesRequest plain = MustConvert(Body(R"([{"role":"user","content":"hi"}])", R"({"system":"Be brief."})"));
  EXPECT_EQ(plain.gemini.body["systemInstruction"], J(R"({"parts":[{"text":"Be brief."}]})"));
}

TEST(ContentConverterTest, SystemRejectsNonTextBlocks) {
  EXPECT_THAT(ConvertStatus(Body(R"([{"role":"user","content":"hi"}])",
                                 R"({"system":[{"type":"image","source":{"type":"url","url":"https://e.com"}}]})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("system[0].type 'image' is not supported")));
}

TEST(ContentConverterTest, LeadingSystemMessageJoinsSystemInstruction) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"system","content":"rules"},{"role":"user","content":"hi"}])",
                                             R"({"system":"top"})"));
  EXPECT_EQ(request.gemini.body["systemInstruction"], J(R"({"parts":[{"text":"top"},{"text":"rules"}]})"));
  EXPECT_EQ(Contents(request), J(R"([{"role":"user","parts":[{"text":"hi"}]}])"));
}

TEST(ContentConverterTest, OnlySystemTextBecomesTheUserTurn) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"system","content":"say hello"}])"));
  EXPECT_FALSE(request.gemini.body.contains("systemInstruction"));
  EXPECT_EQ(Contents(request), J(R"([{"role":"user","parts":[{"text":"say hello"}]}])"));
}

TEST(ContentConverterTest, MidConversationSystemMessageIsAReminderAfterTheUserTurn) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"say hi"},
      {"role":"system","content":[{"type":"text","text":"# Environment","cache_control":{"type":"ephemeral"}}],
       "output_config":{"effort":"medium"}},
      {"role":"assistant","content":"hi"}])"));
  EXPECT_EQ(Contents(request), J(R"([{"role":"user","parts":[{"text":"say hi"},
      {"text":"<system-reminder>\n# Environment\n</system-reminder>"}]},{"role":"model","parts":[{"text":"hi"}]}])"));
}

TEST(ContentConverterTest, ReminderGoesAfterTheFunctionResponses) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"go"},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"done"}]},
      {"role":"system","content":"note"}])"));
  EXPECT_EQ(Contents(request)[2], J(R"({"role":"user","parts":[
      {"functionResponse":{"name":"f","response":{"output":"done"}}},
      {"text":"<system-reminder>\nnote\n</system-reminder>"}]})"));
}

TEST(ContentConverterTest, ReminderAfterAnAssistantTurnWaitsForTheNextUserTurn) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"go"},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},
      {"role":"system","content":"note"},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"done"}]}])"));
  EXPECT_EQ(Contents(request)[2], J(R"({"role":"user","parts":[
      {"functionResponse":{"name":"f","response":{"output":"done"}}},
      {"text":"<system-reminder>\nnote\n</system-reminder>"}]})"));
}

TEST(ContentConverterTest, ToolUseBecomesFunctionCallAndToolResultFunctionResponse) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"weather?"},
      {"role":"assistant","content":[{"type":"text","text":"Checking."},
        {"type":"tool_use","id":"toolu_01","name":"get_weather","input":{"city":"Paris"}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":"21C"}]}])"));
  EXPECT_EQ(Contents(request)[1], J(R"({"role":"model","parts":[{"text":"Checking."},
      {"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]})"));
  EXPECT_EQ(Contents(request)[2], J(R"({"role":"user","parts":[
      {"functionResponse":{"name":"get_weather","response":{"output":"21C"}}}]})"));
}

TEST(ContentConverterTest, GeminiCallIdsAreSentBack) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"go"},
      {"role":"assistant","content":[{"type":"tool_use","id":"abc123","name":"f","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"abc123","content":"ok"}]}])"));
  EXPECT_EQ(Contents(request)[1]["parts"][0], J(R"({"functionCall":{"id":"abc123","name":"f","args":{}}})"));
  EXPECT_EQ(Contents(request)[2]["parts"][0],
            J(R"({"functionResponse":{"id":"abc123","name":"f","response":{"output":"ok"}}})"));
}

TEST(ContentConverterTest, ErrorResultsAndBlockContent) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"go"},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_a","name":"f","input":{}},
                                     {"type":"tool_use","id":"toolu_b","name":"g","input":{}}]},
      {"role":"user","content":[
        {"type":"tool_result","tool_use_id":"toolu_b","is_error":true,"content":"boom"},
        {"type":"tool_result","tool_use_id":"toolu_a","content":[{"type":"text","text":"line 1"},
          {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}},
          {"type":"text","text":"line 2"}]},
        {"type":"text","text":"thanks"}]}])"));
  // Responses in call order, then the result's image, then the user's text.
  EXPECT_EQ(Contents(request)[2], J(R"({"role":"user","parts":[
      {"functionResponse":{"name":"f","response":{"output":"line 1\nline 2"}}},
      {"functionResponse":{"name":"g","response":{"error":"boom"}}},
      {"inlineData":{"mimeType":"image/png","data":"AAAA"}},
      {"text":"thanks"}]})"));
}

TEST(ContentConverterTest, ToolResultWithoutContentAnswersAnEmptyOutput) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"go"},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_a","name":"f"}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_a"}]}])"));
  EXPECT_EQ(Contents(request)[2]["parts"][0], J(R"({"functionResponse":{"name":"f","response":{"output":""}}})"));
  EXPECT_EQ(Contents(request)[1]["parts"][0], J(R"({"functionCall":{"name":"f","args":{}}})"));
}

TEST(ContentConverterTest, UnknownToolUseIdIsRefused) {
  absl::Status status = ConvertStatus(Body(R"([{"role":"user","content":[
      {"type":"tool_result","tool_use_id":"toolu_x","content":"?"}]}])"));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("messages[0].content[0].tool_use_id 'toolu_x' matches no tool_use")));
  EXPECT_EQ(openai::ErrorParam(status), "messages[0].content[0].tool_use_id");
}

TEST(ContentConverterTest, UnansweredCallIsRefusedWithItsId) {
  absl::Status status = ConvertStatus(Body(R"([{"role":"user","content":"go"},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_a","name":"f","input":{}},
                                     {"type":"tool_use","id":"toolu_b","name":"f","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_a","content":"1"}]}])"));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("messages[1].content[1] is a tool_use (id 'toolu_b') without a "
                                         "tool_result")));
}

TEST(ContentConverterTest, ResultThatDoesNotFollowItsCallIsRefused) {
  EXPECT_THAT(ConvertStatus(Body(R"([{"role":"user","content":"go"},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_a","name":"f","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_a","content":"1"}]},
      {"role":"assistant","content":"ok"},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_a","content":"again"}]}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("messages[4].content[0].tool_use_id 'toolu_a' answers no tool_use of the "
                                 "assistant message right before it")));
  EXPECT_THAT(ConvertStatus(Body(R"([{"role":"user","content":"go"},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_a","name":"f","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_a","content":"1"},
                                {"type":"tool_result","tool_use_id":"toolu_a","content":"2"}]}])")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("answered twice")));
}

TEST(ContentConverterTest, TrailingAssistantCallsAreDroppedWithAWarning) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"go"},
      {"role":"assistant","content":[{"type":"text","text":"Let me"},
                                     {"type":"tool_use","id":"toolu_a","name":"f","input":{}}]}])"));
  EXPECT_EQ(Contents(request)[1], J(R"({"role":"model","parts":[{"text":"Let me"}]})"));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("toolu_a")));

  MessagesRequest only_calls = MustConvert(Body(R"([{"role":"user","content":"go"},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_a","name":"f","input":{}}]}])"));
  EXPECT_EQ(Contents(only_calls).size(), 1u);
}

TEST(ContentConverterTest, ToolUseInUserMessageAndResultInAssistantAreRefused) {
  EXPECT_THAT(ConvertStatus(Body(R"([{"role":"user","content":[{"type":"tool_use","id":"t","name":"f"}]}])")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("only allowed in assistant messages")));
  EXPECT_THAT(ConvertStatus(Body(R"([{"role":"user","content":"x"},
      {"role":"assistant","content":[{"type":"tool_result","tool_use_id":"t"}]}])")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("messages[1].content[0].type 'tool_result'")));
  EXPECT_THAT(ConvertStatus(Body(R"([{"role":"user","content":"x"},
      {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":"{}"}]}])")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("messages[1].content[0].input must be an object")));
}

TEST(ContentConverterTest, UnknownBlockTypeIsRefusedAndServerToolHistoryDropped) {
  EXPECT_THAT(ConvertStatus(Body(R"([{"role":"user","content":[{"type":"container_upload","file_id":"f"}]}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("messages[0].content[0].type 'container_upload' is not supported")));
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"q"},
      {"role":"assistant","content":[{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}},
        {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[]},{"type":"text","text":"a"}]}])"));
  EXPECT_EQ(Contents(request)[1], J(R"({"role":"model","parts":[{"text":"a"}]})"));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("server_tool_use")));
}

TEST(ContentConverterTest, SearchResultAndToolReferenceBecomeText) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"find"},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_s","name":"ToolSearch","input":{"query":"cron"}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_s","content":[
        {"type":"tool_reference","tool_name":"CronCreate"}]},
        {"type":"search_result","source":"https://e.com","title":"T","content":[{"type":"text","text":"body"}]}]}])"));
  EXPECT_EQ(Contents(request)[2], J(R"({"role":"user","parts":[
      {"functionResponse":{"name":"ToolSearch","response":{"output":"Tool loaded: CronCreate"}}},
      {"text":"T\nhttps://e.com\nbody"}]})"));
}

// --- thought signatures ---

nlohmann::json Thinking(SignatureAnchor anchor, const std::string& signature, const std::string& text = "") {
  return nlohmann::json{{"type", "thinking"}, {"thinking", text}, {"signature", TagSignature(anchor, signature)}};
}

nlohmann::json AssistantBody(const nlohmann::json& blocks, const std::string& model = "gemini-2.5-flash") {
  nlohmann::json messages = J(R"([{"role":"user","content":"go"}])");
  messages.push_back({{"role", "assistant"}, {"content", blocks}});
  return Body(messages.dump(), "{}", model);
}

TEST(SignatureReplayTest, NextSignatureGoesOnTheFollowingCall) {
  nlohmann::json blocks = nlohmann::json::array(
      {Thinking(SignatureAnchor::kNext, "c2ln"), J(R"({"type":"tool_use","id":"toolu_1","name":"f","input":{}})")});
  nlohmann::json body = AssistantBody(blocks);
  body["messages"].push_back(J(R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1"}]})"));
  MessagesRequest request = MustConvert(body);
  EXPECT_EQ(Contents(request)[1]["parts"],
            J(R"([{"functionCall":{"name":"f","args":{}},"thoughtSignature":"c2ln"}])"));
}

TEST(SignatureReplayTest, NextSignatureGoesOnFollowingText) {
  MessagesRequest request = MustConvert(
      AssistantBody(nlohmann::json::array({Thinking(SignatureAnchor::kNext, "s1"), J(R"({"type":"text","text":""})"),
                                           J(R"({"type":"text","text":"answer"})")})));
  EXPECT_EQ(Contents(request)[1]["parts"], J(R"([{"text":"answer","thoughtSignature":"s1"}])"));
}

TEST(SignatureReplayTest, PreviousSignatureGoesOnTheLastPartOfThisMessage) {
  MessagesRequest request = MustConvert(AssistantBody(nlohmann::json::array(
      {J(R"({"type":"text","text":"a"})"), J(R"({"type":"text","text":"b"})"), Thinking(SignatureAnchor::kPrevious, "p")})));
  EXPECT_EQ(Contents(request)[1]["parts"], J(R"([{"text":"a"},{"text":"b","thoughtSignature":"p"}])"));
  // Nothing before it in this message: dropped.
  MessagesRequest first = MustConvert(AssistantBody(
      nlohmann::json::array({Thinking(SignatureAnchor::kPrevious, "p"), J(R"({"type":"text","text":"a"})")})));
  EXPECT_EQ(Contents(first)[1]["parts"], J(R"([{"text":"a"}])"));
}

TEST(SignatureReplayTest, OwnSignatureIsAThoughtPart) {
  MessagesRequest request = MustConvert(AssistantBody(nlohmann::json::array(
      {Thinking(SignatureAnchor::kOwn, "o", "I reasoned"), J(R"({"type":"text","text":"a"})")})));
  EXPECT_EQ(Contents(request)[1]["parts"],
            J(R"([{"text":"I reasoned","thought":true,"thoughtSignature":"o"},{"text":"a"}])"));
}

TEST(SignatureReplayTest, UntaggedAndRedactedThinkingAreDropped) {
  MessagesRequest request = MustConvert(AssistantBody(J(R"([
      {"type":"thinking","thinking":"claude thoughts","signature":"EqQBCkgIARABGAIiQ..."},
      {"type":"redacted_thinking","data":"xyz"},{"type":"text","text":"a"}])")));
  EXPECT_EQ(Contents(request)[1]["parts"], J(R"([{"text":"a"}])"));
  EXPECT_TRUE(request.gemini.warnings.empty());
}

TEST(SignatureReplayTest, Gemini3CallWithoutSignatureGetsTheSkipValue) {
  nlohmann::json body = AssistantBody(J(R"([{"type":"tool_use","id":"toolu_1","name":"f","input":{}},
      {"type":"tool_use","id":"toolu_2","name":"f","input":{}}])"),
                                      "gemini-3-pro-preview");
  body["messages"].push_back(J(R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1"},
      {"type":"tool_result","tool_use_id":"toolu_2"}]})"));
  MessagesRequest request = MustConvert(body);
  EXPECT_EQ(Contents(request)[1]["parts"][0]["thoughtSignature"], "skip_thought_signature_validator");
  EXPECT_FALSE(Contents(request)[1]["parts"][1].contains("thoughtSignature"));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("validator skip value")));

  openai::ConversionOptions no_fill = PlainOptions();
  no_fill.fill_missing_thought_signatures = false;
  MessagesRequest unfilled = MustConvert(body, no_fill);
  EXPECT_FALSE(Contents(unfilled)[1]["parts"][0].contains("thoughtSignature"));
}

TEST(SignatureReplayTest, Gemini25CallsAreNotFilled) {
  nlohmann::json body = AssistantBody(J(R"([{"type":"tool_use","id":"toolu_1","name":"f","input":{}}])"));
  body["messages"].push_back(J(R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1"}]})"));
  MessagesRequest request = MustConvert(body);
  EXPECT_FALSE(Contents(request)[1]["parts"][0].contains("thoughtSignature"));
}

}  // namespace
}  // namespace gempool::anthropic
