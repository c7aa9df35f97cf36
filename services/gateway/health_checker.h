#pragma once
// GET /health: healthy only while both internal services answer (the broker's
// gRPC health service and persistence's Ping, which reaches the database), so
// orchestrators restart or hold traffic from a gateway that cannot serve.
// Thread-safe.

#include <string>

#include "key_broker_client.h"
#include "persistence_client.h"

namespace gempool::gateway {

class HealthChecker {
 public:
  struct Report {
    bool healthy = false;
    // {"status":"ok","keybroker":"ok","persistence":"ok"}, or "unavailable"
    // for the service that failed plus an "errors" object saying why.
    std::string json;
  };

  HealthChecker(KeyBrokerClient& broker, PersistenceClient& persistence, int timeout_ms);

  // Asks both services (in parallel), each with `timeout_ms`.
  Report Check();

 private:
  KeyBrokerClient& broker_;
  PersistenceClient& persistence_;
  const int timeout_ms_;
};

}  // namespace gempool::gateway
