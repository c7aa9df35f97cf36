#include "gempool/keypool/daily_quota_reset.h"

#include "absl/time/civil_time.h"

namespace gempool::keypool {
namespace {

constexpr int64_t kHourMs = 60 * 60 * 1000;

// The n-th (1-based) Sunday of a month.
absl::CivilDay NthSunday(int64_t year, int month, int n) {
  absl::CivilDay day(year, month, 1);
  while (absl::GetWeekday(day) != absl::Weekday::sunday) ++day;
  return day + 7 * (n - 1);
}

// Whether Pacific daylight time is in force at Unix ms `t`: from the second
// Sunday of March 02:00 PST (10:00 UTC) to the first Sunday of November
// 02:00 PDT (09:00 UTC).
bool IsPacificDaylightTime(int64_t t_ms) {
  const absl::Time t = absl::FromUnixMillis(t_ms);
  const int64_t year = absl::ToCivilYear(t, absl::UTCTimeZone()).year();
  const absl::Time start =
      absl::FromCivil(absl::CivilSecond(NthSunday(year, 3, 2)) + 10 * 3600, absl::UTCTimeZone());
  const absl::Time end =
      absl::FromCivil(absl::CivilSecond(NthSunday(year, 11, 1)) + 9 * 3600, absl::UTCTimeZone());
  return t >= start && t < end;
}

int64_t PacificOffsetMs(int64_t t_ms) { return IsPacificDaylightTime(t_ms) ? -7 * kHourMs : -8 * kHourMs; }

}  // namespace

DailyQuotaReset DailyQuotaReset::Load() {
  absl::TimeZone zone;
  if (absl::LoadTimeZone("America/Los_Angeles", &zone)) return DailyQuotaReset(zone);
  return FixedRule();
}

DailyQuotaReset DailyQuotaReset::FixedRule() { return DailyQuotaReset(std::nullopt); }

int64_t DailyQuotaReset::NextResetMs(int64_t now_ms) const {
  const absl::Time now = absl::FromUnixMillis(now_ms);
  if (zone_.has_value()) {
    const absl::CivilDay tomorrow = absl::ToCivilDay(now, *zone_) + 1;
    return absl::ToUnixMillis(absl::FromCivil(tomorrow, *zone_));
  }
  // Local civil day from the offset in force now; then the offset in force at
  // the next local midnight (transitions happen at 02:00, never at midnight,
  // so midnight is never skipped or repeated).
  const absl::Time local_as_utc = now + absl::Milliseconds(PacificOffsetMs(now_ms));
  const absl::CivilDay tomorrow = absl::ToCivilDay(local_as_utc, absl::UTCTimeZone()) + 1;
  const int64_t midnight_as_utc_ms = absl::ToUnixMillis(absl::FromCivil(tomorrow, absl::UTCTimeZone()));
  // Try the standard offset first; if that instant is in daylight time, the
  // midnight is a PDT one.
  const int64_t pst = midnight_as_utc_ms + 8 * kHourMs;
  if (!IsPacificDaylightTime(pst)) return pst;
  return midnight_as_utc_ms + 7 * kHourMs;
}

}  // namespace gempool::keypool
