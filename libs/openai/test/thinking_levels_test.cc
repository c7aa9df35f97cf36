// The shared thinking tables: lowest settings, Google's effort table and the
// budget → Gemini 3 level rule (thinking_levels.h).

#include "gempool/openai/thinking_levels.h"

#include <gtest/gtest.h>

#include "test_json.h"

namespace gempool::openai {
namespace {

using testing::J;

TEST(ThinkingLevelsTest, LowestSettingPerFamily) {
  EXPECT_EQ(LowestThinkingConfig("gemini-2.5-flash"), J(R"({"thinkingBudget":0})"));
  EXPECT_EQ(LowestThinkingConfig("gemini-2.5-pro"), J(R"({"thinkingBudget":128})"));
  EXPECT_EQ(LowestThinkingConfig("gemini-3-flash-preview"), J(R"({"thinkingLevel":"MINIMAL"})"));
  EXPECT_EQ(LowestThinkingConfig("models/gemini-3-pro-preview"), J(R"({"thinkingLevel":"LOW"})"));
}

TEST(ThinkingLevelsTest, EffortTable) {
  EXPECT_EQ(ThinkingConfigForEffort("medium", "gemini-2.5-flash"), J(R"({"thinkingBudget":8192})"));
  EXPECT_EQ(ThinkingConfigForEffort("max", "gemini-2.5-pro"), J(R"({"thinkingBudget":32768})"));
  EXPECT_EQ(ThinkingConfigForEffort("none", "gemini-2.5-pro"), J(R"({"thinkingBudget":128})"));
  EXPECT_EQ(ThinkingConfigForEffort("xhigh", "gemini-3-pro-preview"), J(R"({"thinkingLevel":"HIGH"})"));
  EXPECT_EQ(ThinkingConfigForEffort("minimal", "gemini-3-pro-preview"), J(R"({"thinkingLevel":"LOW"})"));
  EXPECT_EQ(ThinkingConfigForEffort("minimal", "gemini-3-flash-preview"), J(R"({"thinkingLevel":"MINIMAL"})"));
  EXPECT_FALSE(ThinkingConfigForEffort("extreme", "gemini-3-flash-preview").has_value());
  EXPECT_FALSE(ThinkingConfigForEffort("", "gemini-2.5-flash").has_value());
}

TEST(ThinkingLevelsTest, BudgetToNearestLevel) {
  EXPECT_STREQ(ThinkingLevelForBudget(0, "gemini-3-flash-preview"), "MINIMAL");
  EXPECT_STREQ(ThinkingLevelForBudget(0, "gemini-3-pro-preview"), "LOW");
  EXPECT_STREQ(ThinkingLevelForBudget(1, "gemini-3-flash-preview"), "LOW");
  EXPECT_STREQ(ThinkingLevelForBudget(1024, "gemini-3-flash-preview"), "LOW");
  EXPECT_STREQ(ThinkingLevelForBudget(1025, "gemini-3-flash-preview"), "MEDIUM");
  EXPECT_STREQ(ThinkingLevelForBudget(8192, "gemini-3-pro-preview"), "MEDIUM");
  EXPECT_STREQ(ThinkingLevelForBudget(8193, "gemini-3-pro-preview"), "HIGH");
  EXPECT_STREQ(ThinkingLevelForBudget(128000, "gemini-3-pro-preview"), "HIGH");
}

}  // namespace
}  // namespace gempool::openai
