// Roles and content parts: protocol.md §5 request rows for system/developer,
// user, assistant, tool, text, image_url, input_audio and file.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/openai/errors.h"
#include "gempool/openai/request_converter.h"
#include "gempool/testing/status_matchers.h"
#include "test_json.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;
using testing::Chat;
using testing::J;
using testing::MustConvert;
using testing::PlainOptions;

TEST(MessageConverterTest, SystemAndDeveloperMessagesBecomeSystemInstruction) {
  GeminiRequest request = MustConvert(Chat(R"([
      {"role":"system","content":"be brief"},
      {"role":"developer","content":[{"type":"text","text":"answer in French"}]},
      {"role":"user","content":"hi"}])"),
                                      PlainOptions());
  EXPECT_EQ(request.body["systemInstruction"],
            J(R"({"parts":[{"text":"be brief"},{"text":"answer in French"}]})"));
  EXPECT_EQ(request.body["contents"], J(R"([{"role":"user","parts":[{"text":"hi"}]}])"));
}

TEST(MessageConverterTest, OnlySystemMessagesBecomeTheUserTurn) {
  GeminiRequest request = MustConvert(Chat(R"([{"role":"system","content":"say hello"}])"), PlainOptions());
  EXPECT_FALSE(request.body.contains("systemInstruction"));
  EXPECT_EQ(request.body["contents"], J(R"([{"role":"user","parts":[{"text":"say hello"}]}])"));
  EXPECT_THAT(request.warnings, ::testing::Contains(HasSubstr("only system/developer messages")));
}

TEST(MessageConverterTest, SystemMessageRejectsImageParts) {
  auto converted = ConvertChatRequest(
      Chat(R"([{"role":"system","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]},
               {"role":"user","content":"hi"}])"),
      PlainOptions());
  EXPECT_THAT(converted, StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("messages[0].content[0].type 'image_url' is not supported in "
                                            "system/developer messages")));
}

TEST(MessageConverterTest, UserStringBecomesTextPart) {
  GeminiRequest request = MustConvert(Chat(R"([{"role":"user","content":"hello"}])"), PlainOptions());
  EXPECT_EQ(request.body["contents"], J(R"([{"role":"user","parts":[{"text":"hello"}]}])"));
}

TEST(MessageConverterTest, AssistantBecomesModelWithTextAndFunctionCalls) {
  GeminiRequest request = MustConvert(Chat(R"([
      {"role":"user","content":"weather?"},
      {"role":"assistant","content":"Let me check.","tool_calls":[
        {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
         "extra_content":{"google":{"thought_signature":"c2ln"}}}]},
      {"role":"tool","tool_call_id":"call_1","content":"{\"temp\":21}"}])"),
                                      PlainOptions());
  const auto& contents = request.body["contents"];
  ASSERT_EQ(contents.size(), 3u);
  // Text and tool calls both survive (gemini-balance dropped the calls).
  EXPECT_EQ(contents[1], J(R"({"role":"model","parts":[
      {"text":"Let me check."},
      {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"c2ln"}]})"));
  EXPECT_EQ(contents[2], J(R"({"role":"user","parts":[
      {"functionResponse":{"name":"get_weather","response":{"temp":21}}}]})"));
}

TEST(MessageConverterTest, ToolResultsAreGroupedInOneTurnInCallOrder) {
  GeminiRequest request = MustConvert(Chat(R"([
      {"role":"user","content":"two things"},
      {"role":"assistant","content":null,"tool_calls":[
        {"id":"a","type":"function","function":{"name":"first","arguments":"{}"}},
        {"id":"b","type":"function","function":{"name":"second","arguments":""}}]},
      {"role":"tool","tool_call_id":"b","content":"plain text"},
      {"role":"tool","tool_call_id":"a","content":"[1,2]"},
      {"role":"user","content":"thanks"}])"),
                                      PlainOptions());
  const auto& contents = request.body["contents"];
  ASSERT_EQ(contents.size(), 4u);
  EXPECT_EQ(contents[1]["parts"][1], J(R"({"functionCall":{"name":"second","args":{}}})"));
  EXPECT_EQ(contents[2], J(R"({"role":"user","parts":[
      {"functionResponse":{"name":"first","response":{"output":[1,2]}}},
      {"functionResponse":{"name":"second","response":{"output":"plain text"}}}]})"));
  EXPECT_EQ(contents[3], J(R"({"role":"user","parts":[{"text":"thanks"}]})"));
}

TEST(MessageConverterTest, ToolResultAsTextPartsIsJoined) {
  GeminiRequest request = MustConvert(Chat(R"([
      {"role":"user","content":"x"},
      {"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"c","content":[{"type":"text","text":"{\"ok\":"},{"type":"text","text":"true}"}]}])"),
                                      PlainOptions());
  EXPECT_EQ(request.body["contents"][2]["parts"][0]["functionResponse"]["response"], J(R"({"ok":true})"));
}

