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

// The zone called `name` ("Asia/Shanghai", "UTC", ...). An unknown name, or
// a known one without tzdata installed, is kInvalidArgument naming TIMEZONE.
absl::StatusOr<absl::TimeZone> LoadTimeZoneSetting(const std::string& name);

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

// "2026-12-06 20:30:00 CST": `unix_ms` in `zone`, with the zone's
// abbreviation (or numeric offset) so a reader knows which zone it is.
std::string FormatLocalTime(int64_t unix_ms, const absl::TimeZone& zone);

}  // namespace gempool
