#include "gempool/common/time_zone.h"

#include "absl/strings/str_cat.h"

namespace gempool {

absl::StatusOr<absl::TimeZone> LoadTimeZoneSetting(const std::string& name) {
  absl::TimeZone zone;
  if (name.empty()) {
    return absl::InvalidArgumentError("TIMEZONE is empty: set an IANA time zone such as Asia/Shanghai or UTC");
  }
  if (!absl::LoadTimeZone(name, &zone)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TIMEZONE='", name, "' is not a known time zone: use an IANA name such as Asia/Shanghai, "
        "America/New_York or UTC (and install the tzdata package if every name fails)"));
  }
  return zone;
}

int64_t StartOfDayMs(int64_t unix_ms, const absl::TimeZone& zone) {
  const absl::CivilDay day = absl::ToCivilDay(absl::FromUnixMillis(unix_ms), zone);
  // At a skipped midnight (a DST change at 00:00), `pre` is the transition
  // instant itself: the first instant of the day.
  const absl::TimeZone::TimeInfo info = zone.At(absl::CivilSecond(day));
  return absl::ToUnixMillis(info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre);
}

int64_t StartOfMonthMs(int64_t unix_ms, const absl::TimeZone& zone) {
  const absl::CivilMonth month = absl::ToCivilMonth(absl::FromUnixMillis(unix_ms), zone);
  const absl::TimeZone::TimeInfo info = zone.At(absl::CivilSecond(month));
  return absl::ToUnixMillis(info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre);
}

std::vector<int64_t> DayEdgesMs(int64_t unix_ms, int days, const absl::TimeZone& zone) {
  const absl::CivilDay today = absl::ToCivilDay(absl::FromUnixMillis(unix_ms), zone);
  std::vector<int64_t> edges;
  edges.reserve(static_cast<size_t>(days) + 1);
  for (int i = days - 1; i >= -1; --i) {
    const absl::TimeZone::TimeInfo info = zone.At(absl::CivilSecond(today - i));
    edges.push_back(absl::ToUnixMillis(info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre));
  }
  return edges;
}

std::string FormatLocalTime(int64_t unix_ms, const absl::TimeZone& zone) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %Z", absl::FromUnixMillis(unix_ms), zone);
}

}  // namespace gempool
