// Top-level request fields: protocol.md §5 rows for model, stream, sampling,
// stop, n, penalties, logprobs, response_format, modalities, cached content,
// safety settings; unsupported fields; fetched media.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/openai/errors.h"
#include "gempool/openai/request_converter.h"
#include "gempool/testing/status_matchers.h"
#include "test_json.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::IsOk;
using ::gempool::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using testing::Chat;
using testing::J;
using testing::MustConvert;
using testing::PlainOptions;

nlohmann::json Hello(nlohmann::json extra) {
  nlohmann::json body = Chat(R"([{"role":"user","content":"hi"}])");
  for (auto& [key, value] : extra.items()) body[key] = value;
  return body;
}

TEST(RequestConverterTest, ModelsPrefixIsStripped) {
  GeminiRequest request = MustConvert(Hello(J(R"({"model":"models/gemini-2.5-flash"})")), PlainOptions());
  EXPECT_EQ(request.model.upstream, "gemini-2.5-flash");
  EXPECT_EQ(request.model.requested, "gemini-2.5-flash");
}

TEST(RequestConverterTest, StreamAndIncludeUsage) {
  GeminiRequest plain = MustConvert(Hello(J("{}")), PlainOptions());
  EXPECT_FALSE(plain.stream);
  EXPECT_FALSE(plain.include_usage);
  GeminiRequest stream =
      MustConvert(Hello(J(R"({"stream":true,"stream_options":{"include_usage":true}})")), PlainOptions());
  EXPECT_TRUE(stream.stream);
  EXPECT_TRUE(stream.include_usage);
  // include_usage means nothing without a stream.
  GeminiRequest no_stream = MustConvert(Hello(J(R"({"stream_options":{"include_usage":true}})")), PlainOptions());
  EXPECT_FALSE(no_stream.include_usage);
}

TEST(RequestConverterTest, SamplingFieldsMapToGenerationConfig) {
  GeminiRequest request = MustConvert(Hello(J(R"({
      "temperature":0.3,"top_p":0.9,"top_k":40,"max_completion_tokens":256,"max_tokens":99,
      "stop":["END","STOP"],"n":2,"seed":7,"presence_penalty":0.5,"frequency_penalty":-0.5})")),
                                      PlainOptions());
  EXPECT_EQ(request.body["generationConfig"], J(R"({
      "temperature":0.3,"topP":0.9,"topK":40,"maxOutputTokens":256,"stopSequences":["END","STOP"],
      "candidateCount":2,"seed":7,"presencePenalty":0.5,"frequencyPenalty":-0.5})"));
}

TEST(RequestConverterTest, MaxTokensIsUsedWithoutMaxCompletionTokens) {
  GeminiRequest request = MustConvert(Hello(J(R"({"max_tokens":64})")), PlainOptions());
  EXPECT_EQ(request.body["generationConfig"]["maxOutputTokens"], 64);
}

TEST(RequestConverterTest, StopStringBecomesAList) {
  GeminiRequest request = MustConvert(Hello(J(R"({"stop":"\n\n"})")), PlainOptions());
  EXPECT_EQ(request.body["generationConfig"]["stopSequences"], J(R"(["\n\n"])"));
}

TEST(RequestConverterTest, NullFieldsCountAsAbsent) {
  GeminiRequest request = MustConvert(
      Hello(J(R"({"temperature":null,"stop":null,"tools":null,"tool_choice":null,"response_format":null})")),
      PlainOptions());
  EXPECT_FALSE(request.body.contains("generationConfig"));
  EXPECT_FALSE(request.body.contains("tools"));
  EXPECT_TRUE(request.warnings.empty());
}

