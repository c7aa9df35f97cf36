#pragma once
// A string that keeps short text inside itself, 32 bytes in all (against 32
// for std::string plus a heap block of 48 for a 39-character Gemini API key,
// which is longer than std::string's 15 inline bytes):
// - up to kInlineSize bytes as they are;
// - up to kMaxPackedSize characters of the URL-safe base64 alphabet
//   (A-Z a-z 0-9 - _), which every Gemini API key ("AIza" and 35 more) is
//   made of, at 6 bits a character;
// - anything else on the heap.
// The key pool stores each key's secret in one, so 100,000 keys are 3.2 MB
// of secrets in the pool's one array of keys instead of 100,000 separate heap
// blocks (docs/benchmarks.md, idle memory). Packed text is decoded on read,
// into a Buffer the caller provides (a few dozen instructions).
// Thread-compatible value type.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace gempool::keypool {

class CompactString {
 public:
  static constexpr size_t kInlineSize = 31;
  static constexpr size_t kMaxPackedSize = kInlineSize * 8 / 6;  // 41.
  // Room to decode packed text into (see view).
  using Buffer = std::array<char, kMaxPackedSize>;

  CompactString() = default;
  explicit CompactString(absl::string_view text) { assign(text); }
  CompactString(const CompactString& other) { CopyFrom(other); }
  CompactString(CompactString&& other) noexcept { TakeFrom(other); }
  CompactString& operator=(const CompactString& other) {
    if (this != &other) {
      Release();
      CopyFrom(other);
    }
    return *this;
  }
  CompactString& operator=(CompactString&& other) noexcept {
    if (this != &other) {
      Release();
      TakeFrom(other);
    }
    return *this;
  }
  ~CompactString() { Release(); }

  void assign(absl::string_view text);
  void clear() { Release(); }

  // The text; points into `buffer` when it is packed, else into this string.
  // Valid while both live and this string is unchanged.
  absl::string_view view(Buffer& buffer) const;
  std::string str() const {
    Buffer buffer;
    return std::string(view(buffer));
  }
  size_t size() const;
  bool empty() const { return tag_ == 0; }
  // Whether the text lives on the heap, and whether it is packed.
  bool on_heap() const { return tag_ == kOnHeap; }
  bool packed() const { return (tag_ & kPacked) != 0 && tag_ != kOnHeap; }

 private:
  // tag_: the size of plain inline text (0..kInlineSize); kPacked | size for
  // packed text; kOnHeap when bytes_ hold a Heap.
  static constexpr uint8_t kPacked = 0x80;
  static constexpr uint8_t kOnHeap = 0xff;
  struct Heap {
    char* data;
    size_t size;
  };
  static_assert(sizeof(Heap) <= kInlineSize, "the heap pointer and size must fit inline");
  static_assert((kPacked | kMaxPackedSize) < kOnHeap, "packed sizes must not collide with kOnHeap");

  Heap heap_block() const {
    Heap heap;
    std::memcpy(&heap, bytes_, sizeof(heap));
    return heap;
  }
  void Release() {
    if (tag_ == kOnHeap) delete[] heap_block().data;
    tag_ = 0;
  }
  // Expects this string empty (Released).
  void CopyFrom(const CompactString& other) {
    if (other.on_heap()) {
      assign(absl::string_view(other.heap_block().data, other.heap_block().size));
      return;
    }
    std::memcpy(bytes_, other.bytes_, sizeof(bytes_));
    tag_ = other.tag_;
  }
  // Takes over other's text (no allocation) and leaves it empty.
  void TakeFrom(CompactString& other) {
    std::memcpy(bytes_, other.bytes_, sizeof(bytes_));
    tag_ = other.tag_;
    other.tag_ = 0;
  }

  char bytes_[kInlineSize];
  uint8_t tag_ = 0;
};

}  // namespace gempool::keypool
