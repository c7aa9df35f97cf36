#pragma once
// Told how every upstream attempt of the Forwarder ended (the metrics'
// upstream attempts by outcome). Called on the forward's strand (an
// event-loop thread): must be quick, never block or do I/O.

#include "gempool/gemini/error_classifier.h"

namespace gempool::gateway {

// How one upstream attempt ended: the outcome classification of
// gemini::OutcomeKind, plus the two endings that say nothing about the key.
enum class AttemptOutcome {
  kSuccess,
  kRateLimited,
  kKeyInvalid,
  kServerError,
  kTimeout,
  kConnectionError,
  kClientError,
  kClientGone,  // The client left before Google answered.
  kAborted,     // The gateway is shutting down. Keep last (kAttemptOutcomeCount).
};
inline constexpr int kAttemptOutcomeCount = static_cast<int>(AttemptOutcome::kAborted) + 1;

inline const char* AttemptOutcomeName(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::kSuccess: return "success";
    case AttemptOutcome::kRateLimited: return "rate_limited";
    case AttemptOutcome::kKeyInvalid: return "key_invalid";
    case AttemptOutcome::kServerError: return "server_error";
    case AttemptOutcome::kTimeout: return "timeout";
    case AttemptOutcome::kConnectionError: return "connection_error";
    case AttemptOutcome::kClientError: return "client_error";
    case AttemptOutcome::kClientGone: return "client_gone";
    case AttemptOutcome::kAborted: return "aborted";
  }
  return "unknown";
}

inline AttemptOutcome AttemptOutcomeOf(gemini::OutcomeKind kind) {
  switch (kind) {
    case gemini::OutcomeKind::kSuccess: return AttemptOutcome::kSuccess;
    case gemini::OutcomeKind::kRateLimited: return AttemptOutcome::kRateLimited;
    case gemini::OutcomeKind::kKeyInvalid: return AttemptOutcome::kKeyInvalid;
    case gemini::OutcomeKind::kServerError: return AttemptOutcome::kServerError;
    case gemini::OutcomeKind::kTimeout: return AttemptOutcome::kTimeout;
    case gemini::OutcomeKind::kConnectionError: return AttemptOutcome::kConnectionError;
    case gemini::OutcomeKind::kClientError: return AttemptOutcome::kClientError;
  }
  return AttemptOutcome::kClientError;
}

class AttemptObserver {
 public:
  virtual ~AttemptObserver() = default;
  virtual void OnAttempt(AttemptOutcome outcome) = 0;
};

}  // namespace gempool::gateway
