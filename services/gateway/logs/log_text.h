#pragma once
// Text from upstream (error bodies, messages) on its way into logs and RPCs:
// protobuf string fields must be valid UTF-8 and the log tables have size
// limits, so it is cut at a character boundary and invalid bytes replaced.

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace gempool::gateway {

// At most `max_bytes` bytes of valid UTF-8: invalid bytes become '?', and a
// cut never splits a character. Appends "…[truncated]" when cut (counted in
// the limit).
std::string LogSafeText(absl::string_view text, size_t max_bytes);

}  // namespace gempool::gateway