TEST(RequestConverterTest, RejectsOutOfRangeAndMistypedValues) {
  EXPECT_THAT(ConvertChatRequest(Hello(J(R"({"temperature":3})")), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("temperature must be between 0 and 2")));
  EXPECT_THAT(ConvertChatRequest(Hello(J(R"({"temperature":"hot"})")), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("temperature must be a number, got string")));
  EXPECT_THAT(ConvertChatRequest(Hello(J(R"({"max_tokens":0})")), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_tokens must be between 1")));
  EXPECT_THAT(ConvertChatRequest(Hello(J(R"({"n":1.5})")), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("n must be an integer")));
  EXPECT_THAT(ConvertChatRequest(Hello(J(R"({"stop":["a","b","c","d","e","f"]})")), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Gemini accepts at most 5")));
  EXPECT_THAT(ConvertChatRequest(Hello(J(R"({"top_logprobs":3})")), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("top_logprobs requires logprobs: true")));
}

TEST(RequestConverterTest, LogprobsMapToResponseLogprobs) {
  GeminiRequest request = MustConvert(Hello(J(R"({"logprobs":true,"top_logprobs":3})")), PlainOptions());
  EXPECT_EQ(request.body["generationConfig"]["responseLogprobs"], true);
  EXPECT_EQ(request.body["generationConfig"]["logprobs"], 3);
}

TEST(RequestConverterTest, ResponseFormatJsonObject) {
  GeminiRequest request = MustConvert(Hello(J(R"({"response_format":{"type":"json_object"}})")), PlainOptions());
  EXPECT_EQ(request.body["generationConfig"], J(R"({"responseMimeType":"application/json"})"));
}

TEST(RequestConverterTest, ResponseFormatJsonSchemaBecomesResponseJsonSchema) {
  GeminiRequest request = MustConvert(Hello(J(R"({"response_format":{"type":"json_schema","json_schema":{
      "name":"person","strict":true,"schema":{"$schema":"https://json-schema.org/draft/2020-12/schema",
      "type":"object","properties":{"name":{"type":"string"},"age":{"type":["integer","null"]}},
      "required":["name","age"],"additionalProperties":false}}}})")),
                                      PlainOptions());
  EXPECT_EQ(request.body["generationConfig"], J(R"({"responseMimeType":"application/json","responseJsonSchema":{
      "type":"object","properties":{"name":{"type":"string"},"age":{"type":["integer","null"]}},
      "required":["name","age"],"additionalProperties":false}})"));
}

TEST(RequestConverterTest, ResponseFormatInOpenApiDialectBecomesResponseSchema) {
  ConversionOptions options = PlainOptions();
  options.schema_dialect = SchemaDialect::kOpenApiSubset;
  GeminiRequest request = MustConvert(Hello(J(R"({"response_format":{"type":"json_schema","json_schema":{
      "name":"x","schema":{"type":"object","properties":{"n":{"type":"integer"}},"additionalProperties":false}}}})")),
                                      options);
  EXPECT_EQ(request.body["generationConfig"]["responseSchema"],
            J(R"({"type":"OBJECT","properties":{"n":{"type":"INTEGER"}}})"));
  EXPECT_THAT(request.warnings, Contains(HasSubstr("additionalProperties")));
}

TEST(RequestConverterTest, ResponseFormatTextAddsNothingAndUnknownIsRejected) {
  GeminiRequest request = MustConvert(Hello(J(R"({"response_format":{"type":"text"}})")), PlainOptions());
  EXPECT_FALSE(request.body.contains("generationConfig"));
  EXPECT_THAT(ConvertChatRequest(Hello(J(R"({"response_format":{"type":"yaml"}})")), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("response_format.type 'yaml'")));
}

TEST(RequestConverterTest, ImageModalityAndImageModels) {
  GeminiRequest request = MustConvert(Hello(J(R"({"modalities":["text","image"]})")), PlainOptions());
  EXPECT_EQ(request.body["generationConfig"]["responseModalities"], J(R"(["TEXT","IMAGE"])"));

  ConversionOptions options = PlainOptions();
  options.image_models = {"gemini-2.0-flash-exp"};
  GeminiRequest derived = MustConvert(Hello(J(R"({"model":"gemini-2.0-flash-exp-image"})")), options);
  EXPECT_EQ(derived.model.upstream, "gemini-2.0-flash-exp");
  EXPECT_EQ(derived.body["generationConfig"]["responseModalities"], J(R"(["TEXT","IMAGE"])"));
}

