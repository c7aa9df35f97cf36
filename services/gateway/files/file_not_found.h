#pragma once
// The one answer for a file a client may not see: unknown, expired, or
// (with FILES_USER_ISOLATION_ENABLED) another client token's. The same
// status and words in every case, so a client cannot tell another token's
// file from one that does not exist.
//
// Pure; thread-safe.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace gempool::gateway {

// NOT_FOUND naming `name` ("files/abc").
absl::Status FileNotFound(absl::string_view name);

}  // namespace gempool::gateway
