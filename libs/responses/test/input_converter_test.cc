// Input items → Gemini contents, through ConvertResponsesRequest: messages by
// role, content parts, function calls and outputs, reasoning items.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/openai/errors.h"
#include "gempool/responses/reasoning_content.h"
#include "gempool/responses/request_converter.h"
#include "gempool/testing/status_matchers.h"
#include "test_util.h"

namespace gempool::responses {
namespace {

using gempool::testing::StatusIs;
using nlohmann::json;
using testing::Body;
using testing::J;
using testing::MustConvert;
using testing::ConversionStatus;
using testing::ErrorParamOf;
using testing::PlainOptions;
using ::testing::HasSubstr;

TEST(InputConverterTest, StringInputIsOneUserMessage) {
  ResponsesRequest request = MustConvert(Body("Hello"));
  EXPECT_EQ(request.gemini.body["contents"], J(R"([{"role":"user","parts":[{"text":"Hello"}]}])"));
  EXPECT_EQ(request.input_items,
            J(R"([{"type":"message","role":"user","content":[{"type":"input_text","text":"Hello"}]}])"));
}

TEST(InputConverterTest, RolesAndInstructions) {
  ResponsesRequest request = MustConvert(Body(J(R"([
      {"role":"developer","content":"dev rules"},
      {"role":"user","content":[{"type":"input_text","text":"q1"}]},
      {"type":"message","role":"assistant","content":[{"type":"output_text","text":"a1","annotations":[]}]},
      {"role":"system","content":[{"type":"input_text","text":"sys"}]},
      {"role":"user","content":"q2"},{"role":"user","content":"q3"}])"),
                                              R"({"instructions":"be brief"})"));
  EXPECT_EQ(request.gemini.body["systemInstruction"],
            J(R"({"parts":[{"text":"be brief"},{"text":"dev rules"},{"text":"sys"}]})"));
  EXPECT_EQ(request.gemini.body["contents"], J(R"([{"role":"user","parts":[{"text":"q1"}]},
      {"role":"model","parts":[{"text":"a1"}]},{"role":"user","parts":[{"text":"q2"},{"text":"q3"}]}])"));
  EXPECT_EQ(request.instructions, "be brief");
}

TEST(InputConverterTest, OnlyInstructionsBecomeTheUserTurn) {
  ResponsesRequest request = MustConvert(Body(J("[]"), R"({"instructions":"do it"})"));
  EXPECT_EQ(request.gemini.body["contents"], J(R"([{"role":"user","parts":[{"text":"do it"}]}])"));
  EXPECT_FALSE(request.gemini.body.contains("systemInstruction"));
  EXPECT_THAT(ConversionStatus(Body(J("[]"))), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(InputConverterTest, Images) {
  ResponsesRequest request = MustConvert(Body(J(R"([{"role":"user","content":[
      {"type":"input_text","text":"look"},
      {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo=","detail":"auto"},
      {"type":"input_image","image_url":"https://example.com/cat.jpg","detail":"high"}]}])")));
  EXPECT_EQ(request.gemini.body["contents"][0]["parts"], J(R"([{"text":"look"},
      {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},{"inlineData":{"mimeType":"","data":""}}])"));
  ASSERT_EQ(request.gemini.fetches.size(), 1u);
  EXPECT_EQ(request.gemini.fetches[0].url, "https://example.com/cat.jpg");
  EXPECT_EQ(request.gemini.fetches[0].field, "input[0].content[2].image_url");
  EXPECT_EQ(request.gemini.fetches[0].content_index, 0u);
  EXPECT_EQ(request.gemini.fetches[0].part_index, 2u);
  ASSERT_TRUE(openai::InlineFetchedMedia(request.gemini, 0, "image/jpeg", "\xff\xd8\xff\xe0").ok());
  EXPECT_TRUE(request.gemini.Ready());
}

TEST(InputConverterTest, RemoteMediaCanBeSwitchedOff) {
  openai::ConversionOptions options = PlainOptions();
  options.allow_remote_media = false;
  absl::Status status = ConvertResponsesRequest(
      Body(J(R"([{"role":"user","content":[{"type":"input_image","image_url":"https://e.com/a.png"}]}])")), options)
                            .status();
  EXPECT_EQ(ErrorParamOf(status), "input[0].content[0].image_url");
}

TEST(InputConverterTest, Files) {
  ResponsesRequest request = MustConvert(Body(J(R"([{"role":"user","content":[
      {"type":"input_file","filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0="},
      {"type":"input_file","filename":"notes.txt","file_data":"aGVsbG8="},
      {"type":"input_file","file_url":"https://example.com/d.pdf"}]}])")));
  EXPECT_EQ(request.gemini.body["contents"][0]["parts"], J(R"([
      {"inlineData":{"mimeType":"application/pdf","data":"JVBERi0="}},
      {"inlineData":{"mimeType":"text/plain","data":"aGVsbG8="}},
      {"inlineData":{"mimeType":"application/pdf","data":""}}])"));
  ASSERT_EQ(request.gemini.fetches.size(), 1u);
  EXPECT_EQ(request.gemini.fetches[0].part_index, 2u);
}

TEST(InputConverterTest, FilesApiReferencesAreRefused) {
  absl::Status status =
      ConversionStatus(Body(J(R"([{"role":"user","content":[{"type":"input_file","file_id":"file-abc"}]}])")));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Files API")));
  EXPECT_EQ(ErrorParamOf(status), "input[0].content[0].file_id");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body(J(R"([{"role":"user","content":[{"type":"input_image","file_id":"file-1"}]}])")))),
            "input[0].content[0].file_id");
}

TEST(InputConverterTest, BadPartsAndRolesNameTheField) {
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body(J(R"([{"role":"user","content":[{"type":"input_audio"}]}])")))),
            "input[0].content[0].type");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body(J(R"([{"role":"user","content":[{"type":"output_text","text":"x"}]}])")))),
            "input[0].content[0].type");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body(J(R"([{"role":"tool","content":"x"}])")))), "input[0].role");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body(J(R"([{"type":"item_reference","id":"msg_1"}])")))), "input[0].type");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body(J(R"([{"type":"custom_thing"}])")))), "input[0].type");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body(J(R"([3])")))), "input[0]");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body(42))), "input");
}

