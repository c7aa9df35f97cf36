#include "gempool/common/secrets.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace gempool {
namespace {

bool IsKeyChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// Masks API-key-shaped tokens that were not in the known list.
std::string RedactKeyShapes(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool at_boundary = i == 0 || !IsKeyChar(text[i - 1]);
    bool aiza = at_boundary && text.compare(i, 4, "AIza") == 0;
    bool aq = at_boundary && text.compare(i, 3, "AQ.") == 0;
    if (aiza || aq) {
      size_t j = i;
      while (j < text.size() && IsKeyChar(text[j])) ++j;
      if (j - i >= 20) {
        out += MaskKey(absl::string_view(text).substr(i, j - i));
        i = j;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace

std::string MaskKey(absl::string_view key) {
  if (key.size() <= 12) {
    return absl::StrCat("...", key.size() > 2 ? key.substr(key.size() - 2) : absl::string_view());
  }
  return absl::StrCat(key.substr(0, 6), "...", key.substr(key.size() - 4));
}

std::string RedactSecrets(absl::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const std::string& secret : secrets) {
    if (secret.size() < 6) continue;  // Too short to replace safely.
    absl::StrReplaceAll({{secret, MaskKey(secret)}}, &out);
  }
  return RedactKeyShapes(out);
}

std::string Sha256Hex(absl::string_view text) {
  // OpenSSL 3's one-shot SHA256() looks the algorithm up on every call
  // (~8,000 instructions, and TokenId runs on every client request); fetched
  // once here, immutable afterwards and safe to share between threads.
  static const EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (kSha256 == nullptr || EVP_Digest(text.data(), text.size(), digest, &size, kSha256, nullptr) != 1 ||
      size != SHA256_DIGEST_LENGTH) {
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * SHA256_DIGEST_LENGTH, '0');
  for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

std::string TokenId(absl::string_view token) {
  if (token.empty()) return "";
  std::string id = Sha256Hex(token);
  id.resize(12);
  return id;
}

bool SecretEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gempool
