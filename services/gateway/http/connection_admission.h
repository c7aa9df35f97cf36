#pragma once
// Decides whether a new client connection is served: at most
// `max_connections` open at once (MAX_CONNECTIONS) and at most
// `max_per_address` from one client address (MAX_CONNECTIONS_PER_IP; 0: no
// limit). One machine opening thousands of connections then costs the
// gateway a quick 503 each, not its memory or file descriptors. The limits
// may change at each call (settings saved in the admin UI): connections
// already open stay, new ones are admitted under the new limits. Thread-safe.

#include <cstddef>
#include <string>
#include <unordered_map>

#include "gempool/common/mutex.h"

namespace gempool::gateway {

class ConnectionAdmission {
 public:
  enum class Verdict { kAdmitted, kTooManyConnections, kTooManyFromAddress };

  ConnectionAdmission(size_t max_connections, size_t max_per_address)
      : max_connections_(max_connections), max_per_address_(max_per_address) {}

  // kAdmitted counts the connection until Release(address).
  Verdict Admit(const std::string& address) { return Admit(address, max_connections_, max_per_address_); }
  // The same under these limits instead of the constructor's.
  Verdict Admit(const std::string& address, size_t max_connections, size_t max_per_address)
      ABSL_LOCKS_EXCLUDED(mu_);
  void Release(const std::string& address) ABSL_LOCKS_EXCLUDED(mu_);

  size_t open() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const size_t max_connections_;
  const size_t max_per_address_;
  mutable Mutex mu_;
  size_t open_ ABSL_GUARDED_BY(mu_) = 0;
  std::unordered_map<std::string, size_t> per_address_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::gateway
