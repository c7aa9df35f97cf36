#pragma once
// Verifies one key by using it: a minimal TEST_MODEL generateContent request
// ("hi", at most one output token) sent straight to BASE_URL (a Vertex AI
// Express key: to VERTEX_EXPRESS_BASE_URL/models/TEST_MODEL:generateContent), the way the
// gateway would send it (through the proxy the caller chose for the key, as
// the broker hands it out; CUSTOM_HEADERS, TIME_OUT), but never through a gateway, so it stays out of the request log
// and the usage statistics. The answer is classified with the gateway's own
// classifier (gempool/gemini/error_classifier.h) into a key-pool outcome.
// Thread-safe (immutable after construction; the transport is thread-safe).

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gempool/common/clock.h"
#include "gempool/config/config.h"
#include "gempool/keypool/key_info.h"
#include "gempool/keypool/outcome.h"
#include "probe_transport.h"

namespace gempool::keybroker {

// What a probe needs from the configuration.
struct ProbeSettings {
  std::string base_url;    // BASE_URL
  std::string vertex_base_url;  // VERTEX_EXPRESS_BASE_URL
  std::string test_model;  // TEST_MODEL ("models/" is dropped)
  std::map<std::string, std::string> custom_headers;  // CUSTOM_HEADERS
  int timeout_seconds = 300;                          // TIME_OUT

  static ProbeSettings FromConfig(const Config& config);
  bool operator==(const ProbeSettings& other) const {
    return base_url == other.base_url && vertex_base_url == other.vertex_base_url && test_model == other.test_model &&
           custom_headers == other.custom_headers && timeout_seconds == other.timeout_seconds;
  }
  bool operator!=(const ProbeSettings& other) const { return !(*this == other); }
};

struct ProbeResult {
  // The outcome as the key pool takes it (KeyPool::ApplyProbe); its message
  // is upstream's, keys redacted.
  keypool::Outcome outcome;
  // Whether the key works: 2xx, or 429 (valid, only rate-limited).
  bool passed = false;
  // Upstream HTTP status; 0 when no answer came.
  int http_status = 0;
  // What happened, in words an admin can act on; keys redacted.
  std::string message;
};

class KeyProber {
 public:
  // `transport` and `clock` must outlive the prober.
  KeyProber(ProbeSettings settings, ProbeTransport& transport, const Clock& clock);

  // OK when the settings can be used: BASE_URL parses, TEST_MODEL is set and
  // CUSTOM_HEADERS holds valid headers that do not replace the key. Probe()
  // fails every key with this message otherwise.
  const absl::Status& status() const { return status_; }
  // The model probes ask for.
  const std::string& model() const { return model_; }
  // What it was made from.
  const ProbeSettings& settings() const { return settings_; }

  // Probes with `secret`, a key of `pool`, through `proxy` ("" direct): the
  // one the broker's proxy chooser gives the key (dead proxies skipped).
  // Blocks for up to TIME_OUT.
  ProbeResult Probe(const std::string& secret, keypool::Pool pool = keypool::Pool::kGemini,
                    const std::string& proxy = "") const;

  // The proxy health check (proxy_checker.h): the probe's request without a
  // key, sent through `proxy` with at most `timeout_seconds` (capped by
  // TIME_OUT). Any HTTP answer (Google's 403 for the missing key included)
  // means the proxy carried the call; `responded` false says why it did not.
  ProbeHttpResponse ProbeProxy(const std::string& proxy, int timeout_seconds) const;

 private:
  const ProbeSettings settings_;
  ProbeTransport& transport_;
  const Clock& clock_;
  std::string model_;
  absl::Status status_;
  std::string scheme_host_port_;
  std::string path_;
  // Where Vertex AI Express keys are probed; vertex_status_ says why not
  // when VERTEX_EXPRESS_BASE_URL does not parse (only those probes fail).
  absl::Status vertex_status_;
  std::string vertex_scheme_host_port_;
  std::string vertex_path_;
};

}  // namespace gempool::keybroker
