#pragma once
// The real ProbeTransport: one cpp-httplib client per probe (probes are rare:
// re-validation and admin verifies), HTTPS with the server certificate checked
// against the system CA bundle, through the key's HTTP proxy when it has one.
// cpp-httplib cannot speak SOCKS5, so probes through socks5:// and socks5h://
// proxies go through the gateway's UpstreamClient instead (its blocking
// Send()), on an event-loop thread this transport starts with the first such
// probe. Thread-safe.

#include <memory>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "gempool/common/mutex.h"
#include "probe_transport.h"

namespace httplib {
class Client;
}  // namespace httplib

namespace gempool::keybroker {

class HttplibProbeTransport final : public ProbeTransport {
 public:
  explicit HttplibProbeTransport(std::string ca_cert_file = "/etc/ssl/certs/ca-certificates.crt");
  ~HttplibProbeTransport() override;

  ProbeHttpResponse Post(const ProbeHttpRequest& request) ABSL_LOCKS_EXCLUDED(mu_) override;
  void CancelAll() ABSL_LOCKS_EXCLUDED(mu_) override;

 private:
  class SocksPath;

  ProbeHttpResponse PostThroughSocks(const ProbeHttpRequest& request) ABSL_LOCKS_EXCLUDED(mu_);

  const std::string ca_cert_file_;
  Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  // Created with the first SOCKS5 probe; never replaced, so a pointer taken
  // under mu_ stays valid until the destructor.
  std::unique_ptr<SocksPath> socks_ ABSL_GUARDED_BY(mu_);
  // Clients with a probe in flight, so CancelAll can stop them.
  std::set<httplib::Client*> in_flight_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::keybroker