TEST(InputConverterTest, HostedToolHistoryIsDroppedWithAWarning) {
  ResponsesRequest request =
      MustConvert(Body(J(R"([{"role":"user","content":"q"},{"type":"web_search_call","id":"ws_1","status":"completed"}])")));
  EXPECT_EQ(request.gemini.body["contents"].size(), 1u);
  EXPECT_THAT(request.gemini.warnings, ::testing::Contains(HasSubstr("web_search_call")));
}

TEST(InputConverterTest, FunctionCallsAndOutputsPairByCallId) {
  ResponsesRequest request = MustConvert(Body(J(R"([
      {"role":"user","content":"weather?"},
      {"type":"function_call","call_id":"c1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
      {"type":"function_call","call_id":"c2","name":"get_time","arguments":""},
      {"type":"function_call_output","call_id":"c2","output":"noon"},
      {"type":"function_call_output","call_id":"c1","output":"{\"temp\":21}"},
      {"role":"user","content":"thanks"}])")));
  EXPECT_EQ(request.gemini.body["contents"], J(R"([
      {"role":"user","parts":[{"text":"weather?"}]},
      {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}},
                               {"functionCall":{"name":"get_time","args":{}}}]},
      {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"temp":21}}},
                              {"functionResponse":{"name":"get_time","response":{"output":"noon"}}},
                              {"text":"thanks"}]}])"));
}

