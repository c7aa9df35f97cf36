#include "gempool/keypool/proxy_for_key.h"

namespace gempool::keypool {

uint64_t Fnv1a64(absl::string_view data) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string ProxyForKey(const std::vector<std::string>& proxies, absl::string_view secret) {
  if (proxies.empty()) return "";
  return proxies[Fnv1a64(secret) % proxies.size()];
}

}  // namespace gempool::keypool
