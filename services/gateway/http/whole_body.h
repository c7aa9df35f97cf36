#pragma once
// Reads a streamed request body (ClientCall::body_source) whole, for a
// handler of a streaming route that finds it has a small body after all (the
// Files API's upload start: its JSON metadata comes on the same route as the
// chunks). Blocks: worker threads only, never an event-loop thread (the
// pieces arrive there). Thread-safe.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "gempool/upstream/body_source.h"

namespace gempool::gateway {

// The whole body; InvalidArgument when it is larger than `max_bytes` (the
// rest is not read: the source is Cancel()led), else the source's error (the
// client left, or was too slow: REQUEST_BODY_TIMEOUT).
absl::StatusOr<std::string> ReadWholeBody(upstream::BodySource& source, uint64_t max_bytes);

}  // namespace gempool::gateway
