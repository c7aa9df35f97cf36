#include "gempool/keypool/compact_string.h"

namespace gempool::keypool {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The 6-bit code of each byte, or -1 for bytes outside kAlphabet.
struct Codes {
  int8_t of[256];
  constexpr Codes() : of() {
    for (int c = 0; c < 256; ++c) of[c] = -1;
    for (int code = 0; code < 64; ++code) of[static_cast<unsigned char>(kAlphabet[code])] = static_cast<int8_t>(code);
  }
};
constexpr Codes kCodes;

bool Packable(absl::string_view text) {
  if (text.size() > CompactString::kMaxPackedSize) return false;
  for (char c : text) {
    if (kCodes.of[static_cast<unsigned char>(c)] < 0) return false;
  }
  return true;
}

// Writes 6 bits a character, least significant first.
void Pack(absl::string_view text, char* out) {
  uint32_t bits = 0;
  int count = 0;
  size_t o = 0;
  for (char c : text) {
    bits |= static_cast<uint32_t>(kCodes.of[static_cast<unsigned char>(c)]) << count;
    count += 6;
    while (count >= 8) {
      out[o++] = static_cast<char>(bits & 0xff);
      bits >>= 8;
      count -= 8;
    }
  }
  if (count > 0) out[o] = static_cast<char>(bits & 0xff);
}

void Unpack(const char* in, size_t size, char* out) {
  uint32_t bits = 0;
  int count = 0;
  size_t i = 0;
  for (size_t k = 0; k < size; ++k) {
    if (count < 6) {
      bits |= static_cast<uint32_t>(static_cast<unsigned char>(in[i++])) << count;
      count += 8;
    }
    out[k] = kAlphabet[bits & 63];
    bits >>= 6;
    count -= 6;
  }
}

}  // namespace

void CompactString::assign(absl::string_view text) {
  // `text` may be a view of this string's own bytes: encode before releasing.
  if (text.size() <= kInlineSize || Packable(text)) {
    char encoded[kInlineSize] = {};
    uint8_t tag;
    if (text.size() <= kInlineSize) {
      if (!text.empty()) std::memcpy(encoded, text.data(), text.size());
      tag = static_cast<uint8_t>(text.size());
    } else {
      Pack(text, encoded);
      tag = static_cast<uint8_t>(kPacked | text.size());
    }
    Release();
    std::memcpy(bytes_, encoded, sizeof(bytes_));
    tag_ = tag;
    return;
  }
  const Heap heap{new char[text.size()], text.size()};
  std::memcpy(heap.data, text.data(), text.size());
  Release();
  std::memcpy(bytes_, &heap, sizeof(heap));
  tag_ = kOnHeap;
}

absl::string_view CompactString::view(Buffer& buffer) const {
  if (tag_ == kOnHeap) {
    const Heap heap = heap_block();
    return absl::string_view(heap.data, heap.size);
  }
  if (packed()) {
    const size_t size = tag_ & ~kPacked;
    Unpack(bytes_, size, buffer.data());
    return absl::string_view(buffer.data(), size);
  }
  return absl::string_view(bytes_, tag_);
}

size_t CompactString::size() const {
  if (tag_ == kOnHeap) return heap_block().size;
  if (packed()) return tag_ & ~kPacked;
  return tag_;
}

}  // namespace gempool::keypool
