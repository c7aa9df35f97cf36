#include "gempool/gemini/usage_scanner.h"

#include <algorithm>
#include <cstring>

namespace gempool::gemini {
namespace {

constexpr absl::string_view kKey = "\"usageMetadata\"";

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

void UsageScanner::Reset() {
  state_ = State::kSearching;
  tail_.clear();
  object_.clear();
  last_.clear();
  depth_ = 0;
  brackets_ = 0;
  broken_ = false;
  in_string_ = false;
  escaped_ = false;
  skipping_ = false;
}

std::optional<TokenCounts> UsageScanner::last() const {
  if (last_.empty()) return std::nullopt;
  return ParseUsageMetadata(last_);
}

void UsageScanner::Feed(absl::string_view bytes) {
  while (!bytes.empty()) {
    if (state_ == State::kSearching) {
      const size_t end = FindKeyEnd(bytes);
      if (end == absl::string_view::npos) {
        KeepTail(bytes);
        return;
      }
      tail_.clear();
      state_ = State::kBeforeColon;
      bytes.remove_prefix(end);
      continue;
    }
    bytes.remove_prefix(Step(bytes));
  }
}

size_t UsageScanner::FindKeyEnd(absl::string_view bytes) {
  // A key cut between the previous chunk and this one: it starts in the
  // tail (which is shorter than the key) and ends in `bytes`.
  if (!tail_.empty()) {
    char seam[2 * (kKey.size() - 1)];
    const size_t more = std::min(bytes.size(), kKey.size() - 1);
    std::memcpy(seam, tail_.data(), tail_.size());
    std::memcpy(seam + tail_.size(), bytes.data(), more);
    const size_t at = absl::string_view(seam, tail_.size() + more).find(kKey);
    if (at != absl::string_view::npos) return at + kKey.size() - tail_.size();
  }
  const void* found = memmem(bytes.data(), bytes.size(), kKey.data(), kKey.size());
  if (found == nullptr) return absl::string_view::npos;
  return static_cast<size_t>(static_cast<const char*>(found) - bytes.data()) + kKey.size();
}

void UsageScanner::KeepTail(absl::string_view bytes) {
  const size_t keep = kKey.size() - 1;
  if (bytes.size() >= keep) {
    tail_.assign(bytes.data() + bytes.size() - keep, keep);
    return;
  }
  tail_.append(bytes.data(), bytes.size());
  if (tail_.size() > keep) tail_.erase(0, tail_.size() - keep);
}

size_t UsageScanner::Step(absl::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    const char c = bytes[i];
    switch (state_) {
      case State::kSearching:
        return i;
      case State::kBeforeColon:
        if (c == ':') {
          state_ = State::kBeforeObject;
        } else if (!IsJsonSpace(c)) {
          state_ = State::kSearching;  // A string value "usageMetadata", not the key.
          return i;
        }
        ++i;
        break;
      case State::kBeforeObject:
        if (c == '{') {
          state_ = State::kInObject;
          object_.assign(1, c);
          depth_ = 1;
          brackets_ = 0;
          broken_ = false;
          in_string_ = false;
          escaped_ = false;
          skipping_ = false;
        } else if (!IsJsonSpace(c)) {
          state_ = State::kSearching;
          return i;
        }
        ++i;
        break;
      case State::kInObject: {
        // Copy up to the closing brace in one go.
        const size_t start = i;
        for (; i < bytes.size(); ++i) {
          const char d = bytes[i];
          if (in_string_) {
            if (escaped_) {
              escaped_ = false;
            } else if (d == '\\') {
              escaped_ = true;
            } else if (d == '"') {
              in_string_ = false;
            }
          } else if (d == '"') {
            in_string_ = true;
          } else if (d == '{' || d == '[') {
            if (++depth_ <= 64) {
              const uint64_t bit = uint64_t{1} << (depth_ - 1);
              brackets_ = d == '[' ? brackets_ | bit : brackets_ & ~bit;
            }
          } else if (d == '}' || d == ']') {
            if (depth_ <= 64 && ((brackets_ >> (depth_ - 1)) & 1) != (d == ']' ? 1u : 0u)) broken_ = true;
            if (--depth_ == 0) {
              ++i;
              break;
            }
          }
        }
        if (!skipping_ && object_.size() + (i - start) > kMaxObjectBytes) {
          object_.clear();
          object_.shrink_to_fit();
          skipping_ = true;  // Too long to be Gemini's: followed, not kept.
        }
        if (!skipping_) object_.append(bytes.data() + start, i - start);
        if (depth_ == 0) {
          EndObject();
          return i;
        }
        break;
      }
    }
  }
  return i;
}

void UsageScanner::EndObject() {
  if (skipping_) {
    skipping_ = false;
    state_ = State::kSearching;
    return;
  }
  // Kept as text, parsed when read: a stream's earlier objects are never
  // needed. The swap keeps both buffers' capacity for the next event.
  if (!broken_) last_.swap(object_);
  object_.clear();
  state_ = State::kSearching;
}

}  // namespace gempool::gemini
