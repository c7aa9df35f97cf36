#pragma once
// GET /health: healthy only while both internal services answer (the broker's
// gRPC health service and persistence's Ping, which reaches the database), so
// orchestrators restart or hold traffic from a gateway that cannot serve.
// Requests for it share checks: one runs at a time, off the event loop, and
// every request that arrives meanwhile (or within `max_age` of its end) gets
// its report, so a burst of probes costs one pair of gRPC calls, not a thread
// each. Thread-safe.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gempool/common/mutex.h"
#include "pool/key_broker_client.h"
#include "logs/persistence_client.h"

namespace gempool::gateway {

class HealthChecker {
 public:
  struct Report {
    bool healthy = false;
    // {"status":"ok","keybroker":"ok","persistence":"ok"}, or "unavailable"
    // for the service that failed plus an "errors" object saying why.
    std::string json;
  };

  // Runs a check (it blocks on gRPC) off the caller's thread.
  using BlockingRunner = std::function<void(std::function<void()>)>;

  HealthChecker(KeyBrokerClient& broker, PersistenceClient& persistence, int timeout_ms,
                BlockingRunner run_blocking = nullptr);

  // Asks both services (in parallel), each with `timeout_ms`. Blocks.
  Report Check();

  // `done` gets a report at most `max_age` old: at once (on this thread)
  // when the last one is fresh enough, else when the check running now, or
  // one started on `run_blocking` for it, ends (on that thread).
  void CheckShared(std::chrono::milliseconds max_age, std::function<void(const Report&)> done)
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void RunSharedCheck() ABSL_LOCKS_EXCLUDED(mu_);

  KeyBrokerClient& broker_;
  PersistenceClient& persistence_;
  const int timeout_ms_;
  const BlockingRunner run_blocking_;

  // Never held across a check or a `done`.
  Mutex mu_;
  bool checking_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::function<void(const Report&)>> waiting_ ABSL_GUARDED_BY(mu_);
  std::optional<Report> last_ ABSL_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point last_at_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::gateway
