#include "gempool/common/time_zone.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Unix ms of a UTC civil time.
int64_t Utc(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone()));
}

constexpr int64_t kHourMs = 3600 * 1000;

absl::TimeZone Zone(const std::string& name) {
  absl::StatusOr<absl::TimeZone> zone = LoadTimeZoneSetting(name);
  EXPECT_TRUE(zone.ok()) << zone.status();
  return zone.value_or(absl::UTCTimeZone());
}

TEST(TimeZoneSettingTest, LoadsIanaNamesAndNamesTimezoneOnError) {
  EXPECT_TRUE(LoadTimeZoneSetting("Asia/Shanghai").ok());
  EXPECT_TRUE(LoadTimeZoneSetting("UTC").ok());
  absl::StatusOr<absl::TimeZone> bad = LoadTimeZoneSetting("Mars/Olympus_Mons");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("TIMEZONE='Mars/Olympus_Mons'"));
  EXPECT_THAT(LoadTimeZoneSetting("").status().message(), HasSubstr("TIMEZONE is empty"));
}

TEST(TimeZoneSettingTest, ShanghaiDaysStartAtSixteenUtc) {
  const absl::TimeZone shanghai = Zone("Asia/Shanghai");
  // 2026-12-06 15:59 UTC is 23:59 in Shanghai: still the 6th, which began at 16:00 UTC on the 5th.
  EXPECT_EQ(StartOfDayMs(Utc(2026, 12, 6, 15, 59), shanghai), Utc(2026, 12, 5, 16));
  // A minute later it is the 7th there.
  EXPECT_EQ(StartOfDayMs(Utc(2026, 12, 6, 16, 0), shanghai), Utc(2026, 12, 6, 16));
  EXPECT_THAT(DayEdgesMs(Utc(2026, 12, 6, 16, 30), 2, shanghai),
              ElementsAre(Utc(2026, 12, 5, 16), Utc(2026, 12, 6, 16), Utc(2026, 12, 7, 16)));
  // December in Shanghai began at 16:00 UTC on 30 November.
  EXPECT_EQ(StartOfMonthMs(Utc(2026, 12, 6), shanghai), Utc(2026, 11, 30, 16));
  // 1 December 02:00 in Shanghai is still 30 November in UTC, but December there.
  EXPECT_EQ(StartOfMonthMs(Utc(2026, 11, 30, 18), shanghai), Utc(2026, 11, 30, 16));
  EXPECT_EQ(StartOfMonthMs(Utc(2026, 11, 30, 15), shanghai), Utc(2026, 10, 31, 16));
}

TEST(TimeZoneSettingTest, NewYorkDaysAcrossDaylightSavingChanges) {
  const absl::TimeZone ny = Zone("America/New_York");
  // Spring forward on Sunday 2026-03-08 (02:00 EST -> 03:00 EDT): that day is 23 hours.
  std::vector<int64_t> spring = DayEdgesMs(Utc(2026, 3, 8, 12), 2, ny);
  EXPECT_THAT(spring, ElementsAre(Utc(2026, 3, 7, 5), Utc(2026, 3, 8, 5), Utc(2026, 3, 9, 4)));
  EXPECT_EQ(spring[2] - spring[1], 23 * kHourMs);
  // Fall back on Sunday 2026-11-01 (02:00 EDT -> 01:00 EST): 25 hours.
  std::vector<int64_t> fall = DayEdgesMs(Utc(2026, 11, 1, 12), 1, ny);
  EXPECT_THAT(fall, ElementsAre(Utc(2026, 11, 1, 4), Utc(2026, 11, 2, 5)));
  EXPECT_EQ(fall[1] - fall[0], 25 * kHourMs);
  // 03:30 UTC on 9 March is 23:30 EDT on the 8th: still the day that began at 05:00 UTC.
  EXPECT_EQ(StartOfDayMs(Utc(2026, 3, 9, 3, 30), ny), Utc(2026, 3, 8, 5));
  // November began at 04:00 UTC (midnight EDT).
  EXPECT_EQ(StartOfMonthMs(Utc(2026, 11, 15), ny), Utc(2026, 11, 1, 4));
}

TEST(TimeZoneSettingTest, SkippedMidnightStartsTheDayAtTheTransition) {
  // Santiago moves its clocks from 00:00 to 01:00 on 2026-09-06 (a skipped midnight).
  const absl::TimeZone santiago = Zone("America/Santiago");
  const int64_t start = StartOfDayMs(Utc(2026, 9, 6, 12), santiago);
  const absl::CivilSecond local = absl::ToCivilSecond(absl::FromUnixMillis(start), santiago);
  EXPECT_EQ(local, absl::CivilSecond(2026, 9, 6, 1, 0, 0));
  // The instant before is still the 5th.
  EXPECT_EQ(absl::ToCivilDay(absl::FromUnixMillis(start - 1), santiago), absl::CivilDay(2026, 9, 5));
}

TEST(TimeZoneSettingTest, FormatsWithTheZoneAbbreviation) {
  EXPECT_EQ(FormatLocalTime(Utc(2026, 12, 6, 12, 30), Zone("Asia/Shanghai")), "2026-12-06 20:30:00 CST");
  EXPECT_EQ(FormatLocalTime(Utc(2026, 7, 1, 12), Zone("America/New_York")), "2026-07-01 08:00:00 EDT");
}

}  // namespace
}  // namespace gempool
