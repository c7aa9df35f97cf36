#pragma once
// The one mapping from canonical status codes to HTTP statuses, used by every
// HTTP edge (the Gemini native routes, the OpenAI routes, the admin API), so
// the same failure always reaches clients with the same status.

#include "absl/status/status.h"

namespace gempool {

// kInvalidArgument/kFailedPrecondition/kOutOfRange → 400, kUnauthenticated →
// 401, kPermissionDenied → 403, kNotFound → 404, kAlreadyExists/kAborted →
// 409, kResourceExhausted → 429, kCancelled → 499, kUnimplemented → 501,
// kUnavailable → 503, kDeadlineExceeded → 504, kOk → 200, anything else → 500.
int HttpStatusForCode(absl::StatusCode code);

}  // namespace gempool
