#pragma once
// gempoolctl usage: token usage per calendar day (in TIMEZONE) and the top
// keys, models or client tokens, read through the key broker's KeyAdmin
// QueryUsage relay (persistence's hourly usage table, kept past log
// retention), printed as a table or JSON with the admin API's field names.
// Not thread-safe (one per command).

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli.h"
#include "commands.h"

namespace gempool::ctl {

// The days a usage command covers, cut in `zone`: starts of each day then
// the end of the last, as DayEdgesMs gives them. `since` is "today", "<N>d"
// (N days up to the last day) or a date YYYY-MM-DD; `until` the last day as
// YYYY-MM-DD, or "" for the day holding `now_ms`. kInvalidArgument saying
// what to change (e.g. a since after until, or more than 400 days).
absl::StatusOr<std::vector<int64_t>> UsageDayEdges(const std::string& since, const std::string& until,
                                                   int64_t now_ms, const absl::TimeZone& zone);

// Runs `inv` (Command::kUsage); returns the exit code (cli.h).
int RunUsage(const Invocation& inv, const Targets& targets, std::ostream& out, std::ostream& err);

}  // namespace gempool::ctl
