#include "worker_group.h"

#include <utility>

namespace gempool::gateway {

WorkerGroup::~WorkerGroup() { JoinAll(); }

void WorkerGroup::Spawn(std::function<void()> work) {
  JoinFinished();
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t id = next_id_++;
  threads_.emplace(id, std::thread([this, id, work = std::move(work)]() mutable {
                     work();
                     work = nullptr;  // Release captures before reporting done.
                     std::lock_guard<std::mutex> done_lock(mu_);
                     finished_.push_back(id);
                   }));
}

void WorkerGroup::JoinFinished() {
  std::vector<std::thread> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (uint64_t id : finished_) {
      auto it = threads_.find(id);
      if (it == threads_.end()) continue;
      done.push_back(std::move(it->second));
      threads_.erase(it);
    }
    finished_.clear();
  }
  for (std::thread& t : done) t.join();
}

void WorkerGroup::JoinAll() {
  std::map<uint64_t, std::thread> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.swap(threads_);
    finished_.clear();
  }
  for (auto& [id, t] : all) t.join();
}

size_t WorkerGroup::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t done = 0;
  for (uint64_t id : finished_) done += threads_.count(id);
  return threads_.size() - done;
}

}  // namespace gempool::gateway
