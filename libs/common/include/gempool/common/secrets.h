#pragma once
// Keeping secrets out of places they do not belong: masked keys for display,
// redaction of keys in upstream error text (Google's 403 messages quote the
// key), a stable non-secret id for a client token in the logs, hashes of
// secrets, and comparing secrets without leaking through timing.

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

// Lowercase hex SHA-256 of `text` (64 characters).
std::string Sha256Hex(absl::string_view text);

// A short, stable, non-reversible id of a client token for logs: the first 12
// hex digits of its SHA-256 (Sha256Hex). Empty token → "".
std::string TokenId(absl::string_view token);

// Whether secrets `a` and `b` are equal, in time that depends on their
// lengths only, not on where the first difference is (OpenSSL's
// CRYPTO_memcmp), so a response's timing does not tell how much of a guess
// was right.
bool SecretEquals(absl::string_view a, absl::string_view b);

}  // namespace gempool
