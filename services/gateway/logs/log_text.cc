#include "logs/log_text.h"

#include "absl/strings/str_cat.h"
#include "gempool/common/utf8.h"

namespace gempool::gateway {
namespace {

constexpr absl::string_view kTruncated = "\xE2\x80\xA6[truncated]";

}  // namespace

std::string LogSafeText(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return ValidUtf8Prefix(text, max_bytes);  // '?' replaces byte for byte.
  if (max_bytes < kTruncated.size()) return std::string();
  return absl::StrCat(ValidUtf8Prefix(text, max_bytes - kTruncated.size()), kTruncated);
}

}  // namespace gempool::gateway
