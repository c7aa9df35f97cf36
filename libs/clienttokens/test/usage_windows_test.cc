#include "gempool/clienttokens/usage_windows.h"

#include <gtest/gtest.h>

#include "gempool/common/time_zone.h"

namespace gempool::clienttokens {
namespace {

constexpr int64_t kWindowStart = 1'800'000'000'000;  // 2027-01-15 08:00:00 UTC, a minute's start.

TEST(UsageWindowsTest, Minutes) {
  EXPECT_EQ(MinuteStartMs(kWindowStart), kWindowStart);
  EXPECT_EQ(MinuteStartMs(kWindowStart + 59'999), kWindowStart);
  EXPECT_EQ(NextMinuteStartMs(kWindowStart + 1), kWindowStart + 60'000);
}

TEST(UsageWindowsTest, DaysInZone) {
  const absl::TimeZone shanghai = *LoadTimeZoneSetting("Asia/Shanghai");
  // 08:00 UTC is 16:00 in Shanghai: the day started at 16:00 UTC before.
  EXPECT_EQ(DayStartMs(kWindowStart, shanghai), kWindowStart - 16 * 3'600'000LL);
  EXPECT_EQ(NextDayStartMs(kWindowStart, shanghai), kWindowStart + 8 * 3'600'000LL);
}

TEST(UsageWindowsTest, NewMinuteStartsFromZeroAndLateCountsAreDropped) {
  WindowUse use;
  use.AddRequests(kWindowStart + 10, 2);
  EXPECT_EQ(use.RequestsIn(kWindowStart), 2);
  use.AddRequests(kWindowStart + 60'001, 1);
  EXPECT_EQ(use.RequestsIn(kWindowStart + 60'000), 1);
  EXPECT_EQ(use.RequestsIn(kWindowStart), 0);
  use.AddRequests(kWindowStart + 5, 7);  // The minute before: gone.
  EXPECT_EQ(use.RequestsIn(kWindowStart + 60'000), 1);
}

TEST(UsageWindowsTest, TokensPerDay) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  WindowUse use;
  use.AddTokens(kWindowStart, 100, utc);
  use.AddTokens(kWindowStart + 1000, 50, utc);
  EXPECT_EQ(use.TokensIn(DayStartMs(kWindowStart, utc)), 150);
  use.AddTokens(kWindowStart + 86'400'000, 5, utc);
  EXPECT_EQ(use.TokensIn(DayStartMs(kWindowStart, utc)), 0);
  EXPECT_EQ(use.TokensIn(DayStartMs(kWindowStart + 86'400'000, utc)), 5);
}

}  // namespace
}  // namespace gempool::clienttokens
