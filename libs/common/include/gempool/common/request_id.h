#pragma once
// The request id rule shared by every service: each client request gets one
// id, answered in the `x-request-id` response header, sent to the key broker
// and persistence as gRPC metadata `x-request-id`, stored in the request and
// error log rows, and written in log lines about the request.
//
// The client's own `x-request-id` is kept when it is sane: 1 to 128
// characters, each one of [A-Za-z0-9._:/+=-] (no spaces, no control or
// non-ASCII characters: it goes into logs, headers and JSON unescaped).
// Anything else gets a new id: 32 lowercase hex characters (128 random bits)
// from a per-thread generator seeded once from the OS, so making one costs
// no lock and no system call. Thread-safe.

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace gempool {

// The HTTP header and the gRPC metadata key (lower case, as gRPC wants it).
inline constexpr absl::string_view kRequestIdHeader = "x-request-id";
inline constexpr size_t kMaxRequestIdLength = 128;

// Whether `id` may be used as it is (the rule above).
bool IsSaneRequestId(absl::string_view id);

// A new random id: 32 lowercase hex characters.
std::string NewRequestId();

// The id of a request whose client sent `client_id` (nullopt: no header):
// the client's when sane, else a new one.
std::string RequestIdFor(std::optional<absl::string_view> client_id);

}  // namespace gempool
