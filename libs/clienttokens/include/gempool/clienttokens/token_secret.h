#pragma once
// The secret of a managed client token and how it is recognised: "gp-" and
// 40 base62 characters from OpenSSL's CSPRNG (about 238 bits), stored and
// sent only as its SHA-256 (gempool::Sha256Hex, gempool/common/secrets.h).
// Thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::clienttokens {

inline constexpr absl::string_view kSecretPrefix = "gp-";
inline constexpr int kSecretRandomChars = 40;
// Characters of the secret shown on the admin page to recognise it.
inline constexpr int kShownPrefixChars = 7;

// A new secret; kInternal if the CSPRNG fails (never expected).
absl::StatusOr<std::string> GenerateSecret();

// The first kShownPrefixChars characters of `secret` ("gp-3fA9").
std::string ShownPrefix(absl::string_view secret);

}  // namespace gempool::clienttokens
