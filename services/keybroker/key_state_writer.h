#pragma once
// Carries key state changes from the pools to the database, off the hand-out
// path: a background thread drains the pool's dirty keys every interval (or
// sooner when a full batch is waiting) and writes them with one
// SaveKeyStates call per batch. While persistence is
// down it keeps the backlog (the latest state per key) and retries with a
// backoff, so the broker keeps serving from memory; Stop() makes one last
// attempt. Acquire/Report never wait for it.
//
// Thread-safe: Start/Stop/backlog_size from any thread. Flush() belongs to
// whoever drives the writer: the writer thread while it runs, otherwise the
// caller (tests, shutdown).

#include <atomic>
#include <cstddef>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "gempool/common/mutex.h"
#include "gempool/keypool/key_pools.h"
#include "persistence_client.h"

namespace gempool::keybroker {

struct KeyStateWriterOptions {
  // How often dirty keys are written.
  int interval_ms = 200;
  // Keys per SaveKeyStates call; this many dirty keys wake the writer early.
  size_t batch_size = 500;
  // Retry backoff while persistence is down: from interval_ms, doubling, up
  // to this.
  int max_retry_interval_ms = 5000;
};

class KeyStateWriter {
 public:
  KeyStateWriter(keypool::KeyPools& pools, PersistenceClient& persistence, KeyStateWriterOptions options = {});
  KeyStateWriter(const KeyStateWriter&) = delete;
  KeyStateWriter& operator=(const KeyStateWriter&) = delete;
  // Stops the thread (with a last flush) if running.
  ~KeyStateWriter();

  // Starts the background thread. Call once.
  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  // Stops the thread after a last flush attempt; logs what could not be
  // written. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // Takes the pool's dirty keys into the backlog and writes the backlog in
  // batches. On a persistence error, returns it and keeps what was not
  // written. Only while the thread is not running.
  absl::Status Flush();

  // Key states waiting to be written.
  size_t backlog_size() const { return backlog_size_.load(); }

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // Waits up to `wait_ms`, less when a full batch of dirty keys is waiting;
  // true when asked to stop.
  bool WaitForWork(int wait_ms) ABSL_LOCKS_EXCLUDED(mu_);

  keypool::KeyPools& pools_;
  PersistenceClient& persistence_;
  const KeyStateWriterOptions options_;

  // Owned by the flushing thread (see class comment).
  absl::flat_hash_map<int64_t, keypool::KeyInfo> backlog_;
  bool failing_ = false;
  std::atomic<size_t> backlog_size_{0};

  Mutex mu_;
  // Set once by Stop(), which signals stop_wake_.
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  CondVar stop_wake_;
  // Touched only by the owner (Start, Stop).
  std::thread thread_;
};

}  // namespace gempool::keybroker
