// ConvertMessagesRequest's top level: model mapping, generation fields,
// metadata, ignored fields, count_tokens, and a Claude Code request.

#include "gempool/anthropic/request_converter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/openai/errors.h"
#include "gempool/testing/status_matchers.h"
#include "request_test_util.h"

namespace gempool::anthropic {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::Body;
using testing::ConvertStatus;
using testing::J;
using testing::MustConvert;
using testing::PlainOptions;

constexpr char kHello[] = R"([{"role":"user","content":"hi"}])";

nlohmann::json GenerationConfig(const MessagesRequest& request) {
  return request.gemini.body.value("generationConfig", nlohmann::json());
}

TEST(RequestConverterTest, MinimalRequest) {
  MessagesRequest request = MustConvert(Body(kHello));
  EXPECT_EQ(request.gemini.body, J(R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}],
      "generationConfig":{"maxOutputTokens":1024}})"));
  EXPECT_FALSE(request.gemini.stream);
  EXPECT_FALSE(request.thinking);
  EXPECT_EQ(request.text_bytes, 2u);
  EXPECT_THAT(request.gemini.warnings, IsEmpty());
}

TEST(RequestConverterTest, BodyMustBeAnObject) {
  EXPECT_THAT(ConvertStatus(J("[1]")), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("JSON object")));
}

TEST(RequestConverterTest, ClaudeModelIsMappedAndEchoed) {
  MessagesRequest request = MustConvert(Body(kHello, "{}", "claude-sonnet-4-6"));
  EXPECT_EQ(request.gemini.model.requested, "claude-sonnet-4-6");
  EXPECT_EQ(request.gemini.model.upstream, "gemini-2.5-pro");
  MessagesRequest haiku = MustConvert(Body(kHello, "{}", "claude-haiku-4-5-20251001"));
  EXPECT_EQ(haiku.gemini.model.upstream, "gemini-2.5-flash");
}

TEST(RequestConverterTest, UnmappedModelIsUsedAsGiven) {
  MessagesRequest request = MustConvert(Body(kHello, "{}", "models/gemini-3-flash-preview"));
  EXPECT_EQ(request.gemini.model.requested, "gemini-3-flash-preview");
  EXPECT_EQ(request.gemini.model.upstream, "gemini-3-flash-preview");
}

TEST(RequestConverterTest, MappedModelGoesThroughDerivedIdsAndFilters) {
  auto map = ModelMap::Parse(R"({"claude-*":"gemini-2.5-flash-search"})");
  ASSERT_TRUE(map.ok());
  openai::ConversionOptions options = PlainOptions();
  options.search_models = {"gemini-2.5-flash"};
  MessagesRequest request = MustConvert(Body(kHello, "{}", "claude-opus-4-8"), options, RequestKind::kMessages, *map);
  EXPECT_EQ(request.gemini.model.requested, "claude-opus-4-8");
  EXPECT_EQ(request.gemini.model.upstream, "gemini-2.5-flash");
  EXPECT_EQ(request.gemini.body["tools"], J(R"([{"googleSearch":{}}])"));

  options.filtered_models = {"gemini-2.5-pro"};
  auto filtered = ConvertMessagesRequest(Body(kHello, "{}", "claude-opus-4-8"), RequestKind::kMessages, options,
                                         ModelMap::Default());
  EXPECT_THAT(filtered, StatusIs(absl::StatusCode::kNotFound, HasSubstr("FILTERED_MODELS")));
}

TEST(RequestConverterTest, ModelIsRequired) {
  nlohmann::json body = Body(kHello);
  body.erase("model");
  absl::Status status = ConvertStatus(body);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model is required")));
  EXPECT_EQ(openai::ErrorParam(status), "model");
}

