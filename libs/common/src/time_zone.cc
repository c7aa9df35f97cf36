#include "gempool/common/time_zone.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"

namespace gempool {
namespace {

absl::StatusOr<absl::CivilDay> ParseDay(const char* name, const std::string& text) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) {
    return absl::InvalidArgumentError(absl::StrCat(name, " '", text, "' is not a date: expected YYYY-MM-DD"));
  }
  return day;
}

}  // namespace

absl::StatusOr<absl::TimeZone> LoadTimeZoneSetting(const std::string& name) {
  absl::TimeZone zone;
  if (name.empty()) {
    return absl::InvalidArgumentError("TIMEZONE is empty: set an IANA time zone such as Asia/Shanghai or UTC");
  }
  // An IANA name, never a path: absl would open "/dev/stdin" or
  // "../../etc/x" relative to the zoneinfo directory as given.
  const bool iana_like = name.front() != '/' && std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
  });
  if (!iana_like || !absl::LoadTimeZone(name, &zone)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TIMEZONE='", name, "' is not a known time zone: use an IANA name such as Asia/Shanghai, "
        "America/New_York or UTC (and install the tzdata package if every name fails)"));
  }
  return zone;
}

absl::TimeZone LoadTimeZoneOrUtc(const std::string& name) {
  absl::StatusOr<absl::TimeZone> zone = LoadTimeZoneSetting(name);
  if (zone.ok()) return *zone;
  GEMPOOL_LOG(WARNING) << zone.status().message() << "; days are counted in UTC meanwhile";
  return absl::UTCTimeZone();
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

absl::StatusOr<std::vector<int64_t>> CalendarDayEdges(const std::string& since, const std::string& until,
                                                      int64_t now_ms, const absl::TimeZone& zone) {
  absl::CivilDay last = absl::ToCivilDay(absl::FromUnixMillis(now_ms), zone);
  if (!until.empty()) {
    absl::StatusOr<absl::CivilDay> day = ParseDay("until", until);
    if (!day.ok()) return day.status();
    last = *day;
  }
  int64_t days = 0;
  if (since.empty() || since == "today") {
    days = since.empty() ? 7 : 1;
  } else if (since.size() >= 2 && since.back() == 'd' && absl::SimpleAtoi(since.substr(0, since.size() - 1), &days)) {
    if (days < 1 || days > kMaxCalendarDays) {
      return absl::InvalidArgumentError(absl::StrCat("since ", since, ": use 1d to ", kMaxCalendarDays, "d"));
    }
  } else {
    absl::StatusOr<absl::CivilDay> first = ParseDay("since", since);
    if (!first.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("since '", since,
                                                     "' is not a window: use today, a number of days (1d to ",
                                                     kMaxCalendarDays, "d) or a first day (YYYY-MM-DD)"));
    }
    days = last - *first + 1;
    if (days < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("since ", since, " is after the last day shown (", absl::FormatCivilTime(last), ")"));
    }
    if (days > kMaxCalendarDays) {
      return absl::InvalidArgumentError(absl::StrCat("since ", since, " to ", absl::FormatCivilTime(last), " is ",
                                                     days, " days; at most ", kMaxCalendarDays));
    }
  }
  // Noon of the last day: a time inside it whatever the zone's DST changes.
  const absl::Time noon = zone.At(absl::CivilSecond(last) + 12 * 3600).pre;
  return DayEdgesMs(absl::ToUnixMillis(noon), static_cast<int>(days), zone);
}

std::string FormatLocalTime(int64_t unix_ms, const absl::TimeZone& zone) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %Z", absl::FromUnixMillis(unix_ms), zone);
}

}  // namespace gempool