TEST(MessageConverterTest, ToolResultWithUnknownIdIsRejected) {
  auto converted = ConvertChatRequest(Chat(R"([
      {"role":"user","content":"x"},
      {"role":"tool","tool_call_id":"nope","content":"1"}])"),
                                      PlainOptions());
  EXPECT_THAT(converted, StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("messages[1].tool_call_id 'nope' matches no tool_calls[].id")));
  EXPECT_EQ(ErrorParam(converted.status()), "messages[1].tool_call_id");
}

TEST(MessageConverterTest, ToolCallArgumentsMustBeJsonObjects) {
  auto converted = ConvertChatRequest(Chat(R"([
      {"role":"user","content":"x"},
      {"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{oops"}}]}])"),
                                      PlainOptions());
  EXPECT_THAT(converted, StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("messages[1].tool_calls[0].function.arguments is not valid JSON")));
}

TEST(MessageConverterTest, Gemini3ToolCallWithoutSignatureGetsTheSkipValue) {
  GeminiRequest request = MustConvert(Chat(R"([
      {"role":"user","content":"x"},
      {"role":"assistant","tool_calls":[
        {"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}},
        {"id":"c2","type":"function","function":{"name":"g","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"c1","content":"1"},
      {"role":"tool","tool_call_id":"c2","content":"2"}])",
                                           "gemini-3-pro-preview"),
                                      PlainOptions());
  const auto& parts = request.body["contents"][1]["parts"];
  EXPECT_EQ(parts[0]["thoughtSignature"], "skip_thought_signature_validator");
  EXPECT_FALSE(parts[1].contains("thoughtSignature"));  // only the first call of a step carries it
  EXPECT_THAT(request.warnings, ::testing::Contains(HasSubstr("thought_signature")));
}

TEST(MessageConverterTest, Gemini25ToolCallWithoutSignatureIsLeftAlone) {
  GeminiRequest request = MustConvert(Chat(R"([
      {"role":"user","content":"x"},
      {"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"c1","content":"1"}])"),
                                      PlainOptions());
  EXPECT_FALSE(request.body["contents"][1]["parts"][0].contains("thoughtSignature"));
}

TEST(MessageConverterTest, AssistantTextSignatureGoesOnItsTextPart) {
  GeminiRequest request = MustConvert(Chat(R"([
      {"role":"user","content":"x"},
      {"role":"assistant","content":"answer","extra_content":{"google":{"thought_signature":"dGV4dA=="}}},
      {"role":"user","content":"more"}])"),
                                      PlainOptions());
  EXPECT_EQ(request.body["contents"][1]["parts"][0], J(R"({"text":"answer","thoughtSignature":"dGV4dA=="})"));
}

TEST(MessageConverterTest, ImageDataUrlBecomesInlineData) {
  GeminiRequest request = MustConvert(Chat(R"([{"role":"user","content":[
      {"type":"text","text":"what is this?"},
      {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ","detail":"high"}}]}])"),
                                      PlainOptions());
  EXPECT_EQ(request.body["contents"][0]["parts"][1], J(R"({"inlineData":{"mimeType":"image/jpeg","data":"/9j/4AAQ"}})"));
  EXPECT_TRUE(request.fetches.empty());
  EXPECT_TRUE(request.Ready());
}

TEST(MessageConverterTest, RemoteImageIsListedForTheCallerToFetch) {
  GeminiRequest request = MustConvert(Chat(R"([{"role":"user","content":[
      {"type":"text","text":"look"},
      {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}])"),
                                      PlainOptions());
  ASSERT_EQ(request.fetches.size(), 1u);
  EXPECT_EQ(request.fetches[0].url, "https://example.com/cat.png");
  EXPECT_EQ(request.fetches[0].field, "messages[0].content[1].image_url.url");
  EXPECT_EQ(request.fetches[0].content_index, 0u);
  EXPECT_EQ(request.fetches[0].part_index, 1u);
  EXPECT_FALSE(request.Ready());
}

TEST(MessageConverterTest, RemoteImageIsRefusedWhenFetchingIsOff) {
  ConversionOptions options = PlainOptions();
  options.allow_remote_media = false;
  auto converted = ConvertChatRequest(
      Chat(R"([{"role":"user","content":[{"type":"image_url","image_url":{"url":"http://example.com/a.png"}}]}])"),
      options);
  EXPECT_THAT(converted, StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("messages[0].content[0].image_url.url is a remote URL")));
}

TEST(MessageConverterTest, FilesApiUriBecomesFileDataAndIsReported) {
  GeminiRequest request = MustConvert(Chat(R"([{"role":"user","content":[
      {"type":"image_url","image_url":{"url":"https://generativelanguage.googleapis.com/v1beta/files/abc123"}}]}])"),
                                      PlainOptions());
  EXPECT_EQ(request.body["contents"][0]["parts"][0],
            J(R"({"fileData":{"fileUri":"https://generativelanguage.googleapis.com/v1beta/files/abc123"}})"));
  EXPECT_EQ(request.file_names, std::vector<std::string>{"files/abc123"});
  EXPECT_TRUE(request.fetches.empty());
}

TEST(MessageConverterTest, UnknownImageSchemeIsRejected) {
  auto converted = ConvertChatRequest(
      Chat(R"([{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}])"),
      PlainOptions());
  EXPECT_THAT(converted, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unsupported scheme")));
}

TEST(MessageConverterTest, InputAudioBecomesInlineData) {
  GeminiRequest request = MustConvert(Chat(R"([{"role":"user","content":[
      {"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}},
      {"type":"input_audio","input_audio":{"data":"SUQz","format":"mp3"}}]}])"),
                                      PlainOptions());
  EXPECT_EQ(request.body["contents"][0]["parts"], J(R"([
      {"inlineData":{"mimeType":"audio/wav","data":"UklGRg=="}},
      {"inlineData":{"mimeType":"audio/mp3","data":"SUQz"}}])"));
}

TEST(MessageConverterTest, InputAudioWithUnknownFormatIsRejected) {
  auto converted = ConvertChatRequest(
      Chat(R"([{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAAA","format":"pcm16"}}]}])"),
      PlainOptions());
  EXPECT_THAT(converted, StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("messages[0].content[0].input_audio.format 'pcm16' is not supported")));
}

