#pragma once
// When a per-day Gemini quota resets: Google's daily limits (quota ids
// containing "PerDay") reset at midnight Pacific time, so a key that exhausted
// one cools for that model until the next midnight in America/Los_Angeles,
// not forever and not for a fixed 24 h. Immutable after construction;
// thread-safe.

#include <cstdint>
#include <optional>

#include "absl/time/time.h"

namespace gempool::keypool {

class DailyQuotaReset {
 public:
  // Uses the tz database (/usr/share/zoneinfo or $TZDIR) when it has
  // America/Los_Angeles, else the fixed US rule of FixedRule().
  static DailyQuotaReset Load();
  // The US rule without tzdata: PST (UTC-8), and PDT (UTC-7) from the second
  // Sunday of March 02:00 to the first Sunday of November 02:00 local time.
  static DailyQuotaReset FixedRule();

  // The first Pacific midnight strictly after `now_ms` (Unix ms).
  int64_t NextResetMs(int64_t now_ms) const;

  // Whether the tz database is in use (false: the fixed rule).
  bool uses_tzdata() const { return zone_.has_value(); }

 private:
  explicit DailyQuotaReset(std::optional<absl::TimeZone> zone) : zone_(zone) {}
  std::optional<absl::TimeZone> zone_;
};

}  // namespace gempool::keypool
