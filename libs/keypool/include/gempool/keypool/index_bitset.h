#pragma once
// A set of small integers (slot indices) with "next member at or after i" in
// O(log64 n): a bitset with summary levels, where a bit in level k+1 says that
// the matching 64-bit word in level k is not zero. Three levels cover 262,144
// slots, so finding the next usable key costs a handful of word operations
// whatever the pool size. Not thread-safe (the key pool guards it).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gempool::keypool {

class IndexBitset {
 public:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  IndexBitset() { Resize(0); }

  // Grows the universe to [0, size). Never shrinks; new members are absent.
  void Resize(size_t size);
  size_t size() const { return size_; }

  void Set(size_t i);
  void Clear(size_t i);
  void Assign(size_t i, bool member) { member ? Set(i) : Clear(i); }
  bool Test(size_t i) const;
  // Number of members.
  size_t count() const { return count_; }

  // The smallest member >= from, or kNone.
  size_t FindNext(size_t from) const;

 private:
  size_t size_ = 0;
  size_t count_ = 0;
  // levels_[0] holds the members; levels_.back() has exactly one word.
  std::vector<std::vector<uint64_t>> levels_;
};

}  // namespace gempool::keypool
