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

// TIMEZONE is a name, not a path (the settings fuzzer, tests/fuzz/config_settings):
// absl opens whatever file a name leads to, a FIFO or /dev/stdin included.
TEST(TimeZoneSettingTest, RefusesPathsAndAcceptsIanaPunctuation) {
  for (const char* path : {"/etc/localtime", "../zoneinfo/UTC", "file:/usr/share/zoneinfo/UTC", "/dev/stdin",
                           "Asia/Shanghai\n"}) {
    EXPECT_THAT(LoadTimeZoneSetting(path).status().message(), HasSubstr("TIMEZONE=")) << path;
  }
  EXPECT_TRUE(LoadTimeZoneSetting("Etc/GMT+8").ok());
  EXPECT_TRUE(LoadTimeZoneSetting("America/Argentina/Buenos_Aires").ok());
  EXPECT_TRUE(LoadTimeZoneSetting("America/Port-au-Prince").ok());
}

TEST(TimeZoneSettingTest, LoadOrUtcFallsBackToUtc) {
  EXPECT_EQ(LoadTimeZoneOrUtc("Asia/Shanghai").name(), "Asia/Shanghai");
  EXPECT_EQ(LoadTimeZoneOrUtc("Mars/Olympus_Mons"), absl::UTCTimeZone());
  EXPECT_EQ(LoadTimeZoneOrUtc(""), absl::UTCTimeZone());
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

TEST(CalendarDayEdgesTest, CountsDaysUpToTheLastDay) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const int64_t now = 1752609600000;  // 2025-07-15T20:00:00Z
  absl::StatusOr<std::vector<int64_t>> week = CalendarDayEdges("7d", "", now, utc);
  ASSERT_TRUE(week.ok()) << week.status();
  ASSERT_EQ(week->size(), 8u);
  EXPECT_EQ(week->back(), 1752624000000);  // 2025-07-16T00:00:00Z
  EXPECT_EQ(week->front(), 1752624000000 - 7 * 86400000LL);
  EXPECT_EQ(CalendarDayEdges("", "", now, utc)->size(), 8u) << "7 days by default";
  EXPECT_EQ(CalendarDayEdges("today", "", now, utc)->size(), 2u);
  EXPECT_EQ(CalendarDayEdges("30d", "", now, utc)->size(), 31u);
  EXPECT_EQ(CalendarDayEdges("400d", "", now, utc)->size(), static_cast<size_t>(kMaxCalendarDays) + 1);
}

TEST(CalendarDayEdgesTest, CutsDaysInTheZoneBetweenTwoDates) {
  const absl::TimeZone shanghai = Zone("Asia/Shanghai");
  absl::StatusOr<std::vector<int64_t>> days = CalendarDayEdges("2025-07-10", "2025-07-16", 0, shanghai);
  ASSERT_TRUE(days.ok()) << days.status();
  ASSERT_EQ(days->size(), 8u);
  EXPECT_EQ(days->front(), 1752076800000);  // 2025-07-10 00:00 CST = 2025-07-09T16:00:00Z
  EXPECT_EQ(days->back(), 1752681600000);   // 2025-07-17 00:00 CST
  // A 23-hour day in New York (2026-03-08, clocks go forward).
  absl::StatusOr<std::vector<int64_t>> dst =
      CalendarDayEdges("2026-03-08", "2026-03-08", 0, Zone("America/New_York"));
  ASSERT_TRUE(dst.ok()) << dst.status();
  ASSERT_EQ(dst->size(), 2u);
  EXPECT_EQ((*dst)[1] - (*dst)[0], 23 * kHourMs);
}

TEST(CalendarDayEdgesTest, ErrorsSayWhatToChange) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const int64_t now = 1752609600000;
  EXPECT_EQ(CalendarDayEdges("0d", "", now, utc).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CalendarDayEdges("7", "", now, utc).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(CalendarDayEdges("401d", "", now, utc).status().message(), HasSubstr("400d"));
  EXPECT_THAT(CalendarDayEdges("yesterday", "", now, utc).status().message(), HasSubstr("today, a number of days"));
  EXPECT_THAT(CalendarDayEdges("1w", "", now, utc).status().message(), HasSubstr("today, a number of days (1d to 400d)"));
  EXPECT_THAT(CalendarDayEdges("7d", "16/07/2025", now, utc).status().message(), HasSubstr("YYYY-MM-DD"));
  EXPECT_THAT(CalendarDayEdges("2020-01-01", "", now, utc).status().message(), HasSubstr("at most 400"));
  absl::StatusOr<std::vector<int64_t>> reversed = CalendarDayEdges("2025-07-20", "2025-07-10", now, utc);
  EXPECT_EQ(reversed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(reversed.status().message(), HasSubstr("after the last day shown"));
}

}  // namespace
}  // namespace gempool
