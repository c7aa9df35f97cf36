#pragma once
// Whether a managed client token may start one more request now: from the
// broker's shared counters (every gateway's reported use) plus this
// gateway's use not reported yet, against the token's limits. Answers which
// limit refused and when to retry. Pure; thread-safe.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gempool/clienttokens/usage_windows.h"
#include "gempool/v1/types.pb.h"

namespace gempool::clienttokens {

enum class Limit {
  kNone,
  kRequestsPerMinute,  // 429 until the next UTC minute.
  kTokensPerDay,       // 429 until the next TIMEZONE day.
  kModel,              // 403: the model is not in allowed_models.
};

// "requests_per_minute", "tokens_per_day", "allowed_models" (the field names
// admins set); "" for kNone.
absl::string_view LimitName(Limit limit);

struct LimitDecision {
  Limit refused_by = Limit::kNone;
  // Seconds until the window of the limit ends (>= 1); 0 for kNone / kModel.
  int64_t retry_after_s = 0;
  // For the client: "client token 'x' is over its requests_per_minute limit (3)".
  std::string message;

  bool allowed() const { return refused_by == Limit::kNone; }
  // 429, 403 or 200.
  int http_status() const;
};

// The decision for one request starting at `now_ms` for `model` (empty: the
// route names none). `shared` is the broker's counter, `local` this
// gateway's unreported use; requests already counted do not include this
// one. Checks the model first, then requests per minute, then tokens per day.
LimitDecision Decide(const v1::ClientToken& token, const WindowUse& shared, const WindowUse& local,
                     absl::string_view model, int64_t now_ms, const absl::TimeZone& zone);

// Only the model check (where the model becomes known after admission).
LimitDecision DecideModel(const v1::ClientToken& token, absl::string_view model);

}  // namespace gempool::clienttokens
