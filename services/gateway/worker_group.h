#pragma once
// Threads that run streamed requests' upstream loops while the server thread
// writes to the client. A reaper thread joins each one as soon as it
// finishes, so a burst of streams does not leave thousands of finished
// threads (and their stacks) behind until the next stream starts; once none
// is running it gives the freed heap pages back to the OS (at most once per
// trim interval). All are joined by JoinAll (or the destructor), so none
// outlives the gateway. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace gempool::gateway {

class WorkerGroup {
 public:
  WorkerGroup();
  WorkerGroup(const WorkerGroup&) = delete;
  WorkerGroup& operator=(const WorkerGroup&) = delete;
  ~WorkerGroup();

  // Runs `work` on a new thread.
  void Spawn(std::function<void()> work);
  // Waits for every thread spawned so far.
  void JoinAll();
  // Threads not yet finished.
  size_t running() const;
  // Threads not yet joined (finished ones are joined within milliseconds).
  size_t unjoined() const;

 private:
  void Reap();
  // Joins the threads that finished; returns whether none is left.
  bool JoinFinished();

  static constexpr std::chrono::seconds kTrimInterval{2};

  mutable std::mutex mu_;
  std::condition_variable finished_cv_;
  uint64_t next_id_ = 0;
  std::map<uint64_t, std::thread> threads_;
  std::vector<uint64_t> finished_;
  bool stopping_ = false;
  std::thread reaper_;
};

}  // namespace gempool::gateway
