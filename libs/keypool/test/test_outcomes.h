#pragma once
// Models and outcomes the key pool tests report, shared by the pool's tests
// and the key broker's (CMake: gempool_keypool_test_support).

#include <cstdint>
#include <string>
#include <utility>

#include "gempool/keypool/outcome.h"

namespace gempool::keypool::testing {

inline constexpr int64_t kSecond = 1000;
inline constexpr char kPro[] = "gemini-2.5-pro";
inline constexpr char kFlash[] = "gemini-2.5-flash";

inline Outcome Of(OutcomeKind kind) {
  Outcome outcome;
  outcome.kind = kind;
  return outcome;
}

// A 429 as Google sends it: RetryInfo's delay, and QuotaFailure's quota id
// when the quota is per model.
inline Outcome RateLimited(int64_t retry_delay_ms, std::string quota_id = "") {
  Outcome outcome = Of(OutcomeKind::kRateLimited);
  outcome.http_status = 429;
  outcome.error_reason = "RESOURCE_EXHAUSTED";
  outcome.retry_delay_ms = retry_delay_ms;
  outcome.quota_id = std::move(quota_id);
  return outcome;
}

}  // namespace gempool::keypool::testing