TEST(RequestConverterTest, MaxTokensIsRequiredAndPositive) {
  nlohmann::json body = Body(kHello);
  body.erase("max_tokens");
  EXPECT_THAT(ConvertStatus(body), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_tokens is required")));
  body["max_tokens"] = 0;
  EXPECT_THAT(ConvertStatus(body), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("warms the prompt cache")));
  body["max_tokens"] = -5;
  EXPECT_THAT(ConvertStatus(body), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_tokens")));
  body["max_tokens"] = "100";
  EXPECT_THAT(ConvertStatus(body), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_tokens")));
}

TEST(RequestConverterTest, MaxTokensIsClampedToTheModelLimit) {
  MessagesRequest request = MustConvert(Body(kHello, R"({"max_tokens":128000})", "gemini-2.5-pro"));
  EXPECT_EQ(GenerationConfig(request)["maxOutputTokens"], 65536);
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("max_tokens 128000 is above")));
  MessagesRequest legacy = MustConvert(Body(kHello, R"({"max_tokens":10000})", "gemini-2.0-flash"));
  EXPECT_EQ(GenerationConfig(legacy)["maxOutputTokens"], 8192);
  MessagesRequest three = MustConvert(Body(kHello, R"({"max_tokens":65536})", "gemini-3-pro-preview"));
  EXPECT_EQ(GenerationConfig(three)["maxOutputTokens"], 65536);
  EXPECT_THAT(three.gemini.warnings, IsEmpty());
}

