// `tools` and `tool_choice` (anthropic.md §1.4–1.5, §7.1, §7.6).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

constexpr char kToolHello[] = R"([{"role":"user","content":"hi"}])";

nlohmann::json WithTools(const std::string& tools, const std::string& model = "gemini-2.5-flash",
                         const std::string& choice = "") {
  std::string extra = std::string(R"({"tools":)") + tools + (choice.empty() ? "" : R"(,"tool_choice":)" + choice) + "}";
  return Body(kToolHello, extra, model);
}

constexpr char kWeatherTool[] = R"({"name":"get_weather","description":"Weather by city",
    "input_schema":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
      "properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false},
    "cache_control":{"type":"ephemeral"},"strict":true,"defer_loading":true,"eager_input_streaming":true})";

TEST(ToolConverterTest, ClientToolBecomesFunctionDeclarationWithoutSchemaKeyword) {
  MessagesRequest request = MustConvert(WithTools(std::string("[") + kWeatherTool + "]"));
  EXPECT_EQ(request.gemini.body["tools"], J(R"([{"functionDeclarations":[{"name":"get_weather",
      "description":"Weather by city","parametersJsonSchema":{"type":"object",
      "properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}]}])"));
  EXPECT_GT(request.text_bytes, 0u);
}

TEST(ToolConverterTest, OpenApiDialectUsesParameters) {
  openai::ConversionOptions options = PlainOptions();
  options.schema_dialect = openai::SchemaDialect::kOpenApiSubset;
  MessagesRequest request = MustConvert(WithTools(std::string("[") + kWeatherTool + "]"), options);
  const nlohmann::json& declaration = request.gemini.body["tools"][0]["functionDeclarations"][0];
  ASSERT_TRUE(declaration.contains("parameters")) << declaration.dump();
  EXPECT_FALSE(declaration["parameters"].contains("$schema"));
}

TEST(ToolConverterTest, CustomTypeAndParameterlessTools) {
  MessagesRequest request = MustConvert(WithTools(R"([{"type":"custom","name":"now","input_schema":{"type":"object",
      "properties":{}}},{"name":"ping"}])"));
  EXPECT_EQ(request.gemini.body["tools"], J(R"([{"functionDeclarations":[{"name":"now"},{"name":"ping"}]}])"));
}

TEST(ToolConverterTest, WebSearchBecomesGoogleSearchOnGemini3) {
  MessagesRequest request = MustConvert(WithTools(R"([{"type":"web_search_20250305","name":"web_search","max_uses":5},
      {"name":"f","input_schema":{"type":"object","properties":{"a":{"type":"string"}}}}])",
                                                  "gemini-3-pro-preview"));
  EXPECT_EQ(request.gemini.body["tools"][1], J(R"({"googleSearch":{}})"));
  MessagesRequest alone = MustConvert(WithTools(R"([{"type":"web_search_20250305","name":"web_search"}])"));
  EXPECT_EQ(alone.gemini.body["tools"], J(R"([{"googleSearch":{}}])"));
}

TEST(ToolConverterTest, WebSearchNextToFunctionsIsDroppedBeforeGemini3) {
  MessagesRequest request = MustConvert(WithTools(R"([{"type":"web_search_20250305","name":"web_search"},
      {"name":"f"}])"));
  EXPECT_EQ(request.gemini.body["tools"], J(R"([{"functionDeclarations":[{"name":"f"}]}])"));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("cannot combine it with function tools")));
}

TEST(ToolConverterTest, OtherServerToolsAreRefused) {
  for (const char* type : {"bash_20250124", "text_editor_20250728", "code_execution_20250825", "web_fetch_20250910",
                           "memory_20250818", "computer_20250124", "tool_search_tool_regex_20251119"}) {
    absl::Status status =
        ConvertStatus(WithTools(std::string(R"([{"name":"f"},{"type":")") + type + R"(","name":"srv"}])"));
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr(std::string("tools[1].type '") + type + "' (tool 'srv') is an Anthropic "
                                                                                    "server tool, which gempool "
                                                                                    "cannot run")));
  }
}

