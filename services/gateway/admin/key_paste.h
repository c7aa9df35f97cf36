#pragma once
// Turns text an admin pasted into the "add keys" box into keys: one per line,
// or separated by commas, semicolons, spaces or tabs; quotes and brackets are
// dropped, so a JSON list or an API_KEYS=... line from a .env file work too.
// Keys are not checked against a format (new kinds appear, e.g. "AQ.");
// the broker rejects what cannot be a key. Stateless; thread-safe.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace gempool::gateway::admin {

// The keys in `text`, in order, repeats kept (the broker reports them as
// duplicates).
std::vector<std::string> SplitPastedKeys(absl::string_view text);

}  // namespace gempool::gateway::admin
