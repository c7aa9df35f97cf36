// `thinking` and `output_config.effort` → thinkingConfig (anthropic.md §1.6,
// §7.1; the budget → level rule of gempool/openai/thinking_levels.h).

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

constexpr char kThinkHello[] = R"([{"role":"user","content":"think"}])";

nlohmann::json ThinkingOf(const MessagesRequest& request) {
  const nlohmann::json& body = request.gemini.body;
  if (!body.contains("generationConfig")) return nullptr;
  return body["generationConfig"].value("thinkingConfig", nlohmann::json());
}

struct ThinkingCase {
  const char* model;
  const char* extra;   // thinking / output_config members of the body
  const char* config;  // the thinkingConfig expected
  bool thinking;
  bool show_thinking;
};

class ThinkingTableTest : public ::testing::TestWithParam<ThinkingCase> {};

TEST_P(ThinkingTableTest, FollowsTheTable) {
  const ThinkingCase& c = GetParam();
  MessagesRequest request = MustConvert(Body(kThinkHello, c.extra, c.model));
  EXPECT_EQ(ThinkingOf(request), J(c.config)) << c.model << " " << c.extra;
  EXPECT_EQ(request.thinking, c.thinking);
  EXPECT_EQ(request.show_thinking, c.show_thinking);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ThinkingTableTest,
    ::testing::Values(
        // enabled: budgets on 2.5 (Anthropic's own minimum is not Gemini's).
        ThinkingCase{"gemini-2.5-flash", R"({"thinking":{"type":"enabled","budget_tokens":10000}})",
                     R"({"thinkingBudget":10000,"includeThoughts":true})", true, true},
        ThinkingCase{"gemini-2.5-flash", R"({"thinking":{"type":"enabled","budget_tokens":500}})",
                     R"({"thinkingBudget":500,"includeThoughts":true})", true, true},
        ThinkingCase{"gemini-2.5-pro", R"({"thinking":{"type":"enabled","budget_tokens":64}})",
                     R"({"thinkingBudget":128,"includeThoughts":true})", true, true},
        ThinkingCase{"gemini-2.5-flash", R"({"thinking":{"type":"enabled","budget_tokens":31999}})",
                     R"({"thinkingBudget":24576,"includeThoughts":true})", true, true},
        ThinkingCase{"gemini-2.5-pro", R"({"thinking":{"type":"enabled","budget_tokens":31999}})",
                     R"({"thinkingBudget":31999,"includeThoughts":true})", true, true},
        // enabled on Gemini 3: the nearest level.
        ThinkingCase{"gemini-3-flash-preview", R"({"thinking":{"type":"enabled","budget_tokens":1024}})",
                     R"({"thinkingLevel":"LOW","includeThoughts":true})", true, true},
        ThinkingCase{"gemini-3-flash-preview", R"({"thinking":{"type":"enabled","budget_tokens":4000}})",
                     R"({"thinkingLevel":"MEDIUM","includeThoughts":true})", true, true},
        ThinkingCase{"gemini-3-pro-preview", R"({"thinking":{"type":"enabled","budget_tokens":16000}})",
                     R"({"thinkingLevel":"HIGH","includeThoughts":true})", true, true},
        // adaptive: dynamic on 2.5, effort level on 3.
        ThinkingCase{"gemini-2.5-pro", R"({"thinking":{"type":"adaptive"},"output_config":{"effort":"low"}})",
                     R"({"thinkingBudget":-1,"includeThoughts":true})", true, true},
        ThinkingCase{"gemini-3-pro-preview", R"({"thinking":{"type":"adaptive"}})",
                     R"({"thinkingLevel":"HIGH","includeThoughts":true})", true, true},
        ThinkingCase{"gemini-3-flash-preview",
                     R"({"thinking":{"type":"adaptive","display":"omitted"},"output_config":{"effort":"medium"}})",
                     R"({"thinkingLevel":"MEDIUM","includeThoughts":false})", true, false},
        ThinkingCase{"gemini-3-pro-preview", R"({"thinking":{"type":"adaptive"},"output_config":{"effort":"max"}})",
                     R"({"thinkingLevel":"HIGH","includeThoughts":true})", true, true},
        // display omitted.
        ThinkingCase{"gemini-2.5-flash",
                     R"({"thinking":{"type":"enabled","budget_tokens":2048,"display":"omitted"}})",
                     R"({"thinkingBudget":2048,"includeThoughts":false})", true, false},
        // disabled: the lowest setting, no thoughts asked for.
        ThinkingCase{"gemini-2.5-flash", R"({"thinking":{"type":"disabled"}})", R"({"thinkingBudget":0})", false,
                     false},
        ThinkingCase{"gemini-2.5-pro", R"({"thinking":{"type":"disabled"}})", R"({"thinkingBudget":128})", false,
                     false},
        ThinkingCase{"gemini-3-flash-preview", R"({"thinking":{"type":"disabled"}})", R"({"thinkingLevel":"MINIMAL"})",
                     false, false},
        ThinkingCase{"gemini-3-pro-preview", R"({"thinking":{"type":"disabled"}})", R"({"thinkingLevel":"LOW"})",
                     false, false},
        // absent: nothing (no includeThoughts added).
        ThinkingCase{"gemini-2.5-flash", R"({})", "null", false, false},
        ThinkingCase{"gemini-3-pro-preview", R"({"output_config":{"effort":"low"}})", "null", false, false}));

