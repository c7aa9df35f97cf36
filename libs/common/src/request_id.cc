#include "gempool/common/request_id.h"

#include <cstdint>
#include <random>

namespace gempool {
namespace {

// A 256-entry table: true for the characters a kept id may use.
struct SafeChars {
  bool safe[256] = {};
  constexpr SafeChars() {
    for (int c = 'a'; c <= 'z'; ++c) safe[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) safe[c] = true;
    for (int c = '0'; c <= '9'; ++c) safe[c] = true;
    for (char c : {'.', '_', ':', '/', '+', '=', '-'}) safe[static_cast<unsigned char>(c)] = true;
  }
};
constexpr SafeChars kSafe;

// splitmix64: tiny, fast, and good enough for ids that must be unique, not
// secret. Seeded once per thread from std::random_device.
class IdGenerator {
 public:
  IdGenerator() {
    std::random_device device;
    state_ = (static_cast<uint64_t>(device()) << 32) ^ device();
  }
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

}  // namespace

bool IsSaneRequestId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    if (!kSafe.safe[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

std::string NewRequestId() {
  thread_local IdGenerator generator;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = generator.Next();
    for (int i = 0; i < 16; ++i, bits >>= 4) id[half * 16 + i] = kHex[bits & 0xf];
  }
  return id;
}

std::string RequestIdFor(std::optional<absl::string_view> client_id) {
  if (client_id.has_value() && IsSaneRequestId(*client_id)) return std::string(*client_id);
  return NewRequestId();
}

}  // namespace gempool
