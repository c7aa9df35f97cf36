#pragma once
// Re-validation on a schedule: every CHECK_INTERVAL_HOURS a background thread
// runs one KeyVerifier::RevalidateOnce pass (disabled and failing keys,
// probed a few at a time), so keys that work again rejoin the pool by
// themselves. The first pass runs one interval after Start.
// Not thread-safe: its owner (the broker) starts and stops it.

#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "key_verifier.h"

namespace gempool::keybroker {

class KeyRevalidator {
 public:
  // `verifier` must outlive this.
  KeyRevalidator(KeyVerifier& verifier, absl::Duration interval);
  KeyRevalidator(const KeyRevalidator&) = delete;
  KeyRevalidator& operator=(const KeyRevalidator&) = delete;
  ~KeyRevalidator();

  // Starts the thread. Call once.
  void Start();
  // Stops the thread; no new probe starts, one in flight is awaited (cancel
  // the transport first to end it at once). Idempotent.
  void Stop();

 private:
  void Run();

  KeyVerifier& verifier_;
  const absl::Duration interval_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace gempool::keybroker
