#pragma once
// How one upstream attempt with a pool key ended, as the gateway classified
// it. The key pool turns outcomes into key states. Thread-compatible values.

#include <cstdint>
#include <string>

namespace gempool::keypool {

// Mirrors gempool.v1.OutcomeKind.
enum class OutcomeKind {
  // 2xx: clears the key's failure count.
  kSuccess,
  // 429 RESOURCE_EXHAUSTED: the key cools down (per model when the quota is).
  kRateLimited,
  // 400 API_KEY_INVALID, 401, 403: the key is dead, disabled at once.
  kKeyInvalid,
  // 5xx: counts toward max_failures.
  kServerError,
  // No answer in time: counts toward max_failures.
  kTimeout,
  // Connection refused/reset, TLS failure, broken stream: counts toward
  // max_failures.
  kConnectionError,
  // The client's fault: never counts against the key.
  kClientError,
};

// "SUCCESS", "RATE_LIMITED", "KEY_INVALID", "SERVER_ERROR", "TIMEOUT",
// "CONNECTION_ERROR", "CLIENT_ERROR".
const char* OutcomeKindName(OutcomeKind kind);

struct Outcome {
  OutcomeKind kind = OutcomeKind::kSuccess;
  // Upstream HTTP status, 0 for transport failures.
  int http_status = 0;
  // Google's ErrorInfo reason or canonical status, e.g. "API_KEY_INVALID".
  std::string error_reason;
  // RetryInfo.retryDelay (or Retry-After) in ms; 0 when absent.
  int64_t retry_delay_ms = 0;
  // QuotaFailure quotaId, e.g. "GenerateRequestsPerDayPerProjectPerModel-FreeTier".
  std::string quota_id;
  // Upstream error message (the pool redacts the key again before keeping it).
  std::string message;
};

}  // namespace gempool::keypool
