#pragma once
// Reads how an upstream attempt went, from the HTTP status and Google's error
// body (google.rpc.Status JSON: {"error":{code,message,status,details}}, or
// array-wrapped [{"error":...}] on JSON-array streams), so the key broker can
// cool down, count or disable the key, and the gateway can decide whether
// another key could do better.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "gempool/common/outcome_kind.h"

namespace gempool::gemini {

// One definition for the classifier, the pool and the probe
// (gempool/common/outcome_kind.h).
using OutcomeKind = ::gempool::OutcomeKind;
using ::gempool::OutcomeKindName;

// Whether a failed attempt of this kind may succeed with another key (all but
// kClientError; a malformed request fails the same with every key).
bool RetryableWithAnotherKey(OutcomeKind kind);

struct Classification {
  OutcomeKind kind = OutcomeKind::kSuccess;
  // ErrorInfo.reason ("API_KEY_INVALID"), else the canonical status
  // ("RESOURCE_EXHAUSTED"), else one derived from the HTTP status; for
  // transport failures "TIMEOUT" or "CONNECTION". Empty on success.
  std::string error_reason;
  // RetryInfo.retryDelay ("19s", "3.700s"), else Retry-After, else the
  // "Please retry in 19.4s." hint in the message; 0 when absent.
  int64_t retry_delay_ms = 0;
  // quotaId of the first QuotaFailure violation.
  std::string quota_id;
  // The error message (or the start of a non-JSON body). Not redacted.
  std::string message;
};

// Classifies an HTTP response. `retry_after` is the Retry-After header ("" if
// absent), in seconds or as an HTTP date (compared with `now_unix_ms`).
Classification ClassifyResponse(int http_status, absl::string_view body,
                                absl::string_view retry_after, int64_t now_unix_ms);

enum class TransportFailure { kTimeout, kConnection };

// Classifies an attempt that got no (complete) HTTP response; `detail` says
// what happened ("connection refused", "read timed out").
Classification ClassifyTransportFailure(TransportFailure failure, absl::string_view detail);

// Parses a protobuf JSON Duration ("19s", "3.700s", "0.5s") into milliseconds,
// rounding up; -1 when malformed.
int64_t ParseDurationMs(absl::string_view text);

}  // namespace gempool::gemini
