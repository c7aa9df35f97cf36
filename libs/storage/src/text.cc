#include "text.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"
#include "gempool/storage/store.h"

namespace gempool::storage {

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
    return absl::InvalidArgumentError(absl::StrCat("setting name '", ValidUtf8Prefix(name, 64), "' is not valid: ", why,
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
