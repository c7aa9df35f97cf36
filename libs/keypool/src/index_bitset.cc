#include "gempool/keypool/index_bitset.h"

namespace gempool::keypool {
namespace {

constexpr uint64_t kOne = 1;

size_t WordsFor(size_t bits) { return bits == 0 ? 1 : (bits + 63) / 64; }

}  // namespace

void IndexBitset::Resize(size_t size) {
  if (size < size_) return;
  size_ = size;
  size_t words = WordsFor(size);
  size_t level = 0;
  while (true) {
    if (level == levels_.size()) {
      // A new summary level: derive its bits from the level below.
      levels_.emplace_back(words, 0);
      if (level > 0) {
        const std::vector<uint64_t>& below = levels_[level - 1];
        for (size_t w = 0; w < below.size(); ++w) {
          if (below[w] != 0) levels_[level][w / 64] |= kOne << (w % 64);
        }
      }
    } else if (levels_[level].size() < words) {
      // New words are zero, so the summary bits above stay correct.
      levels_[level].resize(words, 0);
    }
    if (words == 1) break;
    words = WordsFor(words);
    ++level;
  }
}

void IndexBitset::Set(size_t i) {
  if (i >= size_) Resize(i + 1);
  size_t pos = i;
  for (std::vector<uint64_t>& words : levels_) {
    uint64_t& word = words[pos / 64];
    const uint64_t bit = kOne << (pos % 64);
    const bool was_empty = word == 0;
    if (&words == &levels_[0]) {
      if (word & bit) return;
      ++count_;
    }
    word |= bit;
    if (!was_empty) return;
    pos /= 64;
  }
}

void IndexBitset::Clear(size_t i) {
  if (i >= size_) return;
  size_t pos = i;
  for (std::vector<uint64_t>& words : levels_) {
    uint64_t& word = words[pos / 64];
    const uint64_t bit = kOne << (pos % 64);
    if (&words == &levels_[0]) {
      if (!(word & bit)) return;
      --count_;
    }
    word &= ~bit;
    if (word != 0) return;
    pos /= 64;
  }
}

bool IndexBitset::Test(size_t i) const { return i < size_ && (levels_[0][i / 64] & (kOne << (i % 64))) != 0; }

size_t IndexBitset::FindNext(size_t from) const {
  if (from >= size_) return kNone;
  size_t pos = from;
  size_t level = 0;
  // Climb until some level has a set bit at or after `pos`.
  while (true) {
    const std::vector<uint64_t>& words = levels_[level];
    const size_t w = pos / 64;
    if (w >= words.size()) return kNone;
    const uint64_t word = words[w] & (~uint64_t{0} << (pos % 64));
    if (word != 0) {
      pos = w * 64 + static_cast<size_t>(__builtin_ctzll(word));
      break;
    }
    if (level + 1 == levels_.size()) return kNone;
    pos = w + 1;  // The next word of this level is that bit of the level above.
    ++level;
  }
  // Descend: a set bit at level k names a non-zero word at level k-1.
  while (level > 0) {
    --level;
    pos = pos * 64 + static_cast<size_t>(__builtin_ctzll(levels_[level][pos]));
  }
  return pos;
}

}  // namespace gempool::keypool
