#pragma once
// Text checks and clean-up before values reach a column: MySQL's utf8mb4
// columns reject invalid UTF-8 and over-long values in strict mode, and a
// client-chosen model name must not make a whole log batch fail.

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gempool/common/utf8.h"  // IsValidUtf8, ValidUtf8Prefix: before a column.

namespace gempool::storage {

// A key secret: 1..kMaxSecretBytes printable ASCII characters, no spaces.
// `index` is its position in the request, for the message.
absl::Status ValidateSecret(absl::string_view secret, int index);

// A setting name: [A-Za-z_][A-Za-z0-9_]*, at most kMaxSettingNameBytes.
absl::Status ValidateSettingName(absl::string_view name);

}  // namespace gempool::storage
