#pragma once
// How one upstream attempt with a pool key ended, as the gateway classified
// it. The key pool turns outcomes into key states. Thread-compatible values.

#include <cstdint>
#include <string>

#include "gempool/common/outcome_kind.h"

namespace gempool::keypool {

// One definition for the classifier, the pool and the probe
// (gempool/common/outcome_kind.h).
using OutcomeKind = ::gempool::OutcomeKind;
using ::gempool::OutcomeKindName;

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
