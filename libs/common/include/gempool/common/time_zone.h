#pragma once
// TIMEZONE: the IANA time zone in which gempool shows times (admin pages,
// gempoolctl) and cuts calendar days and months (the daily statistics, the
// month total). Loaded through absl (cctz), which reads the system's tzdata
// (/usr/share/zoneinfo, or $TZDIR), so days in zones with daylight saving
// time are 23 or 25 hours long where they should be.
//
// Pure functions; thread-safe (absl::TimeZone is a cheap, immutable handle).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gempool {

// The longest window of calendar days gempool reports on (the admin usage
// API, gempoolctl usage, persistence's QueryUsage).
inline constexpr int kMaxCalendarDays = 400;

// The zone called `name` ("Asia/Shanghai", "UTC", "Etc/GMT+8", ...): letters,
// digits and "/_-+", never a file path. An unknown name, or a known one
// without tzdata installed, is kInvalidArgument naming TIMEZONE.
absl::StatusOr<absl::TimeZone> LoadTimeZoneSetting(const std::string& name);

// The zone called `name`, or UTC with a warning in the log naming the reason
// when it cannot be loaded: for the services' day windows (tokens_per_day),
// which must go on whatever TIMEZONE says (the config check refuses a bad
// one at start; this is for a zone whose tzdata went missing).
absl::TimeZone LoadTimeZoneOrUtc(const std::string& name);

// Unix ms of the local midnight that starts the calendar day holding
// `unix_ms` in `zone` (the first instant of that day, also when midnight
// itself is skipped by a DST change).
int64_t StartOfDayMs(int64_t unix_ms, const absl::TimeZone& zone);

// Unix ms of the start of the calendar month holding `unix_ms` in `zone`.
int64_t StartOfMonthMs(int64_t unix_ms, const absl::TimeZone& zone);

// The starts of the last `days` calendar days in `zone` up to and including
// the one holding `unix_ms`, then the start of the next day: days + 1
// ascending instants, so day i is [edges[i], edges[i + 1]).
std::vector<int64_t> DayEdgesMs(int64_t unix_ms, int days, const absl::TimeZone& zone);

// The calendar days a report covers, cut in `zone`, as DayEdgesMs gives
// them (the start of each day, then the end of the last). `since` is "" (7
// days), "today", "<N>d" (N days up to the last day, 1 <= N <=
// kMaxCalendarDays) or a first day YYYY-MM-DD; `until` the last day as
// YYYY-MM-DD, or "" for the day holding `now_ms`. kInvalidArgument saying
// what to change (a since after until, more than kMaxCalendarDays days, ...).
absl::StatusOr<std::vector<int64_t>> CalendarDayEdges(const std::string& since, const std::string& until,
                                                      int64_t now_ms, const absl::TimeZone& zone);

// "2026-12-06 20:30:00 CST": `unix_ms` in `zone`, with the zone's
// abbreviation (or numeric offset) so a reader knows which zone it is.
std::string FormatLocalTime(int64_t unix_ms, const absl::TimeZone& zone);

}  // namespace gempool
