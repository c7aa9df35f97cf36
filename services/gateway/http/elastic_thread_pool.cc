#include "http/elastic_thread_pool.h"

#include <thread>
#include <utility>

#include "gempool/common/thread_role.h"

namespace gempool::gateway {

ElasticThreadPool::ElasticThreadPool(Options options)
    : options_(std::move(options)), max_threads_(options_.max_threads) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < options_.min_threads && i < max_threads_; ++i) {
    StartThreadLocked();
  }
}

ElasticThreadPool::~ElasticThreadPool() { Shutdown(); }

void ElasticThreadPool::Submit(std::function<void()> task) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) {
    lock.unlock();
    task();
    return;
  }
  tasks_.push_back(std::move(task));
  if (idle_ >= tasks_.size() || threads_ >= max_threads_) {
    work_ready_.notify_one();
  } else {
    StartThreadLocked();
  }
}

void ElasticThreadPool::SetMaxThreads(size_t max_threads) {
  std::lock_guard<std::mutex> lock(mu_);
  max_threads_ = max_threads;
  while (!stopping_ && tasks_.size() > idle_ && threads_ < max_threads_) StartThreadLocked();
}

size_t ElasticThreadPool::max_threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return max_threads_;
}

void ElasticThreadPool::Shutdown() {
  std::unique_lock<std::mutex> lock(mu_);
  stopping_ = true;
  work_ready_.notify_all();
  all_exited_.wait(lock, [this] { return threads_ == 0; });
}

void ElasticThreadPool::StartThreadLocked() {
  // A thread on its way counts as idle: it takes the first queued task when
  // it starts, so the submits meanwhile must not start one more for it.
  ++idle_;
  ++threads_;
  // Detached, so that a thread that leaves after an idle spell gives its
  // stack back at once (a joinable one keeps it until joined); Shutdown
  // waits for the count instead.
  std::thread([this] { Work(); }).detach();
}

void ElasticThreadPool::Work() {
  if (!options_.thread_name.empty()) SetThreadName(options_.thread_name);
  std::unique_lock<std::mutex> lock(mu_);
  --idle_;  // Counted as idle since StartThreadLocked.
  for (;;) {
    if (!tasks_.empty()) {
      std::function<void()> task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      task = nullptr;  // Its captures go before the lock is taken again.
      lock.lock();
      continue;
    }
    if (stopping_) break;
    ++idle_;
    const bool woken =
        work_ready_.wait_for(lock, options_.idle_timeout, [this] { return !tasks_.empty() || stopping_; });
    --idle_;
    if (!woken && threads_ > options_.min_threads) {
      if (threads_ - 1 == options_.min_threads && options_.on_shrunk) {
        // The last of a burst to leave: the others' stacks are gone, so
        // this is when freeing heap pages pays. Unlocked, since it takes
        // milliseconds; Shutdown still waits for this thread.
        lock.unlock();
        options_.on_shrunk();
        lock.lock();
      }
      break;
    }
  }
  --threads_;
  // Notified under the lock: once it is released nothing here touches the
  // pool, which Shutdown's caller may then destroy.
  if (threads_ == 0) all_exited_.notify_all();
}

size_t ElasticThreadPool::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_;
}

size_t ElasticThreadPool::idle_threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return idle_;
}

size_t ElasticThreadPool::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tasks_.size();
}

}  // namespace gempool::gateway
