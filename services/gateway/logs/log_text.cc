#include "logs/log_text.h"

#include <algorithm>

#include "gempool/common/utf8.h"

namespace gempool::gateway {
namespace {

constexpr absl::string_view kTruncated = "\xE2\x80\xA6[truncated]";

}  // namespace

std::string LogSafeText(absl::string_view text, size_t max_bytes) {
  const bool cut = text.size() > max_bytes;
  const size_t budget = cut ? (max_bytes > kTruncated.size() ? max_bytes - kTruncated.size() : 0)
                            : max_bytes;
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  size_t i = 0;
  while (i < text.size()) {
    const size_t length = Utf8SequenceLength(text.substr(i));
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
