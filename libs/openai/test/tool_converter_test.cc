// tools, tool_choice, web_search_options and the built-in tools implied by
// derived model ids and settings (protocol.md §5 tool rows, §6.12).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/openai/request_converter.h"
#include "gempool/testing/status_matchers.h"
#include "test_json.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using testing::Chat;
using testing::J;
using testing::MustConvert;
using testing::PlainOptions;

constexpr char kWeatherTool[] = R"({"type":"function","function":{"name":"get_weather","description":"Weather",
    "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}})";
constexpr char kTimeTool[] = R"({"type":"function","function":{"name":"get_time","parameters":{"type":"object",
    "properties":{"tz":{"type":"string"}}}}})";

nlohmann::json WithTools(const std::string& extra_json, const std::string& model = "gemini-2.5-flash") {
  nlohmann::json body = Chat(R"([{"role":"user","content":"hi"}])", model);
  body["tools"] = J(std::string("[") + kWeatherTool + "," + kTimeTool + "]");
  nlohmann::json extra = J(extra_json);
  for (auto& [key, value] : extra.items()) body[key] = value;
  return body;
}

TEST(ToolConverterTest, FunctionsBecomeDeclarationsWithJsonSchemaParameters) {
  GeminiRequest request = MustConvert(WithTools("{}"), PlainOptions());
  EXPECT_EQ(request.body["tools"], J(R"([{"functionDeclarations":[
      {"name":"get_weather","description":"Weather","parametersJsonSchema":{"type":"object",
       "properties":{"city":{"type":"string"}},"required":["city"]}},
      {"name":"get_time","parametersJsonSchema":{"type":"object","properties":{"tz":{"type":"string"}}}}]}])"));
  EXPECT_FALSE(request.body.contains("toolConfig"));
}

TEST(ToolConverterTest, McpStyleSchemaKeepsItsMeaningAsJsonSchema) {
  nlohmann::json body = Chat(R"([{"role":"user","content":"hi"}])");
  body["tools"] = J(R"([{"type":"function","function":{"name":"search","parameters":{
      "$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
      "properties":{"q":{"type":"string","const":"x"},"limit":{"type":["integer","null"],"exclusiveMinimum":0},
                    "mode":{"anyOf":[{"$ref":"#/$defs/Mode"},{"type":"null"}]}},
      "$defs":{"Mode":{"type":"string","enum":["a","b"]}},"propertyNames":{"pattern":"^[a-z]+$"}}}}])");
  GeminiRequest request = MustConvert(body, PlainOptions());
  nlohmann::json expected = body["tools"][0]["function"]["parameters"];
  expected.erase("$schema");
  EXPECT_EQ(request.body["tools"][0]["functionDeclarations"][0]["parametersJsonSchema"], expected);
}

TEST(ToolConverterTest, OpenApiDialectSanitisesTheSchema) {
  ConversionOptions options = PlainOptions();
  options.schema_dialect = SchemaDialect::kOpenApiSubset;
  nlohmann::json body = Chat(R"([{"role":"user","content":"hi"}])");
  body["tools"] = J(R"([{"type":"function","function":{"name":"search","parameters":{
      "$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
      "properties":{"q":{"type":"string"},"limit":{"type":["integer","null"],"exclusiveMinimum":0}},
      "required":["q","missing"]}}}])");
  GeminiRequest request = MustConvert(body, options);
  EXPECT_EQ(request.body["tools"][0]["functionDeclarations"][0]["parameters"], J(R"({"type":"OBJECT",
      "properties":{"q":{"type":"STRING"},"limit":{"type":"INTEGER","nullable":true,"minimum":0}},
      "required":["q"]})"));
  EXPECT_THAT(request.warnings, Contains(HasSubstr("additionalProperties")));
}

TEST(ToolConverterTest, ParameterlessFunctionsSendNoParameters) {
  nlohmann::json body = Chat(R"([{"role":"user","content":"hi"}])");
  body["tools"] = J(R"([{"type":"function","function":{"name":"now","parameters":{"type":"object","properties":{}}}},
                        {"type":"function","function":{"name":"ping"}}])");
  GeminiRequest request = MustConvert(body, PlainOptions());
  EXPECT_EQ(request.body["tools"], J(R"([{"functionDeclarations":[{"name":"now"},{"name":"ping"}]}])"));
}

