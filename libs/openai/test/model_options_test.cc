// ApplyModelOptions: the gateway's model options on a Gemini request, as the
// native API and the OpenAI conversion both apply them.

#include "gempool/openai/model_options.h"

#include <gtest/gtest.h>

#include "test_json.h"

namespace gempool::openai {
namespace {

using nlohmann::json;
using testing::J;
using testing::PlainOptions;

constexpr char kHello[] = R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})";

ResolvedModel Resolve(const std::string& id, const ConversionOptions& options) {
  absl::StatusOr<ResolvedModel> model = ResolveModel(id, options);
  EXPECT_TRUE(model.ok()) << model.status();
  return model.value_or(ResolvedModel{});
}

// `request` after the options for `model`; `changed` receives the flag.
json Apply(const std::string& model, const ConversionOptions& options, json request, bool* changed = nullptr,
           std::vector<std::string>* warnings = nullptr) {
  AppliedModelOptions applied = ApplyModelOptions(Resolve(model, options), options, request);
  if (changed != nullptr) *changed = applied.changed;
  if (warnings != nullptr) *warnings = applied.warnings;
  return request;
}

TEST(ModelOptionsTest, PlainOptionsLeaveARequestUnchanged) {
  bool changed = true;
  EXPECT_EQ(Apply("gemini-2.5-flash", PlainOptions(), J(kHello), &changed), J(kHello));
  EXPECT_FALSE(changed);
}

TEST(ModelOptionsTest, NonObjectBodiesAreLeftToGoogle) {
  ConversionOptions options;
  options.code_execution = true;
  bool changed = true;
  EXPECT_EQ(Apply("gemini-2.5-flash", options, J("[1]"), &changed), J("[1]"));
  EXPECT_FALSE(changed);
}

TEST(ModelOptionsTest, SafetySettingsOnlyWhenTheRequestHasNone) {
  ConversionOptions options = PlainOptions();
  options.safety_settings = J(R"([{"category":"HARM_CATEGORY_HARASSMENT","threshold":"OFF"}])");
  bool changed = false;
  EXPECT_EQ(Apply("gemini-2.5-flash", options, J(kHello), &changed)["safetySettings"], options.safety_settings);
  EXPECT_TRUE(changed);

  json own = J(kHello);
  own["safety_settings"] = J(R"([{"category":"HARM_CATEGORY_HATE_SPEECH","threshold":"BLOCK_NONE"}])");
  EXPECT_EQ(Apply("gemini-2.5-flash", options, own, &changed), own) << "the snake_case spelling counts too";
  EXPECT_FALSE(changed);
}

TEST(ModelOptionsTest, DerivedSearchModelAddsGoogleSearchOnce) {
  ConversionOptions options = PlainOptions();
  options.search_models = {"gemini-2.5-flash"};
  EXPECT_EQ(Apply("gemini-2.5-flash-search", options, J(kHello))["tools"], J(R"([{"googleSearch":{}}])"));

  json own = J(kHello);
  own["tools"] = J(R"([{"google_search":{}}])");
  bool changed = true;
  EXPECT_EQ(Apply("gemini-2.5-flash-search", options, own, &changed), own);
  EXPECT_FALSE(changed);
}

TEST(ModelOptionsTest, SearchIsLeftOutNextToFunctionsOnGemini2) {
  ConversionOptions options = PlainOptions();
  options.search_models = {"gemini-2.5-flash", "gemini-3-pro-preview"};
  json request = J(kHello);
  request["tools"] = J(R"([{"functionDeclarations":[{"name":"f"}]}])");
  std::vector<std::string> warnings;
  EXPECT_EQ(Apply("gemini-2.5-flash-search", options, request, nullptr, &warnings)["tools"], request["tools"]);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("Google Search was not enabled"), std::string::npos);
  EXPECT_EQ(Apply("gemini-3-pro-preview-search", options, request)["tools"][1], J(R"({"googleSearch":{}})"));
}

TEST(ModelOptionsTest, DerivedImageModelAsksForImages) {
  ConversionOptions options = PlainOptions();
  options.image_models = {"gemini-2.0-flash-exp"};
  EXPECT_EQ(Apply("gemini-2.0-flash-exp-image", options, J(kHello))["generationConfig"]["responseModalities"],
            J(R"(["TEXT","IMAGE"])"));
  json own = J(kHello);
  own["generationConfig"] = J(R"({"responseModalities":["IMAGE"]})");
  EXPECT_EQ(Apply("gemini-2.0-flash-exp-image", options, own), own);
}