TEST(MessageConverterTest, FileDataUrlBecomesInlineData) {
  GeminiRequest request = MustConvert(Chat(R"([{"role":"user","content":[
      {"type":"file","file":{"filename":"r.pdf","file_data":"data:application/pdf;base64,JVBERi0="}}]}])"),
                                      PlainOptions());
  EXPECT_EQ(request.body["contents"][0]["parts"][0],
            J(R"({"inlineData":{"mimeType":"application/pdf","data":"JVBERi0="}})"));
}

TEST(MessageConverterTest, BareBase64FileTakesItsTypeFromTheFilename) {
  GeminiRequest request = MustConvert(Chat(R"([{"role":"user","content":[
      {"type":"file","file":{"filename":"notes.txt","file_data":"aGVsbG8="}}]}])"),
                                      PlainOptions());
  EXPECT_EQ(request.body["contents"][0]["parts"][0], J(R"({"inlineData":{"mimeType":"text/plain","data":"aGVsbG8="}})"));
}

TEST(MessageConverterTest, FilesApiFileIdBecomesFileData) {
  GeminiRequest request = MustConvert(Chat(R"([{"role":"user","content":[
      {"type":"file","file":{"file_id":"files/xyz","filename":"clip.mp4"}}]}])"),
                                      PlainOptions());
  EXPECT_EQ(request.body["contents"][0]["parts"][0],
            J(R"({"fileData":{"fileUri":"https://generativelanguage.googleapis.com/v1beta/files/xyz","mimeType":"video/mp4"}})"));
  EXPECT_EQ(request.file_names, std::vector<std::string>{"files/xyz"});
}

TEST(MessageConverterTest, OpenAIFileIdIsRejectedWithAnExplanation) {
  auto converted = ConvertChatRequest(
      Chat(R"([{"role":"user","content":[{"type":"file","file":{"file_id":"file-abc"}}]}])"), PlainOptions());
  EXPECT_THAT(converted, StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("messages[0].content[0].file.file_id 'file-abc' is not a Gemini Files API "
                                            "file")));
}

TEST(MessageConverterTest, UnsupportedPartTypeNamesTheField) {
  auto converted = ConvertChatRequest(Chat(R"([
      {"role":"user","content":"a"},{"role":"assistant","content":"b"},
      {"role":"user","content":[{"type":"video_url","video_url":{"url":"https://x/v.mp4"}}]}])"),
                                      PlainOptions());
  EXPECT_THAT(converted, StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("messages[2].content[0].type 'video_url' is not supported: ")));
  EXPECT_EQ(ErrorParam(converted.status()), "messages[2].content[0].type");
}

TEST(MessageConverterTest, EmptyMessagesAreSkippedWithAWarning) {
  GeminiRequest request = MustConvert(Chat(R"([
      {"role":"user","content":"hi"},{"role":"assistant","content":""},{"role":"user","content":"again"}])"),
                                      PlainOptions());
  EXPECT_EQ(request.body["contents"].size(), 2u);
  EXPECT_THAT(request.warnings, ::testing::Contains(HasSubstr("messages[1] has no content")));
}

TEST(MessageConverterTest, RejectsBadRolesAndShapes) {
  EXPECT_THAT(ConvertChatRequest(Chat(R"([{"role":"robot","content":"x"}])"), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("messages[0].role 'robot' is not a chat role")));
  EXPECT_THAT(ConvertChatRequest(Chat(R"([{"role":"function","name":"f","content":"x"}])"), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("deprecated function-calling API")));
  EXPECT_THAT(ConvertChatRequest(Chat(R"([])"), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("messages must contain at least one message")));
  EXPECT_THAT(ConvertChatRequest(Chat(R"("hello")"), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("messages must be an array")));
  EXPECT_THAT(ConvertChatRequest(Chat(R"([{"role":"user","content":""}])"), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("contains no content to send")));
  EXPECT_THAT(ConvertChatRequest(Chat(R"([{"role":"user","content":[]}])"), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("messages[0].content must not be an empty")));
  EXPECT_THAT(ConvertChatRequest(Chat(R"([{"role":"user","content":42}])"), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("got number")));
}

}  // namespace
}  // namespace gempool::openai
