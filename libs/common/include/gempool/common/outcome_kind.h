#pragma once
// How one upstream attempt with a pool key ended: the one definition the
// error classifier (gemini::ClassifyResponse), the key pool and the key
// broker's probe share, and that keybroker.proto's OutcomeKind carries
// between services (keypool::OutcomeKindToProto / FromProto convert).

namespace gempool {

enum class OutcomeKind {
  // 2xx: clears the key's failure count.
  kSuccess,
  // 429 RESOURCE_EXHAUSTED: the key cools down (per model when the quota is).
  kRateLimited,
  // 400 API_KEY_INVALID, 401, 403: the key is dead, disabled at once.
  kKeyInvalid,
  // 5xx: counts toward max_failures.
  kServerError,
  // No answer within TIME_OUT: counts toward max_failures.
  kTimeout,
  // Connection refused/reset, TLS failure, broken stream: counts toward
  // max_failures.
  kConnectionError,
  // The request itself is wrong (every key would fail alike): never counts
  // against the key.
  kClientError,
};

// How many kinds there are (kClientError is the last: keep it so).
inline constexpr int kOutcomeKindCount = static_cast<int>(OutcomeKind::kClientError) + 1;

// "SUCCESS", "RATE_LIMITED", "KEY_INVALID", "SERVER_ERROR", "TIMEOUT",
// "CONNECTION_ERROR", "CLIENT_ERROR": the proto's names without the prefix.
const char* OutcomeKindName(OutcomeKind kind);

}  // namespace gempool