TEST(InputConverterTest, OutputArraysSplitTextAndMedia) {
  ResponsesRequest request = MustConvert(Body(J(R"([
      {"type":"function_call","call_id":"c1","name":"shot","arguments":"{}"},
      {"type":"function_call_output","call_id":"c1","output":[{"type":"input_text","text":"a"},
        {"type":"input_image","image_url":"data:image/png;base64,AAAA"},{"type":"input_text","text":"b"}]}])")));
  EXPECT_EQ(request.gemini.body["contents"][1]["parts"], J(R"([
      {"functionResponse":{"name":"shot","response":{"output":"a\nb"}}},
      {"inlineData":{"mimeType":"image/png","data":"AAAA"}}])"));
}

TEST(InputConverterTest, PairingErrorsNameTheItem) {
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body(J(R"([{"type":"function_call_output","call_id":"nope","output":"x"}])")))),
            "input[0].call_id");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body(J(R"([{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
      {"role":"user","content":"no output"}])")))),
            "input[0]");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body(J(R"([{"type":"function_call","call_id":"c1","name":"f","arguments":"[1]"}])")))),
            "input[0].arguments");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body(J(R"([{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
      {"type":"function_call_output","call_id":"c1","output":"x"},
      {"type":"function_call_output","call_id":"c1","output":"y"}])")))),
            "input[2].call_id");
}

TEST(InputConverterTest, TrailingCallsAreDroppedWithAWarning) {
  ResponsesRequest request = MustConvert(Body(J(R"([{"role":"user","content":"q"},
      {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"}])")));
  EXPECT_EQ(request.gemini.body["contents"].size(), 1u);
  EXPECT_THAT(request.gemini.warnings, ::testing::Contains(HasSubstr("c1")));
}

TEST(InputConverterTest, ReasoningItemsGiveSignaturesBack) {
  json input = J(R"([{"role":"user","content":"q"},
      {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"thinking"}]},
      {"type":"reasoning","id":"rs_2","summary":[]},
      {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
      {"type":"function_call_output","call_id":"c1","output":"ok"},
      {"type":"message","role":"assistant","content":[{"type":"output_text","text":"done"}]},
      {"type":"reasoning","id":"rs_3","summary":[]},
      {"type":"reasoning","id":"rs_4","summary":[],"encrypted_content":"gAAAA-openai"}])");
  input[1]["encrypted_content"] = EncodeReasoningContent(SignatureAnchor::kOwn, "S_OWN");
  input[2]["encrypted_content"] = EncodeReasoningContent(SignatureAnchor::kNext, "S_CALL");
  input[6]["encrypted_content"] = EncodeReasoningContent(SignatureAnchor::kPrevious, "S_TEXT");
  ResponsesRequest request = MustConvert(Body(input, "{}", "gemini-3-pro-preview"));
  EXPECT_EQ(request.gemini.body["contents"], J(R"([
      {"role":"user","parts":[{"text":"q"}]},
      {"role":"model","parts":[{"text":"thinking","thought":true,"thoughtSignature":"S_OWN"},
        {"functionCall":{"name":"f","args":{}},"thoughtSignature":"S_CALL"}]},
      {"role":"user","parts":[{"functionResponse":{"name":"f","response":{"output":"ok"}}}]},
      {"role":"model","parts":[{"text":"done","thoughtSignature":"S_TEXT"}]}])"));
  EXPECT_TRUE(request.gemini.warnings.empty());
}

TEST(InputConverterTest, Gemini3CallsWithoutSignatureGetTheSkipValue) {
  json input = J(R"([{"role":"user","content":"q"},
      {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
      {"type":"function_call_output","call_id":"c1","output":"ok"}])");
  ResponsesRequest request = MustConvert(Body(input, "{}", "gemini-3-flash-preview"));
  EXPECT_EQ(request.gemini.body["contents"][1]["parts"][0]["thoughtSignature"], "skip_thought_signature_validator");
  EXPECT_THAT(request.gemini.warnings, ::testing::Contains(HasSubstr("reasoning.encrypted_content")));
  ResponsesRequest older = MustConvert(Body(input));
  EXPECT_FALSE(older.gemini.body["contents"][1]["parts"][0].contains("thoughtSignature"));
}

}  // namespace
}  // namespace gempool::responses
