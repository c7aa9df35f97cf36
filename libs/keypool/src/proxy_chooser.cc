#include "gempool/keypool/proxy_chooser.h"

#include <algorithm>
#include <utility>

#include "absl/random/random.h"
#include "absl/random/uniform_int_distribution.h"
#include "gempool/keypool/proxy_for_key.h"

namespace gempool::keypool {

ProxyChooser::ProxyChooser(std::vector<std::string> proxies, const std::vector<std::string>& dead,
                           bool consistent_hash)
    : proxies_(std::move(proxies)), dead_(proxies_.size(), false), consistent_hash_(consistent_hash) {
  for (size_t i = 0; i < proxies_.size(); ++i) {
    dead_[i] = std::find(dead.begin(), dead.end(), proxies_[i]) != dead.end();
    if (!dead_[i]) live_.push_back(i);
  }
  if (live_.empty()) {
    // All dead: as if none were (see the header).
    std::fill(dead_.begin(), dead_.end(), false);
    for (size_t i = 0; i < proxies_.size(); ++i) live_.push_back(i);
  }
}

std::string ProxyChooser::Choose(absl::string_view secret) const {
  if (proxies_.empty()) return "";
  if (consistent_hash_) return ByHash(secret);
  thread_local absl::InsecureBitGen gen;
  return Choose(secret, gen);
}

std::string ProxyChooser::Choose(absl::string_view secret, absl::BitGenRef rng) const {
  if (proxies_.empty()) return "";
  if (consistent_hash_) return ByHash(secret);
  return proxies_[live_[absl::uniform_int_distribution<size_t>(0, live_.size() - 1)(rng)]];
}

std::string ProxyChooser::ByHash(absl::string_view secret) const {
  const uint64_t hash = Fnv1a64(secret);
  const size_t home = hash % proxies_.size();
  if (!dead_[home]) return proxies_[home];
  return proxies_[live_[hash % live_.size()]];
}

}  // namespace gempool::keypool
