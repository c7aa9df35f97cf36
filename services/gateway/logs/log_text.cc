#include "logs/log_text.h"

#include <algorithm>

namespace gempool::gateway {
namespace {

constexpr absl::string_view kTruncated = "\xE2\x80\xA6[truncated]";

// Length of the valid UTF-8 sequence starting at text[i], or 0 if invalid.
size_t Utf8SequenceLength(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  size_t length = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  // Overlong three/four-byte forms, surrogates and code points past U+10FFFF.
  if (c == 0xE0 && byte(i + 1) < 0xA0) return 0;
  if (c == 0xED && byte(i + 1) > 0x9F) return 0;
  if (c == 0xF0 && byte(i + 1) < 0x90) return 0;
  if (c == 0xF4 && byte(i + 1) > 0x8F) return 0;
  return length;
}

}  // namespace

std::string LogSafeText(absl::string_view text, size_t max_bytes) {
  const bool cut = text.size() > max_bytes;
  const size_t budget = cut ? (max_bytes > kTruncated.size() ? max_bytes - kTruncated.size() : 0)
                            : max_bytes;
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  size_t i = 0;
  while (i < text.size()) {
    const size_t length = Utf8SequenceLength(text, i);
    const size_t take = length == 0 ? 1 : length;
    if (out.size() + take > budget) break;
    if (length == 0) {
      out += '?';
    } else {
      out.append(text.data() + i, length);
    }
    i += take;
  }
  if (i < text.size() && max_bytes >= kTruncated.size()) out.append(kTruncated.data(), kTruncated.size());
  return out;
}

}  // namespace gempool::gateway
