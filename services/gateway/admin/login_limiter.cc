#include "admin/login_limiter.h"

#include <algorithm>

namespace gempool::gateway::admin {

LoginLimiter::LoginLimiter(const Clock& clock, Options options) : clock_(clock), options_(options) {}

void LoginLimiter::Prune(std::deque<int64_t>& failures, int64_t now_ms) const {
  while (!failures.empty() && failures.front() <= now_ms - options_.window_ms) failures.pop_front();
}

int64_t LoginLimiter::RetryAfterMs(const std::string& address) {
  const int64_t now = clock_.MonotonicMs();
  MutexLock lock(&mu_);
  auto it = failures_.find(address);
  if (it == failures_.end()) return 0;
  Prune(it->second, now);
  if (it->second.empty()) {
    failures_.erase(it);
    return 0;
  }
  if (static_cast<int>(it->second.size()) < options_.max_failures) return 0;
  // Blocked until enough failures leave the window to go below the limit.
  const size_t oldest_to_expire = it->second.size() - static_cast<size_t>(options_.max_failures);
  return std::max<int64_t>(1, it->second[oldest_to_expire] + options_.window_ms - now);
}

void LoginLimiter::RecordFailure(const std::string& address) {
  const int64_t now = clock_.MonotonicMs();
  MutexLock lock(&mu_);
  if (failures_.size() >= options_.max_tracked && failures_.count(address) == 0) {
    // Forget the address whose latest failure is oldest.
    auto stalest = failures_.begin();
    for (auto it = failures_.begin(); it != failures_.end(); ++it) {
      if (it->second.empty() || (!stalest->second.empty() && it->second.back() < stalest->second.back())) {
        stalest = it;
      }
    }
    failures_.erase(stalest);
  }
  std::deque<int64_t>& failures = failures_[address];
  Prune(failures, now);
  failures.push_back(now);
  // Never keep more than the limit needs.
  while (static_cast<int>(failures.size()) > options_.max_failures) failures.pop_front();
}

void LoginLimiter::RecordSuccess(const std::string& address) {
  MutexLock lock(&mu_);
  failures_.erase(address);
}

}  // namespace gempool::gateway::admin
