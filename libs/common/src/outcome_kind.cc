#include "gempool/common/outcome_kind.h"

namespace gempool {

const char* OutcomeKindName(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kSuccess:
      return "SUCCESS";
    case OutcomeKind::kRateLimited:
      return "RATE_LIMITED";
    case OutcomeKind::kKeyInvalid:
      return "KEY_INVALID";
    case OutcomeKind::kServerError:
      return "SERVER_ERROR";
    case OutcomeKind::kTimeout:
      return "TIMEOUT";
    case OutcomeKind::kConnectionError:
      return "CONNECTION_ERROR";
    case OutcomeKind::kClientError:
      return "CLIENT_ERROR";
  }
  return "UNKNOWN";
}

}  // namespace gempool