TEST(ToolConverterTest, NonObjectParametersAreRejected) {
  nlohmann::json body = Chat(R"([{"role":"user","content":"hi"}])");
  body["tools"] = J(R"([{"type":"function","function":{"name":"f","parameters":{"type":"string"}}}])");
  EXPECT_THAT(ConvertChatRequest(body, PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tools[0].function.parameters must describe an object")));
}

TEST(ToolConverterTest, CustomToolsAreRejected) {
  nlohmann::json body = Chat(R"([{"role":"user","content":"hi"}])");
  body["tools"] = J(R"([{"type":"custom","custom":{"name":"grammar"}}])");
  EXPECT_THAT(ConvertChatRequest(body, PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tools[0].type 'custom' is not supported")));
}

TEST(ToolConverterTest, DeprecatedFunctionsAreRejected) {
  nlohmann::json body = Chat(R"([{"role":"user","content":"hi"}])");
  body["functions"] = J(R"([{"name":"f"}])");
  EXPECT_THAT(ConvertChatRequest(body, PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("functions (the deprecated")));
}

TEST(ToolConverterTest, DuplicateDeclarationsKeepTheFirst) {
  nlohmann::json body = Chat(R"([{"role":"user","content":"hi"}])");
  body["tools"] = J(std::string("[") + kWeatherTool + "," + kWeatherTool + "]");
  GeminiRequest request = MustConvert(body, PlainOptions());
  EXPECT_EQ(request.body["tools"][0]["functionDeclarations"].size(), 1u);
  EXPECT_THAT(request.warnings, Contains(HasSubstr("declared twice")));
}

struct ChoiceCase {
  const char* tool_choice;
  const char* tool_config;
};

class ToolChoiceTest : public ::testing::TestWithParam<ChoiceCase> {};

TEST_P(ToolChoiceTest, MapsToFunctionCallingConfig) {
  GeminiRequest request =
      MustConvert(WithTools(std::string(R"({"tool_choice":)") + GetParam().tool_choice + "}"), PlainOptions());
  EXPECT_EQ(request.body["toolConfig"], J(GetParam().tool_config));
}

INSTANTIATE_TEST_SUITE_P(
    Choices, ToolChoiceTest,
    ::testing::Values(
        ChoiceCase{R"("auto")", R"({"functionCallingConfig":{"mode":"AUTO"}})"},
        ChoiceCase{R"("none")", R"({"functionCallingConfig":{"mode":"NONE"}})"},
        ChoiceCase{R"("required")", R"({"functionCallingConfig":{"mode":"ANY"}})"},
        ChoiceCase{R"({"type":"function","function":{"name":"get_time"}})",
                   R"({"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_time"]}})"},
        ChoiceCase{R"({"type":"allowed_tools","allowed_tools":{"mode":"required",
                      "tools":[{"type":"function","function":{"name":"get_weather"}}]}})",
                   R"({"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}})"}));

TEST(ToolConverterTest, AllowedToolsAutoNarrowsTheDeclarations) {
  GeminiRequest request = MustConvert(WithTools(R"({"tool_choice":{"type":"allowed_tools","allowed_tools":{
      "mode":"auto","tools":[{"type":"function","function":{"name":"get_time"}}]}}})"),
                                      PlainOptions());
  EXPECT_EQ(request.body["toolConfig"], J(R"({"functionCallingConfig":{"mode":"AUTO"}})"));
  ASSERT_EQ(request.body["tools"][0]["functionDeclarations"].size(), 1u);
  EXPECT_EQ(request.body["tools"][0]["functionDeclarations"][0]["name"], "get_time");
}