TEST(RequestConverterTest, AudioOutputIsRejected) {
  EXPECT_THAT(ConvertChatRequest(Hello(J(R"({"audio":{"voice":"alloy","format":"wav"}})")), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("audio output is not supported")));
  EXPECT_THAT(ConvertChatRequest(Hello(J(R"({"modalities":["text","audio"]})")), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("modalities[1] 'audio' output")));
}

TEST(RequestConverterTest, HintFieldsAndUnknownFieldsAreWarnedAbout) {
  GeminiRequest request = MustConvert(Hello(J(R"({"parallel_tool_calls":false,"logit_bias":{"50256":-100},
      "user":"u1","metadata":{"a":"b"},"service_tier":"flex","verbosity":"low","frobnicate":1,
      "store":false,"safety_identifier":"s"})")),
                                      PlainOptions());
  EXPECT_THAT(request.warnings, Contains(HasSubstr("parallel_tool_calls: false")));
  EXPECT_THAT(request.warnings, Contains(HasSubstr("logit_bias")));
  EXPECT_THAT(request.warnings, Contains(HasSubstr("service_tier \"flex\"")));
  EXPECT_THAT(request.warnings, Contains(HasSubstr("verbosity")));
  EXPECT_THAT(request.warnings, Contains(HasSubstr("unknown field 'frobnicate'")));
  EXPECT_EQ(request.warnings.size(), 5u) << "user, metadata, store:false and safety_identifier are silent";
}

TEST(RequestConverterTest, CachedContentFromExtraBody) {
  GeminiRequest request = MustConvert(
      Hello(J(R"({"extra_body":{"google":{"cached_content":"cachedContents/abc"}}})")), PlainOptions());
  EXPECT_EQ(request.body["cachedContent"], "cachedContents/abc");
  EXPECT_EQ(request.cached_content, "cachedContents/abc");
  EXPECT_THAT(ConvertChatRequest(Hello(J(R"({"google":{"cached_content":"abc"}})")), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("google.cached_content must be a string")));
}

TEST(RequestConverterTest, SameGoogleSettingTwiceIsRejected) {
  EXPECT_THAT(ConvertChatRequest(Hello(J(R"({"extra_body":{"google":{"cached_content":"cachedContents/a"}},
                                              "google":{"cached_content":"cachedContents/b"}})")),
                                 PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is also given as extra_body.google")));
}

TEST(RequestConverterTest, ConfiguredSafetySettingsApplyOnlyWhenTheClientSetNone) {
  ConversionOptions options = PlainOptions();
  options.safety_settings = J(R"([{"category":"HARM_CATEGORY_HARASSMENT","threshold":"OFF"}])");
  GeminiRequest defaulted = MustConvert(Hello(J("{}")), options);
  EXPECT_EQ(defaulted.body["safetySettings"], options.safety_settings);

  GeminiRequest client = MustConvert(
      Hello(J(R"({"extra_body":{"google":{"safety_settings":[
          {"category":"HARM_CATEGORY_HATE_SPEECH","threshold":"BLOCK_ONLY_HIGH"}]}}})")),
      options);
  EXPECT_EQ(client.body["safetySettings"],
            J(R"([{"category":"HARM_CATEGORY_HATE_SPEECH","threshold":"BLOCK_ONLY_HIGH"}])"));
}

