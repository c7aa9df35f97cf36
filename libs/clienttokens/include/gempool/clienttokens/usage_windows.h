#pragma once
// The windows client-token limits count in: the UTC calendar minute for
// requests, the TIMEZONE calendar day for tokens, and a token's use in them.
// Pure; thread-safe.

#include <cstdint>

#include "absl/time/time.h"
#include "gempool/v1/keybroker.pb.h"

namespace gempool::clienttokens {

// Start (Unix ms) of the UTC minute holding `unix_ms`, and of the next one.
int64_t MinuteStartMs(int64_t unix_ms);
int64_t NextMinuteStartMs(int64_t unix_ms);

// Start (Unix ms) of the calendar day in `zone` holding `unix_ms`, and of
// the next one (23 or 25 hours later across a DST change).
int64_t DayStartMs(int64_t unix_ms, const absl::TimeZone& zone);
int64_t NextDayStartMs(int64_t unix_ms, const absl::TimeZone& zone);

// Use of one token: requests in the minute starting at minute_start_ms,
// tokens in the day starting at day_start_ms. A window that is not the
// current one counts as zero.
struct WindowUse {
  int64_t minute_start_ms = 0;
  int64_t requests = 0;
  int64_t day_start_ms = 0;
  int64_t tokens = 0;

  // Requests in the minute starting at `minute_start_ms` (0 if that is not
  // this use's minute); tokens likewise for the day.
  int64_t RequestsIn(int64_t minute) const { return minute_start_ms == minute ? requests : 0; }
  int64_t TokensIn(int64_t day) const { return day_start_ms == day ? tokens : 0; }

  // Counts `requests` more in the minute holding `unix_ms` (a new minute
  // starts from zero).
  void AddRequests(int64_t unix_ms, int64_t count);
  // Counts `count` tokens more on the day holding `unix_ms` in `zone`.
  void AddTokens(int64_t unix_ms, int64_t count, const absl::TimeZone& zone);
};

// A token's use at `now_ms` from the broker's counter (KeyAdmin
// ListClientTokens): requests in the current minute and tokens today in
// `zone`; windows gone by count as zero. What the admin page and gempoolctl
// show.
struct CurrentUseCounts {
  int64_t requests_this_minute = 0;
  int64_t tokens_today = 0;
};
CurrentUseCounts CurrentUse(const v1::TokenCounter& counter, int64_t now_ms, const absl::TimeZone& zone);

}  // namespace gempool::clienttokens
