#pragma once
// A thread pool that grows with demand and shrinks when idle: the gateway's
// worker pool for handlers that block (the OpenAI conversions, /health, the
// admin UI; connections and streams live on the event loop instead). A fixed
// pool sized for the busiest minute would keep every thread and its touched
// stack for the life of the process. Here a task runs on an idle thread when
// there is one, else on a new thread up to `max_threads` (beyond that it waits
// in order); a thread idle for `idle_timeout` exits unless only `min_threads`
// are left, and when a shrink gets down to `min_threads`, `on_shrunk` runs
// (the gateway gives the freed heap back to the OS there).
//
// Thread-safe. Shutdown (or the destructor) runs the tasks already submitted
// and waits until every thread has left; a task submitted after that runs on
// the caller's thread. Threads are detached and touch nothing of the pool
// after they have been counted out.

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <string>

#include "gempool/common/mutex.h"

namespace gempool::gateway {

class ElasticThreadPool {
 public:
  struct Options {
    size_t max_threads = std::numeric_limits<size_t>::max();
    size_t min_threads = 0;
    std::chrono::milliseconds idle_timeout{10000};
    std::function<void()> on_shrunk;  // Runs on an exiting thread.
    std::string thread_name;          // SetThreadName; empty: the process's.
  };

  explicit ElasticThreadPool(Options options);
  ElasticThreadPool(const ElasticThreadPool&) = delete;
  ElasticThreadPool& operator=(const ElasticThreadPool&) = delete;
  ~ElasticThreadPool();

  void Submit(std::function<void()> task) ABSL_LOCKS_EXCLUDED(mu_);
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

  // A new `max_threads` (GATEWAY_THREADS saved in the admin UI). Raised:
  // queued tasks get threads at once. Lowered: no thread starts beyond it;
  // those above it finish their tasks and leave once idle (as any idle
  // thread does).
  void SetMaxThreads(size_t max_threads) ABSL_LOCKS_EXCLUDED(mu_);
  size_t max_threads() const ABSL_LOCKS_EXCLUDED(mu_);

  // Threads alive (running a task or idle).
  size_t threads() const ABSL_LOCKS_EXCLUDED(mu_);
  // Threads waiting for a task.
  size_t idle_threads() const ABSL_LOCKS_EXCLUDED(mu_);
  // Tasks waiting for a thread.
  size_t queued() const ABSL_LOCKS_EXCLUDED(mu_);
  // Whether Shutdown() has begun (it may still be waiting for tasks).
  bool shutting_down() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void StartThreadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SignalIfAllExitedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A worker thread's life.
  void Work() ABSL_LOCKS_EXCLUDED(mu_);

  const Options options_;
  mutable Mutex mu_;
  CondVar work_ready_;   // Signalled when tasks_ grows or stopping_ is set.
  CondVar all_exited_;   // Signalled when threads_ and shrinking_ reach 0.
  size_t max_threads_ ABSL_GUARDED_BY(mu_);
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  size_t threads_ ABSL_GUARDED_BY(mu_) = 0;  // Started and not yet exited.
  size_t idle_ ABSL_GUARDED_BY(mu_) = 0;     // Of those, waiting for a task (or starting up).
  // Threads counted out of threads_ that are still running on_shrunk.
  size_t shrinking_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gempool::gateway
