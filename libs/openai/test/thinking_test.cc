// thinkingConfig from reasoning_effort, (extra_body.)google.thinking_config,
// "-non-thinking" ids, THINKING_BUDGET_MAP and SHOW_THINKING_PROCESS
// (protocol.md §2 table, §5 rows, §6.13).

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

nlohmann::json Body(const std::string& model, const std::string& extra_json) {
  nlohmann::json body = Chat(R"([{"role":"user","content":"think"}])", model);
  nlohmann::json extra = J(extra_json);
  for (auto& [key, value] : extra.items()) body[key] = value;
  return body;
}

// The thinkingConfig sent, or null.
nlohmann::json Thinking(const GeminiRequest& request) {
  if (!request.body.contains("generationConfig")) return nullptr;
  return request.body["generationConfig"].value("thinkingConfig", nlohmann::json());
}

struct EffortCase {
  const char* model;
  const char* effort;
  const char* config;
};

class ReasoningEffortTest : public ::testing::TestWithParam<EffortCase> {};

TEST_P(ReasoningEffortTest, FollowsGooglesTable) {
  const EffortCase& c = GetParam();
  GeminiRequest request =
      MustConvert(Body(c.model, std::string(R"({"reasoning_effort":")") + c.effort + "\"}"), PlainOptions());
  EXPECT_EQ(Thinking(request), J(c.config)) << c.model << " " << c.effort;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ReasoningEffortTest,
    ::testing::Values(EffortCase{"gemini-2.5-flash", "minimal", R"({"thinkingBudget":1024})"},
                      EffortCase{"gemini-2.5-flash", "low", R"({"thinkingBudget":1024})"},
                      EffortCase{"gemini-2.5-flash", "medium", R"({"thinkingBudget":8192})"},
                      EffortCase{"gemini-2.5-flash", "high", R"({"thinkingBudget":24576})"},
                      EffortCase{"gemini-2.5-flash", "none", R"({"thinkingBudget":0})"},
                      EffortCase{"gemini-2.5-pro", "none", R"({"thinkingBudget":128})"},
                      EffortCase{"gemini-2.5-pro", "max", R"({"thinkingBudget":32768})"},
                      EffortCase{"gemini-3-flash-preview", "minimal", R"({"thinkingLevel":"MINIMAL"})"},
                      EffortCase{"gemini-3-flash-preview", "low", R"({"thinkingLevel":"LOW"})"},
                      EffortCase{"gemini-3-flash-preview", "medium", R"({"thinkingLevel":"MEDIUM"})"},
                      EffortCase{"gemini-3-flash-preview", "high", R"({"thinkingLevel":"HIGH"})"},
                      EffortCase{"gemini-3-pro-preview", "minimal", R"({"thinkingLevel":"LOW"})"},
                      EffortCase{"gemini-3-pro-preview", "none", R"({"thinkingLevel":"LOW"})"}));

TEST(ThinkingTest, NoneOnModelsThatCannotStopThinkingWarns) {
  GeminiRequest request = MustConvert(Body("gemini-2.5-pro", R"({"reasoning_effort":"none"})"), PlainOptions());
  EXPECT_THAT(request.warnings, Contains(HasSubstr("cannot switch thinking off")));
}

