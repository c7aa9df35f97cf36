#pragma once
// The one place SOCI exceptions become absl::Status. SOCI 4.0.3 classifies
// only some MySQL errors and no SQLite errors, so the backend's own error
// numbers are consulted too:
//   connection lost / server unreachable / database busy → kUnavailable
//   unique or other constraint violated                  → kAlreadyExists
//   deadlock                                             → kAborted (retry)
//   statement over MySQL's max_allowed_packet            → kFailedPrecondition
//   anything else                                        → kInternal
// Messages name the operation and carry the database's own text, never the
// statement or its values (they may hold key secrets).

#include <soci/soci.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace gempool::storage {

// `what` names the operation, e.g. "saving key states".
absl::Status SociErrorToStatus(const soci::soci_error& error, absl::string_view what);

// Whether the error means the connection itself is gone (MySQL), so the
// pooled session must be reconnected before its next use.
bool IsConnectionLost(const soci::soci_error& error);

// Whether the error is a unique (or other) constraint violation.
bool IsConstraintViolation(const soci::soci_error& error);

// The MySQL error number of `error`, or 0 if it is not a MySQL error.
unsigned int MysqlErrorNumber(const soci::soci_error& error);

}  // namespace gempool::storage
