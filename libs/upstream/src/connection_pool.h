#pragma once
// Idle keep-alive connections, per pool key (scheme://host:port plus proxy),
// so a call skips TCP, proxy and TLS set-up when an earlier call left a
// connection behind. Most recently returned first: the likeliest to be alive.
// Thread-safe: calls on any strand lease and return; AbortAll closes it.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "gempool/common/mutex.h"
#include "upstream_connection.h"

namespace gempool::upstream {

class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;

  // Keeps at most `max_idle_per_key` idle connections per key, each for at
  // most `max_idle_age` (older ones may have been dropped by a NAT or proxy
  // without a word; a request on them would wait for TIME_OUT).
  ConnectionPool(size_t max_idle_per_key, Clock::duration max_idle_age);

  // An idle connection for `key` that still looks usable, or null. Dead or
  // stale ones met on the way are closed.
  std::unique_ptr<UpstreamConnection> Lease(const std::string& key);

  // Keeps `connection` (no operation pending, response fully read) for reuse,
  // unless the key already has its maximum or the pool is closed.
  void Return(const std::string& key, std::unique_ptr<UpstreamConnection> connection);

  // Closes every idle connection and refuses returns from now on.
  void Close();

 private:
  struct Idle {
    std::unique_ptr<UpstreamConnection> connection;
    Clock::time_point since;
  };

  const size_t max_idle_per_key_;
  const Clock::duration max_idle_age_;
  Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<std::string, std::vector<Idle>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::upstream
