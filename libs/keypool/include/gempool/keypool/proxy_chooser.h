#pragma once
// Which proxy (PROXIES) one upstream call goes through, given the proxies the
// last health check found dead and PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY:
//  - consistent hash (the default): a key keeps its ProxyForKey proxy while
//    that proxy is alive; while it is dead, the key moves to a live one,
//    chosen by the same hash among the live proxies (stable while the dead
//    set does not change);
//  - random: a live proxy at random for every call.
// When every proxy is dead the dead ones are used as if alive (a check that
// failed for a network blip must not take the pool off the air, and going
// direct would show the server's own address to Google).
// Immutable once built; Choose() is thread-safe.

#include <string>
#include <vector>

#include "absl/random/bit_gen_ref.h"
#include "absl/strings/string_view.h"

namespace gempool::keypool {

class ProxyChooser {
 public:
  ProxyChooser() = default;
  // `dead`: proxies of `proxies` the last check could not reach (others are
  // ignored).
  ProxyChooser(std::vector<std::string> proxies, const std::vector<std::string>& dead, bool consistent_hash);

  // The proxy for a call made with `secret`; "" (direct) without PROXIES.
  // The random mode draws from a per-thread generator.
  std::string Choose(absl::string_view secret) const;
  // As above with `rng` (tests).
  std::string Choose(absl::string_view secret, absl::BitGenRef rng) const;

  const std::vector<std::string>& proxies() const { return proxies_; }
  bool consistent_hash() const { return consistent_hash_; }

 private:
  std::string ByHash(absl::string_view secret) const;

  std::vector<std::string> proxies_;
  std::vector<bool> dead_;
  std::vector<size_t> live_;  // Indices into proxies_ of the live ones.
  bool consistent_hash_ = true;
};

}  // namespace gempool::keypool
