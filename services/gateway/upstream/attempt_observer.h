#pragma once
// Told how every upstream attempt of the Forwarder ended (the metrics'
// upstream attempts by outcome). Called on the forward's strand (an
// event-loop thread): must be quick, never block or do I/O.

#include <string>

#include "gempool/common/outcome_kind.h"

namespace gempool::gateway {

// How one upstream attempt ended, for the metrics: the key's outcome (an
// OutcomeKind, converting implicitly), or one of the two endings that say
// nothing about the key. index() numbers them 0..kAttemptOutcomeCount-1.
class AttemptOutcome {
 public:
  constexpr AttemptOutcome(OutcomeKind kind) : index_(static_cast<int>(kind)) {}  // NOLINT: implicit on purpose
  // The client left before Google answered.
  static constexpr AttemptOutcome ClientGone() { return AttemptOutcome(kOutcomeKindCount); }
  // The gateway is shutting down.
  static constexpr AttemptOutcome Aborted() { return AttemptOutcome(kOutcomeKindCount + 1); }
  // The outcome numbered `index` (0 <= index < kAttemptOutcomeCount).
  static constexpr AttemptOutcome FromIndex(int index) { return AttemptOutcome(index); }

  constexpr int index() const { return index_; }
  constexpr bool operator==(AttemptOutcome other) const { return index_ == other.index_; }
  constexpr bool operator!=(AttemptOutcome other) const { return index_ != other.index_; }

 private:
  explicit constexpr AttemptOutcome(int index) : index_(index) {}
  int index_;
};
inline constexpr int kAttemptOutcomeCount = kOutcomeKindCount + 2;

// The metrics label: OutcomeKindName in lower case ("rate_limited"), or
// "client_gone", "aborted".
std::string AttemptOutcomeName(AttemptOutcome outcome);

class AttemptObserver {
 public:
  virtual ~AttemptObserver() = default;
  virtual void OnAttempt(AttemptOutcome outcome) = 0;
};

}  // namespace gempool::gateway
