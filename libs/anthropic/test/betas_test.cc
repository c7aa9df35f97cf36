#include "gempool/anthropic/betas.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::anthropic {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(BetasTest, ServedBetasGiveNoWarning) {
  EXPECT_TRUE(IsServedBeta("interleaved-thinking-2025-05-14"));
  EXPECT_TRUE(IsServedBeta("claude-code-20250219"));
  EXPECT_FALSE(IsServedBeta("context-management-2025-06-27"));
  EXPECT_FALSE(IsServedBeta(""));
  EXPECT_THAT(UnservedBetaWarnings(""), IsEmpty());
  EXPECT_THAT(UnservedBetaWarnings(" claude-code-20250219 ,effort-2025-11-24,,"), IsEmpty());
}

TEST(BetasTest, EachUnservedBetaIsNamedOnceInOrder) {
  // Claude Code 2.1.332's header behind a custom base URL.
  const std::vector<std::string> warnings = UnservedBetaWarnings(
      "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,"
      "per-turn-control-2026-07-01,context-management-2025-06-27,effort-2025-11-24");
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_THAT(warnings[0], HasSubstr("'context-management-2025-06-27'"));
  EXPECT_THAT(warnings[1], HasSubstr("'per-turn-control-2026-07-01'"));
  EXPECT_THAT(warnings[0], HasSubstr("ignored"));
}

}  // namespace
}  // namespace gempool::anthropic
