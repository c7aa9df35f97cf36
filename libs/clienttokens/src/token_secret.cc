#include "gempool/clienttokens/token_secret.h"

#include <openssl/rand.h>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace gempool::clienttokens {
namespace {

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

}  // namespace

absl::StatusOr<std::string> GenerateSecret() {
  std::string secret(kSecretPrefix);
  // Rejection sampling: bytes >= 248 (4 * 62) are redrawn so every
  // character is equally likely.
  while (static_cast<int>(secret.size()) < static_cast<int>(kSecretPrefix.size()) + kSecretRandomChars) {
    unsigned char bytes[64];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
      return absl::InternalError("could not draw random bytes for a client token (OpenSSL RAND_bytes failed)");
    }
    for (unsigned char byte : bytes) {
      if (byte >= 248) continue;
      secret += kBase62[byte % 62];
      if (static_cast<int>(secret.size()) == static_cast<int>(kSecretPrefix.size()) + kSecretRandomChars) break;
    }
  }
  return secret;
}

std::string ShownPrefix(absl::string_view secret) { return std::string(secret.substr(0, kShownPrefixChars)); }

}  // namespace gempool::clienttokens
