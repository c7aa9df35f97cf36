#pragma once
// CUSTOM_HEADERS: extra headers gempool adds to its upstream requests (the
// gateway's calls and the key broker's probes). One check for the admin page
// (before saving), the gateway's live settings and the broker's prober.
// Pure; thread-safe.

#include <map>
#include <string>

#include "absl/status/status.h"

namespace gempool::config {

// OK when every header may be sent: InvalidArgument for one gempool sets
// itself (x-goog-api-key, authorization, host, content-length,
// transfer-encoding, connection: the pool key is the only credential sent
// upstream) or one that is not a valid HTTP header (an empty name, white
// space, ':' or a line break in the name, a line break in the value). The
// message names the header, never its value, which may hold a credential.
absl::Status CheckCustomHeaders(const std::map<std::string, std::string>& headers);

}  // namespace gempool::config
