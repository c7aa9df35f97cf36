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
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <string>

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

  void Submit(std::function<void()> task);
  void Shutdown();

  // A new `max_threads` (GATEWAY_THREADS saved in the admin UI). Raised:
  // queued tasks get threads at once. Lowered: no thread starts beyond it;
  // those above it finish their tasks and leave once idle (as any idle
  // thread does).
  void SetMaxThreads(size_t max_threads);
  size_t max_threads() const;

  // Threads alive (running a task or idle).
  size_t threads() const;
  // Threads waiting for a task.
  size_t idle_threads() const;
  // Tasks waiting for a thread.
  size_t queued() const;

 private:
  void StartThreadLocked();
  void Work();

  const Options options_;
  mutable std::mutex mu_;
  size_t max_threads_;  // Guarded by mu_.
  std::condition_variable work_ready_;
  std::condition_variable all_exited_;
  std::deque<std::function<void()>> tasks_;
  size_t threads_ = 0;  // Started and not yet exited.
  size_t idle_ = 0;     // Of those, waiting for a task (or starting up).
  bool stopping_ = false;
};

}  // namespace gempool::gateway