TEST(ModelOptionsTest, NonThinkingModelGetsItsLowestSettingWithoutThoughts) {
  ConversionOptions options;  // SHOW_THINKING_PROCESS on.
  options.safety_settings = json::array();
  options.thinking_models = {"gemini-2.5-flash", "gemini-2.5-pro"};
  EXPECT_EQ(Apply("gemini-2.5-flash-non-thinking", options, J(kHello))["generationConfig"],
            J(R"({"thinkingConfig":{"thinkingBudget":0}})"));
  EXPECT_EQ(Apply("gemini-2.5-pro-non-thinking", options, J(kHello))["generationConfig"],
            J(R"({"thinkingConfig":{"thinkingBudget":128}})"));

  json own = J(kHello);
  own["generationConfig"] = J(R"({"thinkingConfig":{"thinkingBudget":512,"includeThoughts":false}})");
  std::vector<std::string> warnings;
  EXPECT_EQ(Apply("gemini-2.5-flash-non-thinking", options, own, nullptr, &warnings), own);
  EXPECT_EQ(warnings.size(), 1u) << "the client's own setting wins, with a note";
}

TEST(ModelOptionsTest, BudgetMapAndShowThinkingProcess) {
  ConversionOptions options;
  options.safety_settings = json::array();
  options.thinking_budget_map = {{"gemini-2.5-flash", 2048}};
  EXPECT_EQ(Apply("gemini-2.5-flash", options, J(kHello))["generationConfig"],
            J(R"({"thinkingConfig":{"thinkingBudget":2048,"includeThoughts":true}})"));
  // A thinking model without a budget: thought summaries only.
  EXPECT_EQ(Apply("gemini-2.5-pro", options, J(kHello))["generationConfig"],
            J(R"({"thinkingConfig":{"includeThoughts":true}})"));
  // Not a thinking model: nothing.
  bool changed = true;
  Apply("gemini-2.0-flash", options, J(kHello), &changed);
  EXPECT_FALSE(changed);
  // The client's own config goes as it is (a native client that wants
  // thoughts says so).
  json own = J(kHello);
  own["generation_config"] = J(R"({"thinking_config":{"thinking_budget":100}})");
  EXPECT_EQ(Apply("gemini-2.5-flash", options, own, &changed), own);
  EXPECT_FALSE(changed);
  // Spelled like the client's generationConfig.
  json snake = J(kHello);
  snake["generation_config"] = J(R"({"max_output_tokens":10})");
  EXPECT_EQ(Apply("gemini-2.5-flash", options, snake)["generation_config"],
            J(R"({"max_output_tokens":10,"thinking_config":{"thinking_budget":2048,"include_thoughts":true}})"));
  // A budget of 0 turns thinking off: no summaries.
  options.thinking_budget_map = {{"gemini-2.5-flash", 0}};
  EXPECT_EQ(Apply("gemini-2.5-flash", options, J(kHello))["generationConfig"],
            J(R"({"thinkingConfig":{"thinkingBudget":0}})"));
  // Other generationConfig fields stay.
  json sampled = J(kHello);
  sampled["generationConfig"] = J(R"({"temperature":0.5})");
  EXPECT_EQ(Apply("gemini-2.5-pro", options, sampled)["generationConfig"],
            J(R"({"temperature":0.5,"thinkingConfig":{"includeThoughts":true}})"));
}

TEST(ModelOptionsTest, CodeExecutionWhereItCanWork) {
  ConversionOptions options = PlainOptions();
  options.code_execution = true;
  options.search_models = {"gemini-2.5-flash"};
  EXPECT_EQ(Apply("gemini-2.5-flash", options, J(kHello))["tools"], J(R"([{"codeExecution":{}}])"));
  bool changed = true;
  EXPECT_EQ(Apply("gemini-2.5-flash-search", options, J(kHello))["tools"], J(R"([{"googleSearch":{}}])"));
  json media = J(R"({"contents":[{"role":"user","parts":[{"fileData":{"fileUri":"u","mimeType":"image/png"}}]}]})");
  EXPECT_EQ(Apply("gemini-2.5-flash", options, media, &changed), media);
  EXPECT_FALSE(changed);
  json functions = J(kHello);
  functions["tools"] = J(R"([{"functionDeclarations":[{"name":"f"}]}])");
  EXPECT_EQ(Apply("gemini-2.5-flash", options, functions), functions);
  json json_output = J(kHello);
  json_output["generationConfig"] = J(R"({"responseMimeType":"application/json"})");
  EXPECT_EQ(Apply("gemini-2.5-flash", options, json_output), json_output);
}

TEST(ModelOptionsTest, UrlContextForListedModels) {
  ConversionOptions options = PlainOptions();
  options.url_context = true;
  options.url_context_models = {"gemini-2.5-flash"};
  EXPECT_EQ(Apply("gemini-2.5-flash", options, J(kHello))["tools"], J(R"([{"urlContext":{}}])"));
  bool changed = true;
  Apply("gemini-2.5-pro", options, J(kHello), &changed);
  EXPECT_FALSE(changed);
  json own = J(kHello);
  own["tools"] = J(R"([{"urlContext":{}}])");
  EXPECT_EQ(Apply("gemini-2.5-flash", options, own), own);
}

}  // namespace
}  // namespace gempool::openai
