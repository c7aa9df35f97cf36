#include "upstream/attempt_observer.h"

#include "absl/strings/ascii.h"

namespace gempool::gateway {

std::string AttemptOutcomeName(AttemptOutcome outcome) {
  if (outcome == AttemptOutcome::ClientGone()) return "client_gone";
  if (outcome == AttemptOutcome::Aborted()) return "aborted";
  if (outcome.index() < 0 || outcome.index() >= kOutcomeKindCount) return "unknown";
  return absl::AsciiStrToLower(OutcomeKindName(static_cast<OutcomeKind>(outcome.index())));
}

}  // namespace gempool::gateway
