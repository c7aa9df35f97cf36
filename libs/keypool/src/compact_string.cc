#include "gempool/keypool/compact_string.h"

namespace gempool::keypool {

void CompactString::assign(absl::string_view text) {
  // `text` may be a view of this string's own bytes: copy before releasing.
  if (text.size() <= kInlineSize) {
    char copy[kInlineSize];
    if (!text.empty()) std::memcpy(copy, text.data(), text.size());
    Release();
    if (!text.empty()) std::memcpy(bytes_, copy, text.size());
    size_ = static_cast<uint8_t>(text.size());
    return;
  }
  const Heap heap{new char[text.size()], text.size()};
  std::memcpy(heap.data, text.data(), text.size());
  Release();
  std::memcpy(bytes_, &heap, sizeof(heap));
  size_ = kOnHeap;
}

}  // namespace gempool::keypool
