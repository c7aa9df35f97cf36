#pragma once
// Slows down guessing of the admin token: counts failed logins per client
// address within a sliding window, and refuses further attempts from an
// address that reached the limit until its oldest failure leaves the window.
// A successful login clears the address. Memory is bounded: past
// `max_tracked` addresses the least recently failing ones are forgotten.
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"

namespace gempool::gateway::admin {

class LoginLimiter {
 public:
  struct Options {
    int max_failures = 5;          // Per address within the window.
    int64_t window_ms = 60 * 1000;
    size_t max_tracked = 10000;    // Addresses remembered at most.
  };

  // `clock` must outlive the limiter.
  LoginLimiter(const Clock& clock, Options options);

  // 0 when `address` may try to log in now, else the milliseconds until it may.
  int64_t RetryAfterMs(const std::string& address) ABSL_LOCKS_EXCLUDED(mu_);
  // Records a failed login from `address`.
  void RecordFailure(const std::string& address) ABSL_LOCKS_EXCLUDED(mu_);
  // Forgets the failures of `address` (after a successful login).
  void RecordSuccess(const std::string& address) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // `failures` is one of failures_'s lists.
  void Prune(std::deque<int64_t>& failures, int64_t now_ms) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  const Options options_;
  Mutex mu_;
  // Failure times (monotonic ms, ascending) per address.
  std::map<std::string, std::deque<int64_t>> failures_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::gateway::admin
