#pragma once
// Keeping secrets out of places they do not belong: masked keys for display,
// redaction of keys in upstream error text (Google's 403 messages quote the
// key), and a stable non-secret id for a client token in the logs.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace gempool {

// "AIzaSyAbc...wxyz" → "AIzaSy…wxyz"-style: first 6 and last 4 characters;
// short keys show only their last 2.
std::string MaskKey(absl::string_view key);

// Replaces every occurrence of each of `secrets` in `text` with its masked
// form, and also anything that looks like a Google API key (AIza + 35
// characters, or the newer "AQ." keys) even when not listed.
std::string RedactSecrets(absl::string_view text, const std::vector<std::string>& secrets);

// A short, stable, non-reversible id of a client token for logs: the first 12
// hex digits of its SHA-256. Empty token → "".
std::string TokenId(absl::string_view token);

}  // namespace gempool
