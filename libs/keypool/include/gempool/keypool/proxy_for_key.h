#pragma once
// PROXIES: each key always goes out through the same proxy, so Google sees
// one key from one address. The choice is a stable hash of the key (FNV-1a),
// the same in every process and after every restart, unlike std::hash or
// Python's salted hash() that gemini-balance relies on. Stateless;
// thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace gempool::keypool {

// 64-bit FNV-1a of `data`.
uint64_t Fnv1a64(absl::string_view data);

// PROXIES[Fnv1a64(secret) % n], or "" (direct) when there are no proxies.
std::string ProxyForKey(const std::vector<std::string>& proxies, absl::string_view secret);

}  // namespace gempool::keypool