TEST(RequestConverterTest, SamplingFields) {
  MessagesRequest request = MustConvert(Body(kHello, R"({"temperature":1.5,"top_p":0.9,"top_k":40})"));
  EXPECT_EQ(GenerationConfig(request), J(R"({"maxOutputTokens":1024,"temperature":1.5,"topP":0.9,"topK":40})"));
  EXPECT_THAT(ConvertStatus(Body(kHello, R"({"temperature":2.5})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("temperature must be between 0 and 2")));
  EXPECT_THAT(ConvertStatus(Body(kHello, R"({"top_p":1.5})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("top_p")));
  EXPECT_THAT(ConvertStatus(Body(kHello, R"({"top_k":2.5})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("top_k must be an integer")));
}

TEST(RequestConverterTest, StopSequences) {
  MessagesRequest request = MustConvert(Body(kHello, R"({"stop_sequences":["END",""]})"));
  EXPECT_EQ(GenerationConfig(request)["stopSequences"], J(R"(["END"])"));
  EXPECT_THAT(ConvertStatus(Body(kHello, R"({"stop_sequences":["a","b","c","d","e","f"]})")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("stop_sequences has 6 sequences; Gemini accepts at most 5")));
  EXPECT_THAT(ConvertStatus(Body(kHello, R"({"stop_sequences":["a",1]})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stop_sequences[1] must be a string")));
  EXPECT_THAT(ConvertStatus(Body(kHello, R"({"stop_sequences":"a"})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stop_sequences must be an array")));
}

TEST(RequestConverterTest, JsonSchemaOutputFormat) {
  MessagesRequest request = MustConvert(Body(kHello, R"({"output_config":{"format":{"type":"json_schema",
      "schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}}}})"));
  EXPECT_EQ(GenerationConfig(request)["responseMimeType"], "application/json");
  EXPECT_EQ(GenerationConfig(request)["responseJsonSchema"],
            J(R"({"type":"object","properties":{"a":{"type":"string"}},"required":["a"]})"));
  EXPECT_THAT(ConvertStatus(Body(kHello, R"({"output_config":{"format":{"type":"regex"}}})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("output_config.format.type 'regex'")));
  EXPECT_THAT(ConvertStatus(Body(kHello, R"({"output_config":{"format":{"type":"json_schema"}}})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("output_config.format.schema is required")));
}

TEST(RequestConverterTest, StreamMetadataAndSafety) {
  openai::ConversionOptions options = PlainOptions();
  options.safety_settings = J(R"([{"category":"HARM_CATEGORY_HARASSMENT","threshold":"OFF"}])");
  MessagesRequest request =
      MustConvert(Body(kHello, R"({"stream":true,"metadata":{"user_id":"u-1"}})"), options);
  EXPECT_TRUE(request.gemini.stream);
  EXPECT_EQ(request.user_id, "u-1");
  EXPECT_EQ(request.gemini.body["safetySettings"], options.safety_settings);
  EXPECT_THAT(ConvertStatus(Body(kHello, R"({"stream":"yes"})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stream must be a boolean")));
}

TEST(RequestConverterTest, IgnoredFields) {
  MessagesRequest request = MustConvert(Body(kHello, R"({"cache_control":{"type":"ephemeral"},
      "service_tier":"auto","context_management":{"edits":[]},"inference_geo":"us",
      "mcp_servers":[{"type":"url","url":"https://mcp.example.com"}],"container":"c1","frobnicate":1})"));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("mcp_servers")));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("container")));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("unknown field 'frobnicate'")));
  EXPECT_EQ(request.gemini.warnings.size(), 3u);
}

TEST(RequestConverterTest, CountTokensNeedsNoMaxTokensAndKeepsOnlyCountableFields) {
  openai::ConversionOptions options = PlainOptions();
  options.safety_settings = J(R"([{"category":"HARM_CATEGORY_HARASSMENT","threshold":"OFF"}])");
  nlohmann::json body = J(R"({"model":"claude-haiku-4-5","system":"sys","messages":[{"role":"user","content":"hi"}],
      "tools":[{"name":"f"}],"tool_choice":{"type":"any"},"thinking":{"type":"enabled","budget_tokens":2000}})");
  MessagesRequest request = MustConvert(body, options, RequestKind::kCountTokens);
  EXPECT_EQ(CountTokensBody(request), J(R"({"generateContentRequest":{"model":"models/gemini-2.5-flash",
      "contents":[{"role":"user","parts":[{"text":"hi"}]}],"systemInstruction":{"parts":[{"text":"sys"}]},
      "tools":[{"functionDeclarations":[{"name":"f"}]}]}})"));
  EXPECT_FALSE(request.gemini.stream);
}

TEST(RequestConverterTest, CountTokensBodyWithoutOptionalFields) {
  MessagesRequest request =
      MustConvert(J(R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}],"stream":true,
                       "max_tokens":0})"),
                  PlainOptions(), RequestKind::kCountTokens);
  EXPECT_EQ(CountTokensBody(request), J(R"({"generateContentRequest":{"model":"models/gemini-2.5-flash",
      "contents":[{"role":"user","parts":[{"text":"hi"}]}]}})"));
}

TEST(RequestConverterTest, TextBytesCountSystemMessagesAndTools) {
  MessagesRequest request = MustConvert(
      Body(kHello, R"({"system":"abcd","tools":[{"name":"fn","description":"desc"}]})"));
  EXPECT_EQ(request.text_bytes, 4u + 2u + 2u + 4u);
}

// A request as Claude Code 2.1.332 sends it (trimmed): billing block,
// cache_control everywhere, a system message after the first user message
// with its own output_config, adaptive thinking with display omitted,
// context_management, 128000 max_tokens, and tools with $schema and
// defer_loading.
constexpr char kClaudeCodeRequest[] = R"({
  "model":"claude-opus-5-5",
  "messages":[
    {"role":"user","content":[
      {"type":"text","text":"<system-reminder>\nAttribution for git commits...\n</system-reminder>\n"},
      {"type":"text","text":"say hi"}]},
    {"role":"system","content":[
      {"type":"text","text":"# Environment\nPrimary working directory: /tmp/cc","cache_control":{"type":"ephemeral"}}],
     "output_config":{"effort":"medium"}}],
  "system":[
    {"type":"text","text":"x-anthropic-billing-header: cc_version=2.1.332.0b8; cc_entrypoint=sdk-cli;"},
    {"type":"text","text":"You are a Claude agent, built on Anthropic's Claude Agent SDK.","cache_control":{"type":"ephemeral"}},
    {"type":"text","text":"\nYou are an agent working with the user toward their goals.","cache_control":{"type":"ephemeral"}}],
  "tools":[
    {"name":"Read","description":"Reads a file from the local filesystem.",
     "input_schema":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
       "properties":{"file_path":{"description":"The absolute path","type":"string"},
         "limit":{"type":"integer","exclusiveMinimum":0,"maximum":9007199254740991}},
       "required":["file_path"],"additionalProperties":false}},
    {"name":"ToolSearch","description":"Fetches deferred tools.",
     "input_schema":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
       "properties":{"query":{"type":"string"},"max_results":{"default":5,"type":"number"}},
       "required":["query"],"additionalProperties":false}},
    {"name":"DeferredToolPlaceholder","description":"Reserved placeholder; never call this tool.",
     "input_schema":{"type":"object","properties":{}},"defer_loading":true}],
  "metadata":{"user_id":"{\"device_id\":\"f77c\",\"session_id\":\"716a\"}"},
  "max_tokens":128000,
  "thinking":{"type":"adaptive","display":"omitted"},
  "context_management":{"edits":[{"type":"clear_thinking_20251015","keep":"all"}]},
  "output_config":{"effort":"medium"},
  "stream":true})";

TEST(RequestConverterTest, ConvertsAClaudeCodeRequest) {
  auto map = ModelMap::Parse(R"({"claude-*":"gemini-3-pro-preview"})");
  ASSERT_TRUE(map.ok());
  MessagesRequest request = MustConvert(J(kClaudeCodeRequest), PlainOptions(), RequestKind::kMessages, *map);
  const nlohmann::json& body = request.gemini.body;
  EXPECT_EQ(request.gemini.model.requested, "claude-opus-5-5");
  EXPECT_EQ(request.gemini.model.upstream, "gemini-3-pro-preview");
  EXPECT_TRUE(request.gemini.stream);
  EXPECT_TRUE(request.thinking);
  EXPECT_FALSE(request.show_thinking);
  EXPECT_EQ(request.user_id, R"({"device_id":"f77c","session_id":"716a"})");
  EXPECT_EQ(body["systemInstruction"], J(R"({"parts":[
      {"text":"You are a Claude agent, built on Anthropic's Claude Agent SDK."},
      {"text":"\nYou are an agent working with the user toward their goals."}]})"));
  ASSERT_EQ(body["contents"].size(), 1u);
  EXPECT_EQ(body["contents"][0]["parts"].size(), 3u);
  EXPECT_EQ(body["contents"][0]["parts"][2]["text"],
            "<system-reminder>\n# Environment\nPrimary working directory: /tmp/cc\n</system-reminder>");
  EXPECT_EQ(body["generationConfig"], J(R"({"maxOutputTokens":65536,
      "thinkingConfig":{"thinkingLevel":"MEDIUM","includeThoughts":false}})"));
  const nlohmann::json& declarations = body["tools"][0]["functionDeclarations"];
  ASSERT_EQ(declarations.size(), 3u);
  EXPECT_EQ(declarations[0]["name"], "Read");
  EXPECT_FALSE(declarations[0]["parametersJsonSchema"].contains("$schema"));
  EXPECT_EQ(declarations[2], J(R"({"name":"DeferredToolPlaceholder",
      "description":"Reserved placeholder; never call this tool."})"));
  // Only the max_tokens clamp is worth a note.
  ASSERT_EQ(request.gemini.warnings.size(), 1u) << ::testing::PrintToString(request.gemini.warnings);
  EXPECT_THAT(request.gemini.warnings[0], HasSubstr("max_tokens 128000"));
  EXPECT_GT(request.text_bytes, 200u);
}

}  // namespace
}  // namespace gempool::anthropic