TEST(ThinkingConfigTest, AbsentThinkingUsesTheBudgetMapOfTheBaseModel) {
  openai::ConversionOptions options = PlainOptions();
  options.thinking_budget_map = {{"models/gemini-2.5-flash", 2000}};
  MessagesRequest request = MustConvert(Body(kThinkHello, "{}", "gemini-2.5-flash"), options);
  EXPECT_EQ(ThinkingOf(request), J(R"({"thinkingBudget":2000})"));
  EXPECT_FALSE(request.thinking);
}

TEST(ThinkingConfigTest, NonThinkingModelIdTurnsThinkingDown) {
  openai::ConversionOptions options = PlainOptions();
  options.thinking_models = {"gemini-2.5-flash"};
  MessagesRequest request = MustConvert(Body(kThinkHello, "{}", "gemini-2.5-flash-non-thinking"), options);
  EXPECT_EQ(ThinkingOf(request), J(R"({"thinkingBudget":0})"));
}

TEST(ThinkingConfigTest, DisabledOnAModelThatCannotSwitchOffWarns) {
  MessagesRequest request = MustConvert(Body(kThinkHello, R"({"thinking":{"type":"disabled"}})", "gemini-2.5-pro"));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("cannot switch thinking off")));
}

TEST(ThinkingConfigTest, BadValuesAreRefused) {
  EXPECT_THAT(ConvertStatus(Body(kThinkHello, R"({"thinking":{"type":"enabled"}})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("thinking.budget_tokens is required")));
  EXPECT_THAT(ConvertStatus(Body(kThinkHello, R"({"thinking":{"type":"enabled","budget_tokens":0}})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("thinking.budget_tokens")));
  EXPECT_THAT(ConvertStatus(Body(kThinkHello, R"({"thinking":{"type":"deep"}})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("thinking.type 'deep'")));
  EXPECT_THAT(ConvertStatus(Body(kThinkHello, R"({"thinking":{"type":"adaptive","display":"full"}})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("thinking.display 'full'")));
  EXPECT_THAT(ConvertStatus(Body(kThinkHello, R"({"thinking":{"type":"adaptive"},"output_config":{"effort":"ultra"}})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("output_config.effort 'ultra' is not an effort")));
  EXPECT_THAT(ConvertStatus(Body(kThinkHello, R"({"thinking":true})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("thinking must be an object")));
}

}  // namespace
}  // namespace gempool::anthropic
