#include "gempool/clienttokens/token_secret.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

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

std::string Sha256Hex(absl::string_view text) {
  // Fetched once (OpenSSL 3's one-shot SHA256() looks it up per call).
  static const EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (kSha256 == nullptr || EVP_Digest(text.data(), text.size(), digest, &size, kSha256, nullptr) != 1 ||
      size != 32) {
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    size = 32;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (unsigned int i = 0; i < 32; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

std::string ShownPrefix(absl::string_view secret) { return std::string(secret.substr(0, kShownPrefixChars)); }

}  // namespace gempool::clienttokens
