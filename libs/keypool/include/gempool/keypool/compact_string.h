#pragma once
// A string that keeps up to kInlineSize bytes inside itself and only longer
// ones on the heap: 40 bytes in all, against 32 for std::string plus a heap
// block of 48 for a 39-character Gemini API key (std::string keeps 15 bytes
// inline). The key pool stores each key's secret in one, so 100,000 keys
// are 4 MB of secrets in the pool's one array of keys instead of 100,000
// separate heap blocks spread over the heap (docs/benchmarks.md, idle memory).
// Thread-compatible value type.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace gempool::keypool {

class CompactString {
 public:
  // "AIza" and 35 more characters: every Gemini API key fits inline.
  static constexpr size_t kInlineSize = 39;

  CompactString() = default;
  explicit CompactString(absl::string_view text) { assign(text); }
  CompactString(const CompactString& other) { assign(other.view()); }
  CompactString(CompactString&& other) noexcept { TakeFrom(other); }
  CompactString& operator=(const CompactString& other) {
    if (this != &other) assign(other.view());
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

  absl::string_view view() const {
    if (size_ != kOnHeap) return absl::string_view(bytes_, size_);
    const Heap heap = heap_block();
    return absl::string_view(heap.data, heap.size);
  }
  std::string str() const { return std::string(view()); }
  size_t size() const { return view().size(); }
  bool empty() const { return size_ == 0; }
  // Whether the text lives on the heap (longer than kInlineSize).
  bool on_heap() const { return size_ == kOnHeap; }

 private:
  // size_ when the text is on the heap; bytes_ then hold a Heap.
  static constexpr uint8_t kOnHeap = 0xff;
  struct Heap {
    char* data;
    size_t size;
  };
  static_assert(sizeof(Heap) <= kInlineSize, "the heap pointer and size must fit inline");
  static_assert(kInlineSize < kOnHeap, "inline sizes must not collide with kOnHeap");

  Heap heap_block() const {
    Heap heap;
    std::memcpy(&heap, bytes_, sizeof(heap));
    return heap;
  }
  void Release() {
    if (size_ == kOnHeap) delete[] heap_block().data;
    size_ = 0;
  }
  // Takes over other's text (no allocation) and leaves it empty.
  void TakeFrom(CompactString& other) {
    std::memcpy(bytes_, other.bytes_, other.size_ == kOnHeap ? sizeof(Heap) : other.size_);
    size_ = other.size_;
    other.size_ = 0;
  }

  char bytes_[kInlineSize];
  uint8_t size_ = 0;
};

}  // namespace gempool::keypool
