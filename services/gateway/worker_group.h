#pragma once
// Threads that run streamed requests' upstream loops while the server thread
// writes to the client. Finished threads are joined on the next Spawn; all
// are joined by JoinAll (or the destructor), so none outlives the gateway.
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace gempool::gateway {

class WorkerGroup {
 public:
  WorkerGroup() = default;
  WorkerGroup(const WorkerGroup&) = delete;
  WorkerGroup& operator=(const WorkerGroup&) = delete;
  ~WorkerGroup();

  // Runs `work` on a new thread.
  void Spawn(std::function<void()> work);
  // Waits for every thread spawned so far.
  void JoinAll();
  // Threads not yet finished.
  size_t running() const;

 private:
  void JoinFinished();

  mutable std::mutex mu_;
  uint64_t next_id_ = 0;
  std::map<uint64_t, std::thread> threads_;
  std::vector<uint64_t> finished_;
};

}  // namespace gempool::gateway
