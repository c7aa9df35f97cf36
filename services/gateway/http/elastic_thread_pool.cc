#include "http/elastic_thread_pool.h"

#include <thread>
#include <utility>

#include "absl/time/time.h"
#include "gempool/common/thread_role.h"

namespace gempool::gateway {

ElasticThreadPool::ElasticThreadPool(Options options)
    : options_(std::move(options)), max_threads_(options_.max_threads) {
  MutexLock lock(&mu_);
  for (size_t i = 0; i < options_.min_threads && i < max_threads_; ++i) {
    StartThreadLocked();
  }
}

ElasticThreadPool::~ElasticThreadPool() { Shutdown(); }

void ElasticThreadPool::Submit(std::function<void()> task) {
  {
    MutexLock lock(&mu_);
    if (!stopping_) {
      tasks_.push_back(std::move(task));
      if (idle_ >= tasks_.size() || threads_ >= max_threads_) {
        work_ready_.Signal();
      } else {
        StartThreadLocked();
      }
      return;
    }
  }
  task();  // After Shutdown: on the caller's thread, outside the lock.
}

void ElasticThreadPool::SetMaxThreads(size_t max_threads) {
  MutexLock lock(&mu_);
  max_threads_ = max_threads;
  while (!stopping_ && tasks_.size() > idle_ && threads_ < max_threads_) StartThreadLocked();
}

size_t ElasticThreadPool::max_threads() const {
  MutexLock lock(&mu_);
  return max_threads_;
}

void ElasticThreadPool::Shutdown() {
  MutexLock lock(&mu_);
  stopping_ = true;
  work_ready_.SignalAll();
  while (threads_ != 0 || shrinking_ != 0) all_exited_.Wait(&mu_);
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
  // Held throughout except around a task and on_shrunk (a detached thread:
  // an exception from either ends the process, so no scoped lock is needed).
  mu_.Lock();
  --idle_;  // Counted as idle since StartThreadLocked.
  for (;;) {
    if (!tasks_.empty()) {
      std::function<void()> task = std::move(tasks_.front());
      tasks_.pop_front();
      mu_.Unlock();
      task();
      task = nullptr;  // Its captures go before the lock is taken again.
      mu_.Lock();
      continue;
    }
    if (stopping_) break;
    ++idle_;
    // Until there is work or the pool stops, for at most idle_timeout
    // (steady clock). `woken`: the condition held at the end.
    const auto deadline = std::chrono::steady_clock::now() + options_.idle_timeout;
    bool woken = true;
    while (tasks_.empty() && !stopping_) {
      if (work_ready_.WaitWithTimeout(&mu_, absl::FromChrono(deadline - std::chrono::steady_clock::now()))) {
        woken = !tasks_.empty() || stopping_;
        break;
      }
    }
    --idle_;
    if (!woken && threads_ > options_.min_threads) {
      // Counted out before the lock is let go for on_shrunk: another thread
      // timing out meanwhile must see the pool as it will be, or both leave
      // (below min_threads) and both report the shrink.
      --threads_;
      if (threads_ == options_.min_threads && options_.on_shrunk) {
        // The last of a burst to leave: the others' stacks are gone, so
        // this is when freeing heap pages pays. Unlocked, since it takes
        // milliseconds; Shutdown still waits for it (shrinking_).
        ++shrinking_;
        mu_.Unlock();
        options_.on_shrunk();
        mu_.Lock();
        --shrinking_;
      }
      SignalIfAllExitedLocked();
      mu_.Unlock();
      return;
    }
  }
  --threads_;
  SignalIfAllExitedLocked();
  mu_.Unlock();
}

void ElasticThreadPool::SignalIfAllExitedLocked() {
  // Signalled under the lock: once it is released nothing here touches the
  // pool, which Shutdown's caller may then destroy.
  if (threads_ == 0 && shrinking_ == 0) all_exited_.SignalAll();
}

size_t ElasticThreadPool::threads() const {
  MutexLock lock(&mu_);
  return threads_;
}

size_t ElasticThreadPool::idle_threads() const {
  MutexLock lock(&mu_);
  return idle_;
}

size_t ElasticThreadPool::queued() const {
  MutexLock lock(&mu_);
  return tasks_.size();
}

bool ElasticThreadPool::shutting_down() const {
  MutexLock lock(&mu_);
  return stopping_;
}

}  // namespace gempool::gateway