TEST(ToolConverterTest, DuplicateNamesKeepTheFirst) {
  MessagesRequest request = MustConvert(WithTools(R"([{"name":"f","description":"one"},{"name":"f","description":"two"}])"));
  EXPECT_EQ(request.gemini.body["tools"], J(R"([{"functionDeclarations":[{"name":"f","description":"one"}]}])"));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("tools[1].name 'f' is declared twice")));
}

TEST(ToolConverterTest, ToolNamesFollowAnthropicsRule) {
  EXPECT_THAT(ConvertStatus(WithTools(R"([{"name":"has space"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tools[0].name 'has space' is not a valid tool")));
  EXPECT_THAT(ConvertStatus(WithTools(std::string(R"([{"name":")") + std::string(65, 'a') + "\"}]")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tools[0].name")));
  EXPECT_THAT(ConvertStatus(WithTools(R"([{"name":""}])")), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ConvertStatus(WithTools(R"([{"description":"x"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tools[0].name is required")));
  MessagesRequest ok = MustConvert(WithTools(R"([{"name":"9-a_B"}])"));
  EXPECT_EQ(ok.gemini.body["tools"][0]["functionDeclarations"][0]["name"], "9-a_B");
}

TEST(ToolConverterTest, BadInputSchemaIsRefused) {
  EXPECT_THAT(ConvertStatus(WithTools(R"([{"name":"f","input_schema":"object"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tools[0].input_schema")));
}

struct ChoiceCase {
  const char* choice;
  const char* config;
};

class ToolChoiceTest : public ::testing::TestWithParam<ChoiceCase> {};

TEST_P(ToolChoiceTest, MapsToFunctionCallingMode) {
  MessagesRequest request =
      MustConvert(WithTools(R"([{"name":"f"},{"name":"g"}])", "gemini-2.5-flash", GetParam().choice));
  EXPECT_EQ(request.gemini.body["toolConfig"], J(GetParam().config)) << GetParam().choice;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ToolChoiceTest,
    ::testing::Values(
        ChoiceCase{R"({"type":"auto"})", R"({"functionCallingConfig":{"mode":"AUTO"}})"},
        ChoiceCase{R"({"type":"any"})", R"({"functionCallingConfig":{"mode":"ANY"}})"},
        ChoiceCase{R"({"type":"tool","name":"g"})",
                   R"({"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["g"]}})"},
        ChoiceCase{R"({"type":"none"})", R"({"functionCallingConfig":{"mode":"NONE"}})"}));

TEST(ToolConverterTest, ToolChoiceNamingAnUndeclaredToolIsRefused) {
  EXPECT_THAT(ConvertStatus(WithTools(R"([{"name":"f"}])", "gemini-2.5-flash", R"({"type":"tool","name":"zzz"})")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tool_choice.name 'zzz' is not among the tools declared")));
  EXPECT_THAT(ConvertStatus(WithTools(R"([{"name":"f"}])", "gemini-2.5-flash", R"({"type":"sometimes"})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tool_choice.type 'sometimes'")));
}

TEST(ToolConverterTest, DisableParallelToolUseIsOnlyAWarning) {
  MessagesRequest request = MustConvert(
      WithTools(R"([{"name":"f"}])", "gemini-2.5-flash", R"({"type":"auto","disable_parallel_tool_use":true})"));
  EXPECT_EQ(request.gemini.body["toolConfig"], J(R"({"functionCallingConfig":{"mode":"AUTO"}})"));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("disable_parallel_tool_use")));
}

TEST(ToolConverterTest, ToolChoiceWithoutToolsIsIgnored) {
  MessagesRequest request = MustConvert(Body(kToolHello, R"({"tool_choice":{"type":"any"}})"));
  EXPECT_FALSE(request.gemini.body.contains("toolConfig"));
  EXPECT_FALSE(request.gemini.body.contains("tools"));
}

}  // namespace
}  // namespace gempool::anthropic
