#pragma once
// Debian's nginx (/usr/sbin/nginx) in front of gateways for the restart
// tests, configured from deploy/nginx/gempool.conf, the compose file's load
// balancer: its `upstream gempool_gateways` and `server` blocks are taken as
// they are (retries, keep-alive, timeouts), with the gateways' loopback ports
// in place of the compose service name and a free loopback port to listen
// on; only what a test needs is added (its own prefix, logs and temporary
// paths, and an X-Gempool-Upstream answer header naming the gateway that
// answered). Not thread-safe; owned by one test.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/testing/subprocess.h"

namespace gempool::integration {

inline constexpr char kNginxBinary[] = "/usr/sbin/nginx";

// The whole nginx.conf for a test: `deploy_conf` (the text of
// deploy/nginx/gempool.conf) with its upstream servers replaced by
// 127.0.0.1:`gateway_ports` (keeping their parameters but `resolve`), its
// `listen` by 127.0.0.1:`listen_port`, and its `resolver` dropped; files
// under `dir`. An error naming what the deploy file lacks.
absl::StatusOr<std::string> NginxTestConfig(const std::string& deploy_conf, const std::vector<int>& gateway_ports,
                                            int listen_port, const std::string& dir);

class NginxProcess {
 public:
  // Writes the config under `dir` (created) and starts nginx in the
  // foreground; returns once it answers on its port.
  static absl::StatusOr<std::unique_ptr<NginxProcess>> Start(const std::string& deploy_conf_path,
                                                             const std::vector<int>& gateway_ports,
                                                             const std::string& dir);
  ~NginxProcess();

  int port() const { return port_; }
  // One line per request: "x-request-id status upstream_addr upstream_status".
  std::string AccessLog() const;
  std::string ErrorLog() const;

 private:
  NginxProcess(gempool::testing::Subprocess process, int port, std::string dir)
      : process_(std::move(process)), port_(port), dir_(std::move(dir)) {}

  gempool::testing::Subprocess process_;
  int port_;
  std::string dir_;
};

}  // namespace gempool::integration
