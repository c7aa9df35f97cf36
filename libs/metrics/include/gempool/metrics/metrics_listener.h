#pragma once
// A small HTTP listener of its own that serves only GET /metrics (the
// registry's text, no token) on GATEWAY_/KEYBROKER_/PERSISTENCE_
// METRICS_LISTEN: meant for a private address that only Prometheus reaches.
// cpp-httplib with one worker thread (a scrape every few seconds needs no
// more). Anything else is 404. Thread-safe.

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace gempool::metrics {

class MetricsListener {
 public:
  // `render` gives the scrape's body (Registry::Render); called on the
  // listener's thread. It must stay valid until Stop().
  explicit MetricsListener(std::function<std::string()> render);
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;
  ~MetricsListener();  // Stop()s.

  // Listens on `listen` ("host:port", port 0: any free port; "[::1]:9100"
  // for IPv6) and serves in the background; returns the bound port.
  // `what` names the setting in errors (e.g. "GATEWAY_METRICS_LISTEN").
  absl::StatusOr<int> Start(const std::string& what, const std::string& listen);
  // Idempotent.
  void Stop();

 private:
  struct Server;
  const std::function<std::string()> render_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

// Splits "host:port" ("[v6]:port" too); InvalidArgument naming `what`.
absl::StatusOr<std::pair<std::string, int>> SplitHostPort(const std::string& what, const std::string& listen);

}  // namespace gempool::metrics
