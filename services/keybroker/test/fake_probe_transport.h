#pragma once
// A ProbeTransport for tests: answers each probe from a script keyed by the
// key it carries (x-goog-api-key), records every request, and can hold probes
// until released to observe how many run at once. No sockets. Thread-safe.

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "gempool/common/mutex.h"
#include "probe_transport.h"

namespace gempool::keybroker::testing {

class FakeProbeTransport final : public ProbeTransport {
 public:
  // An HTTP answer.
  static ProbeHttpResponse Http(int status, std::string body = "{}", std::string retry_after = "");
  // No answer.
  static ProbeHttpResponse Failure(gemini::TransportFailure failure, std::string detail);
  // Google's 400 API_KEY_INVALID body.
  static ProbeHttpResponse KeyInvalid();
  // Google's 429 with a RetryInfo delay in seconds and a per-model quota.
  static ProbeHttpResponse RateLimited(int retry_seconds);

  // The answer to probes with `secret`; keys without one get the default
  // (HTTP 200 unless set).
  void SetResponse(const std::string& secret, ProbeHttpResponse response);
  void SetDefault(ProbeHttpResponse response);
  // The answer to keyless probes (proxy checks) through `proxy`.
  void SetProxyResponse(const std::string& proxy, ProbeHttpResponse response);
  // While held, probes wait in Post until Release().
  void Hold();
  void Release();
  // Waits until `n` probes are waiting in Post; false on timeout.
  bool WaitForInFlight(int n, absl::Duration timeout);

  ProbeHttpResponse Post(const ProbeHttpRequest& request) override;
  void CancelAll() override;

  std::vector<ProbeHttpRequest> requests() const;
  // Keys probed, in order.
  std::vector<std::string> probed_keys() const;
  // Most probes that were in Post at the same time.
  int max_in_flight() const;
  bool cancelled() const;

 private:
  mutable Mutex mu_;
  // Signalled whenever held_, cancelled_ or in_flight_ changes (what Post and
  // WaitForInFlight wait on).
  CondVar changed_;
  std::map<std::string, ProbeHttpResponse> responses_ ABSL_GUARDED_BY(mu_);
  ProbeHttpResponse default_ ABSL_GUARDED_BY(mu_) = Http(200);
  std::vector<ProbeHttpRequest> requests_ ABSL_GUARDED_BY(mu_);
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  int max_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gempool::keybroker::testing
