#include "connection_pool.h"

#include <utility>

namespace gempool::upstream {

ConnectionPool::ConnectionPool(size_t max_idle_per_key, Clock::duration max_idle_age)
    : max_idle_per_key_(max_idle_per_key), max_idle_age_(max_idle_age) {}

std::unique_ptr<UpstreamConnection> ConnectionPool::Lease(const std::string& key) {
  // Dead connections are closed (destroyed) outside the lock.
  std::vector<Idle> dropped;
  std::unique_ptr<UpstreamConnection> found;
  {
    MutexLock lock(&mu_);
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    std::vector<Idle>& list = it->second;
    const Clock::time_point oldest_usable = Clock::now() - max_idle_age_;
    while (!list.empty() && found == nullptr) {
      Idle entry = std::move(list.back());
      list.pop_back();
      if (entry.since >= oldest_usable && entry.connection->LooksReusable()) {
        found = std::move(entry.connection);
      } else {
        dropped.push_back(std::move(entry));
      }
    }
    if (list.empty()) idle_.erase(it);
  }
  for (Idle& entry : dropped) entry.connection->Close();
  return found;
}

void ConnectionPool::Return(const std::string& key, std::unique_ptr<UpstreamConnection> connection) {
  {
    MutexLock lock(&mu_);
    std::vector<Idle>& list = idle_[key];
    if (!closed_ && list.size() < max_idle_per_key_) {
      list.push_back(Idle{std::move(connection), Clock::now()});
      return;
    }
    if (list.empty()) idle_.erase(key);
  }
  connection->Close();
}

void ConnectionPool::Close() {
  absl::flat_hash_map<std::string, std::vector<Idle>> dropped;
  {
    MutexLock lock(&mu_);
    closed_ = true;
    dropped.swap(idle_);
  }
  for (auto& [key, list] : dropped) {
    for (Idle& entry : list) entry.connection->Close();
  }
}

}  // namespace gempool::upstream
