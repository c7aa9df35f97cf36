#include "gempool/common/utf8.h"

#include <algorithm>

namespace gempool {

std::string ValidUtf8Prefix(absl::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  while (!text.empty()) {
    const size_t length = Utf8SequenceLength(text);
    const size_t take = length == 0 ? 1 : length;
    if (out.size() + take > max_bytes) break;
    if (length == 0) {
      out += '?';
    } else {
      out.append(text.data(), length);
    }
    text.remove_prefix(take);
  }
  return out;
}

bool IsValidUtf8(absl::string_view text) {
  while (!text.empty()) {
    const size_t length = Utf8SequenceLength(text);
    if (length == 0) return false;
    text.remove_prefix(length);
  }
  return true;
}

std::string WithValidUtf8(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const size_t length = Utf8SequenceLength(text);
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for one byte.
      text.remove_prefix(1);
    } else {
      out.append(text.data(), length);
      text.remove_prefix(length);
    }
  }
  return out;
}

}  // namespace gempool
