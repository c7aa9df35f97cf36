#pragma once
// The time zone gempoolctl's human output shows times in: TIMEZONE as the
// services have it in force, i.e. the environment and .env with a TIMEZONE
// saved on the admin configuration page laid over it (config::ApplyUiSettings,
// the same rule every service follows), read from the persistence service.
// When persistence does not answer (within 2 s), the environment's TIMEZONE;
// UTC when the name is unknown. JSON output uses it only where a zone
// decides a value: the calendar days of `usage` (their starts and dates) and
// `tokens list`'s tokens_today; its times are Unix milliseconds (*_ms),
// which carry no zone. Not thread-safe (one per command).

#include <map>
#include <string>

#include "absl/time/time.h"
#include "gempool/common/environment.h"

namespace gempool::ctl {

struct ShownTimeZone {
  std::string name;
  absl::TimeZone zone;
};

// TIMEZONE in force given the process environment `env` and the settings
// table `stored` (empty when unread); the default when neither sets it.
std::string TimezoneInForce(const Environment& env, const std::map<std::string, std::string>& stored);

// Loads .env and the environment, asks persistence at `persistence_addr`
// ("" to skip) for the settings table, and loads the zone.
ShownTimeZone ResolveShownTimeZone(const std::string& persistence_addr, int timeout_ms);

// "2026-12-06 20:30:00 CST"; "-" for 0 (never).
std::string FormatShownTime(int64_t unix_ms, const ShownTimeZone& zone);

}  // namespace gempool::ctl