TEST(RequestConverterTest, RejectsMissingModelAndNonObjectBodies) {
  EXPECT_THAT(ConvertChatRequest(J(R"({"messages":[{"role":"user","content":"x"}]})"), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model is required")));
  EXPECT_THAT(ConvertChatRequest(J(R"({"model":"gemini-2.5-flash"})"), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("messages is required")));
  EXPECT_THAT(ConvertChatRequest(J("[1]"), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must be a JSON object")));
}

TEST(RequestConverterTest, FilteredModelIsNotFound) {
  ConversionOptions options = PlainOptions();
  options.filtered_models = {"gemini-1.0-pro-vision-latest"};
  auto converted = ConvertChatRequest(Hello(J(R"({"model":"gemini-1.0-pro-vision-latest"})")), options);
  EXPECT_THAT(converted, StatusIs(absl::StatusCode::kNotFound, HasSubstr("FILTERED_MODELS")));
  EXPECT_EQ(OpenAIErrorFromStatus(converted.status()).http_status, 404);
}

TEST(RequestConverterTest, InlineFetchedMediaFillsThePlaceholder) {
  GeminiRequest request = MustConvert(Chat(R"([{"role":"user","content":[
      {"type":"image_url","image_url":{"url":"https://example.com/a"}},
      {"type":"image_url","image_url":"https://example.com/b"}]}])"),
                                      PlainOptions());
  ASSERT_EQ(request.fetches.size(), 2u);
  EXPECT_THAT(InlineFetchedMedia(request, 0, "image/webp; charset=binary", "RIFF....WEBP"), IsOk());
  // A generic content type is sniffed from the bytes.
  EXPECT_THAT(InlineFetchedMedia(request, 1, "application/octet-stream", std::string("\x89PNG\r\n\x1a\n", 8)), IsOk());
  EXPECT_TRUE(request.Ready());
  const auto& parts = request.body["contents"][0]["parts"];
  EXPECT_EQ(parts[0], J(R"({"inlineData":{"mimeType":"image/webp","data":"UklGRi4uLi5XRUJQ"}})"));
  EXPECT_EQ(parts[1]["inlineData"]["mimeType"], "image/png");
}

TEST(RequestConverterTest, InlineFetchedMediaRejectsNonImages) {
  GeminiRequest request = MustConvert(
      Chat(R"([{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a"}}]}])"),
      PlainOptions());
  EXPECT_THAT(InlineFetchedMedia(request, 0, "text/html", "<html></html>"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("messages[0].content[0].image_url.url 'https://example.com/a' returned text/html")));
  EXPECT_THAT(InlineFetchedMedia(request, 0, "image/png", ""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(InlineFetchedMedia(request, 3, "image/png", "x"), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_FALSE(request.Ready());
}

// A placeholder with mimeType application/pdf (the Anthropic route's URL
// documents) takes a PDF, recognised by its Content-Type or its magic bytes.
TEST(RequestConverterTest, InlineFetchedMediaFillsAPdfPlaceholder) {
  GeminiRequest request;
  request.body = J(R"({"contents":[{"role":"user","parts":[{"inlineData":{"mimeType":"application/pdf","data":""}},
                                                            {"inlineData":{"mimeType":"application/pdf","data":""}}]}]})");
  request.fetches.resize(2);
  request.fetches[0].url = "https://example.com/a.pdf";
  request.fetches[0].field = "messages[0].content[0].source.url";
  request.fetches[1] = request.fetches[0];
  request.fetches[1].part_index = 1;
  EXPECT_THAT(InlineFetchedMedia(request, 0, "application/pdf", "%PDF-1.7 x"), IsOk());
  EXPECT_THAT(InlineFetchedMedia(request, 1, "application/octet-stream", "%PDF-1.4 y"), IsOk());
  EXPECT_TRUE(request.Ready());
  EXPECT_EQ(request.body["contents"][0]["parts"][0],
            J(R"({"inlineData":{"mimeType":"application/pdf","data":"JVBERi0xLjcgeA=="}})"));
  EXPECT_EQ(request.body["contents"][0]["parts"][1]["inlineData"]["mimeType"], "application/pdf");
}

TEST(RequestConverterTest, InlineFetchedMediaRejectsAnImageForAPdfPlaceholder) {
  GeminiRequest request;
  request.body = J(R"({"contents":[{"role":"user","parts":[{"inlineData":{"mimeType":"application/pdf","data":""}}]}]})");
  request.fetches.resize(1);
  request.fetches[0].url = "https://example.com/a.pdf";
  request.fetches[0].field = "messages[0].content[0].source.url";
  EXPECT_THAT(InlineFetchedMedia(request, 0, "image/png", std::string("\x89PNG\r\n\x1a\n", 8)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("messages[0].content[0].source.url 'https://example.com/a.pdf' returned image/png "
                                 "that is not a PDF")));
  EXPECT_FALSE(request.Ready());
}

}  // namespace
}  // namespace gempool::openai
