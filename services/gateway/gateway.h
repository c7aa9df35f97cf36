#pragma once
// The gateway process in one object: clients of the key broker and the
// persistence service, the upstream HTTP client, the background reporters,
// and the HTTP server, wired from a Config. main() and the tests build it
// the same way. Thread-safe.

#include <memory>

#include "absl/status/statusor.h"
#include "gempool/common/clock.h"
#include "gempool/config/config.h"

namespace gempool::gateway {

class Gateway {
 public:
  // Validates what the gateway needs from `config` (BASE_URL, proxies,
  // CUSTOM_HEADERS). `config` and `clock` must outlive the gateway.
  static absl::StatusOr<std::unique_ptr<Gateway>> Create(const Config& config, const Clock& clock);

  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;
  ~Gateway();  // Stop()s.

  // Listens on Config::host:Config::port (0: any free port) and serves in
  // the background; returns the bound port.
  absl::StatusOr<int> Start();

  // Drains (HttpServer::Drain: no new connections, /health 503, answers
  // close their connections), lets requests and streams in flight finish for
  // up to `grace_ms`, cuts what is left (open streams end abnormally), and
  // flushes the outcome reports, token usage and log rows it can.
  // Idempotent. Blocks.
  void Stop(int grace_ms = 5000);

 private:
  struct Parts;
  explicit Gateway(std::unique_ptr<Parts> parts);

  std::unique_ptr<Parts> parts_;
};

}  // namespace gempool::gateway
