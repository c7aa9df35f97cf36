#include "gempool/clienttokens/usage_windows.h"

#include "gempool/common/time_zone.h"

namespace gempool::clienttokens {

int64_t MinuteStartMs(int64_t unix_ms) {
  int64_t rest = unix_ms % 60'000;
  if (rest < 0) rest += 60'000;
  return unix_ms - rest;
}

int64_t NextMinuteStartMs(int64_t unix_ms) { return MinuteStartMs(unix_ms) + 60'000; }

int64_t DayStartMs(int64_t unix_ms, const absl::TimeZone& zone) { return StartOfDayMs(unix_ms, zone); }

int64_t NextDayStartMs(int64_t unix_ms, const absl::TimeZone& zone) {
  // 26 hours past the start lands in the next day whatever DST does.
  return StartOfDayMs(StartOfDayMs(unix_ms, zone) + 26 * 3'600'000LL, zone);
}

void WindowUse::AddRequests(int64_t unix_ms, int64_t count) {
  const int64_t minute = MinuteStartMs(unix_ms);
  if (minute != minute_start_ms) {
    if (minute < minute_start_ms) return;  // A late count for a minute gone by.
    minute_start_ms = minute;
    requests = 0;
  }
  requests += count;
}

void WindowUse::AddTokens(int64_t unix_ms, int64_t count, const absl::TimeZone& zone) {
  const int64_t day = DayStartMs(unix_ms, zone);
  if (day != day_start_ms) {
    if (day < day_start_ms) return;
    day_start_ms = day;
    tokens = 0;
  }
  tokens += count;
}

CurrentUseCounts CurrentUse(const v1::TokenCounter& counter, int64_t now_ms, const absl::TimeZone& zone) {
  const WindowUse use{counter.minute_start_ms(), counter.requests(), counter.day_start_ms(), counter.tokens()};
  return {use.RequestsIn(MinuteStartMs(now_ms)), use.TokensIn(DayStartMs(now_ms, zone))};
}

}  // namespace gempool::clienttokens
