#include "worker_group.h"

#include <utility>

#include "gempool/common/memory.h"

namespace gempool::gateway {

WorkerGroup::WorkerGroup() : reaper_([this] { Reap(); }) {}

WorkerGroup::~WorkerGroup() {
  JoinAll();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  finished_cv_.notify_all();
  reaper_.join();
}

void WorkerGroup::Spawn(std::function<void()> work) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t id = next_id_++;
  threads_.emplace(id, std::thread([this, id, work = std::move(work)]() mutable {
                     work();
                     work = nullptr;  // Release captures before reporting done.
                     {
                       std::lock_guard<std::mutex> done_lock(mu_);
                       finished_.push_back(id);
                     }
                     finished_cv_.notify_one();
                   }));
}

bool WorkerGroup::JoinFinished() {
  std::vector<std::thread> done;
  bool none_left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (uint64_t id : finished_) {
      auto it = threads_.find(id);
      if (it == threads_.end()) continue;
      done.push_back(std::move(it->second));
      threads_.erase(it);
    }
    finished_.clear();
    none_left = threads_.empty();
  }
  for (std::thread& t : done) t.join();
  return none_left;
}

void WorkerGroup::Reap() {
  auto last_trim = std::chrono::steady_clock::now() - kTrimInterval;
  bool trim_pending = false;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    // Wakes for finished threads, and once more after a burst to trim.
    finished_cv_.wait_for(lock, kTrimInterval, [this] { return stopping_ || !finished_.empty(); });
    if (stopping_) break;
    const bool joined_some = !finished_.empty();
    lock.unlock();
    const bool idle = JoinFinished();
    trim_pending = trim_pending || joined_some;
    const auto now = std::chrono::steady_clock::now();
    if (idle && trim_pending && now - last_trim >= kTrimInterval) {
      ReleaseFreeMemory();  // The finished streams' buffers and stacks.
      last_trim = now;
      trim_pending = false;
    }
    lock.lock();
  }
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

size_t WorkerGroup::unjoined() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_.size();
}

}  // namespace gempool::gateway