TEST(ToolConverterTest, ToolChoiceErrors) {
  EXPECT_THAT(ConvertChatRequest(WithTools(R"({"tool_choice":{"type":"function","function":{"name":"nope"}}})"),
                                 PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tool_choice.function.name names 'nope', which is not among the declared tools")));
  EXPECT_THAT(ConvertChatRequest(WithTools(R"({"tool_choice":"sometimes"})"), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tool_choice 'sometimes'")));
  nlohmann::json no_tools = Chat(R"([{"role":"user","content":"hi"}])");
  no_tools["tool_choice"] = "required";
  EXPECT_THAT(ConvertChatRequest(no_tools, PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no function tools are declared")));
  no_tools["tool_choice"] = "auto";
  EXPECT_FALSE(MustConvert(no_tools, PlainOptions()).body.contains("toolConfig"));
}

TEST(ToolConverterTest, SearchModelAddsGoogleSearch) {
  ConversionOptions options = PlainOptions();
  options.search_models = {"gemini-2.5-flash"};
  GeminiRequest request = MustConvert(Chat(R"([{"role":"user","content":"news?"}])", "gemini-2.5-flash-search"),
                                      options);
  EXPECT_EQ(request.model.upstream, "gemini-2.5-flash");
  EXPECT_EQ(request.body["tools"], J(R"([{"googleSearch":{}}])"));
}

TEST(ToolConverterTest, WebSearchOptionsAndCherryStudioSearchFunctionAddGoogleSearch) {
  nlohmann::json body = Chat(R"([{"role":"user","content":"news?"}])");
  body["web_search_options"] = J(R"({"search_context_size":"low"})");
  EXPECT_EQ(MustConvert(body, PlainOptions()).body["tools"], J(R"([{"googleSearch":{}}])"));

  nlohmann::json cherry = Chat(R"([{"role":"user","content":"news?"}])");
  cherry["tools"] = J(R"([{"type":"function","function":{"name":"googleSearch"}}])");
  EXPECT_EQ(MustConvert(cherry, PlainOptions()).body["tools"], J(R"([{"googleSearch":{}}])"));
}

TEST(ToolConverterTest, SearchIsDroppedNextToFunctionsBeforeGemini3) {
  ConversionOptions options = PlainOptions();
  options.search_models = {"gemini-2.5-flash", "gemini-3-flash-preview"};
  GeminiRequest old_model = MustConvert(WithTools("{}", "gemini-2.5-flash-search"), options);
  EXPECT_EQ(old_model.body["tools"].size(), 1u);
  EXPECT_TRUE(old_model.body["tools"][0].contains("functionDeclarations"));
  EXPECT_THAT(old_model.warnings, Contains(HasSubstr("Google Search was not enabled")));

  GeminiRequest gemini3 = MustConvert(WithTools("{}", "gemini-3-flash-preview-search"), options);
  ASSERT_EQ(gemini3.body["tools"].size(), 2u);
  EXPECT_EQ(gemini3.body["tools"][1], J(R"({"googleSearch":{}})"));
}

TEST(ToolConverterTest, CodeExecutionAndUrlContextFollowTheSettings) {
  ConversionOptions options = PlainOptions();
  options.code_execution = true;
  options.url_context = true;
  options.url_context_models = {"gemini-2.5-flash"};
  GeminiRequest plain = MustConvert(Chat(R"([{"role":"user","content":"compute"}])"), options);
  EXPECT_EQ(plain.body["tools"], J(R"([{"codeExecution":{}},{"urlContext":{}}])"));

  // Not next to function tools, not with media, not for JSON output.
  EXPECT_EQ(MustConvert(WithTools("{}"), options).body["tools"].size(), 1u);
  GeminiRequest media = MustConvert(Chat(R"([{"role":"user","content":[
      {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}])"),
                                    options);
  EXPECT_EQ(media.body["tools"], J(R"([{"urlContext":{}}])"));
  nlohmann::json json_body = Chat(R"([{"role":"user","content":"x"}])");
  json_body["response_format"] = J(R"({"type":"json_object"})");
  EXPECT_FALSE(MustConvert(json_body, options).body.contains("tools"));
}

}  // namespace
}  // namespace gempool::openai
