#include "text.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"
#include "gempool/storage/store.h"

namespace gempool::storage {
namespace {

// Length of the well-formed UTF-8 sequence starting at text[i], or 0.
size_t Utf8SequenceLength(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // Allowed range of the second byte.
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // No overlongs.
    if (b0 == 0xED) hi = 0x9F;  // No surrogates.
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // No overlongs.
    if (b0 == 0xF4) hi = 0x8F;  // Nothing above U+10FFFF.
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string SanitizeText(absl::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  for (size_t i = 0; i < text.size();) {
    const size_t len = Utf8SequenceLength(text, i);
    const size_t out_len = len == 0 ? 1 : len;
    if (out.size() + out_len > max_bytes) break;
    if (len == 0) {
      out.push_back('?');
      i += 1;
    } else {
      out.append(text.data() + i, len);
      i += len;
    }
  }
  return out;
}

absl::Status ValidateSecret(absl::string_view secret, int index) {
  if (secret.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("key #", index + 1, " is empty"));
  }
  if (secret.size() > static_cast<size_t>(kMaxSecretBytes)) {
    return absl::InvalidArgumentError(absl::StrCat("key #", index + 1, " ('", MaskKey(secret), "') is ", secret.size(),
                                                   " characters long; at most ", kMaxSecretBytes, " are allowed"));
  }
  for (char c : secret) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) {
      return absl::InvalidArgumentError(
          absl::StrCat("key #", index + 1, " ('", MaskKey(secret),
                       "') contains a space, control or non-ASCII character; API keys are printable ASCII"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateSettingName(absl::string_view name) {
  const auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("setting name '", SanitizeText(name, 64), "' is not valid: ", why,
                                                   " (use an environment variable name such as MAX_RETRIES)"));
  };
  if (name.empty()) return invalid("it is empty");
  if (name.size() > static_cast<size_t>(kMaxSettingNameBytes)) {
    return invalid(absl::StrCat("it is longer than ", kMaxSettingNameBytes, " characters"));
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) {
      return invalid("only letters, digits and '_' are allowed, and it must not start with a digit");
    }
  }
  return absl::OkStatus();
}

}  // namespace gempool::storage
