#include "gempool/clienttokens/usage_windows.h"

#include <gtest/gtest.h>

#include "gempool/common/time_zone.h"

namespace gempool::clienttokens {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;  // 2027-01-15 08:00:00 UTC, a minute's start.

TEST(UsageWindowsTest, Minutes) {
  EXPECT_EQ(MinuteStartMs(kNow), kNow);
  EXPECT_EQ(MinuteStartMs(kNow + 59'999), kNow);
  EXPECT_EQ(NextMinuteStartMs(kNow + 1), kNow + 60'000);
}

TEST(UsageWindowsTest, DaysInZone) {
  const absl::TimeZone shanghai = *LoadTimeZoneSetting("Asia/Shanghai");
  // 08:00 UTC is 16:00 in Shanghai: the day started at 16:00 UTC before.
  EXPECT_EQ(DayStartMs(kNow, shanghai), kNow - 16 * 3'600'000LL);
  EXPECT_EQ(NextDayStartMs(kNow, shanghai), kNow + 8 * 3'600'000LL);
}

TEST(UsageWindowsTest, NewMinuteStartsFromZeroAndLateCountsAreDropped) {
  WindowUse use;
  use.AddRequests(kNow + 10, 2);
  EXPECT_EQ(use.RequestsIn(kNow), 2);
  use.AddRequests(kNow + 60'001, 1);
  EXPECT_EQ(use.RequestsIn(kNow + 60'000), 1);
  EXPECT_EQ(use.RequestsIn(kNow), 0);
  use.AddRequests(kNow + 5, 7);  // The minute before: gone.
  EXPECT_EQ(use.RequestsIn(kNow + 60'000), 1);
}

TEST(UsageWindowsTest, TokensPerDay) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  WindowUse use;
  use.AddTokens(kNow, 100, utc);
  use.AddTokens(kNow + 1000, 50, utc);
  EXPECT_EQ(use.TokensIn(DayStartMs(kNow, utc)), 150);
  use.AddTokens(kNow + 86'400'000, 5, utc);
  EXPECT_EQ(use.TokensIn(DayStartMs(kNow, utc)), 0);
  EXPECT_EQ(use.TokensIn(DayStartMs(kNow + 86'400'000, utc)), 5);
}

}  // namespace
}  // namespace gempool::clienttokens