TEST(ThinkingTest, UnknownEffortIsRejected) {
  EXPECT_THAT(ConvertChatRequest(Body("gemini-2.5-flash", R"({"reasoning_effort":"extreme"})"), PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reasoning_effort 'extreme'")));
}

TEST(ThinkingTest, ThinkingConfigIsConvertedToCamelCase) {
  GeminiRequest request = MustConvert(
      Body("gemini-2.5-flash",
           R"({"extra_body":{"google":{"thinking_config":{"thinking_budget":2048,"include_thoughts":true}}}})"),
      PlainOptions());
  EXPECT_EQ(Thinking(request), J(R"({"thinkingBudget":2048,"includeThoughts":true})"));

  GeminiRequest level = MustConvert(
      Body("gemini-3-pro-preview", R"({"google":{"thinking_config":{"thinking_level":"low"}}})"), PlainOptions());
  EXPECT_EQ(Thinking(level), J(R"({"thinkingLevel":"LOW"})"));
}

TEST(ThinkingTest, EffortAndThinkingConfigTogetherAreRejected) {
  auto converted = ConvertChatRequest(
      Body("gemini-2.5-flash",
           R"({"reasoning_effort":"low","extra_body":{"google":{"thinking_config":{"thinking_budget":1}}}})"),
      PlainOptions());
  EXPECT_THAT(converted, StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("reasoning_effort cannot be combined with "
                                            "extra_body.google.thinking_config")));
}

TEST(ThinkingTest, ThinkingConfigErrors) {
  EXPECT_THAT(ConvertChatRequest(Body("gemini-2.5-flash", R"({"google":{"thinking_config":{"budget":5}}})"),
                                 PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("google.thinking_config.budget is not a thinking_config field")));
  EXPECT_THAT(ConvertChatRequest(Body("gemini-3-pro-preview",
                                      R"({"google":{"thinking_config":{"thinking_level":"low","thinking_budget":9}}})"),
                                 PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("both thinking_budget and thinking_level")));
  EXPECT_THAT(ConvertChatRequest(Body("gemini-3-pro-preview", R"({"google":{"thinking_config":{"thinking_level":"ultra"}}})"),
                                 PlainOptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'ultra' is not a thinking level")));
}

TEST(ThinkingTest, ShowThinkingProcessAddsIncludeThoughtsToThinkingModels) {
  ConversionOptions options = PlainOptions();
  options.show_thinking_process = true;
  EXPECT_EQ(Thinking(MustConvert(Body("gemini-2.5-flash", "{}"), options)), J(R"({"includeThoughts":true})"));
  EXPECT_EQ(Thinking(MustConvert(Body("gemini-2.5-flash", R"({"reasoning_effort":"high"})"), options)),
            J(R"({"thinkingBudget":24576,"includeThoughts":true})"));
  // Not for models that do not think, nor when thinking is off.
  EXPECT_TRUE(Thinking(MustConvert(Body("gemini-2.0-flash", "{}"), options)).is_null());
  EXPECT_TRUE(Thinking(MustConvert(Body("gemini-2.5-flash-image", "{}"), options)).is_null());
  EXPECT_EQ(Thinking(MustConvert(Body("gemini-2.5-flash", R"({"reasoning_effort":"none"})"), options)),
            J(R"({"thinkingBudget":0})"));
  // The client's explicit include_thoughts wins.
  EXPECT_EQ(Thinking(MustConvert(
                Body("gemini-2.5-flash", R"({"google":{"thinking_config":{"include_thoughts":false}}})"), options)),
            J(R"({"includeThoughts":false})"));
}

TEST(ThinkingTest, NoShowThinkingProcessSendsNothingByDefault) {
  EXPECT_TRUE(Thinking(MustConvert(Body("gemini-2.5-flash", "{}"), PlainOptions())).is_null());
}

TEST(ThinkingTest, BudgetMapAppliesWhenTheClientGaveNone) {
  ConversionOptions options = PlainOptions();
  options.thinking_budget_map = {{"gemini-2.5-flash", 512}};
  options.search_models = {"gemini-2.5-flash"};
  EXPECT_EQ(Thinking(MustConvert(Body("gemini-2.5-flash", "{}"), options)), J(R"({"thinkingBudget":512})"));
  // Looked up by the base model, also for derived ids (gemini-balance used the
  // unstripped name and silently fell back to 1000).
  EXPECT_EQ(Thinking(MustConvert(Body("gemini-2.5-flash-search", "{}"), options)), J(R"({"thinkingBudget":512})"));
  EXPECT_EQ(Thinking(MustConvert(Body("gemini-2.5-flash", R"({"reasoning_effort":"medium"})"), options)),
            J(R"({"thinkingBudget":8192})"));
}

TEST(ThinkingTest, NonThinkingModelsTurnThinkingOff) {
  ConversionOptions options = PlainOptions();
  options.show_thinking_process = true;
  options.thinking_models = {"gemini-2.5-flash", "gemini-2.5-pro", "gemini-3-flash-preview"};
  GeminiRequest flash = MustConvert(Body("gemini-2.5-flash-non-thinking", "{}"), options);
  EXPECT_EQ(flash.model.upstream, "gemini-2.5-flash");
  EXPECT_EQ(Thinking(flash), J(R"({"thinkingBudget":0})"));
  EXPECT_EQ(Thinking(MustConvert(Body("gemini-2.5-pro-non-thinking", "{}"), options)), J(R"({"thinkingBudget":128})"));
  EXPECT_EQ(Thinking(MustConvert(Body("gemini-3-flash-preview-non-thinking", "{}"), options)),
            J(R"({"thinkingLevel":"MINIMAL"})"));
  // An explicit client setting takes precedence, with a warning.
  GeminiRequest explicit_effort =
      MustConvert(Body("gemini-2.5-flash-non-thinking", R"({"reasoning_effort":"low"})"), options);
  EXPECT_EQ(Thinking(explicit_effort), J(R"({"thinkingBudget":1024,"includeThoughts":true})"));
  EXPECT_THAT(explicit_effort.warnings, Contains(HasSubstr("takes precedence")));
}

}  // namespace
}  // namespace gempool::openai
