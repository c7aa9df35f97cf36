#pragma once
// The HTTP seam of key verification: a probe is one POST to the upstream
// Gemini API (BASE_URL), sent through this interface so tests can answer it
// without sockets. HttplibProbeTransport is the real one.
//
// Implementations are thread-safe: probes run a few at a time.

#include <string>
#include <utility>
#include <vector>

#include "gempool/gemini/error_classifier.h"

namespace gempool::keybroker {

struct ProbeHttpRequest {
  // "https://generativelanguage.googleapis.com:443".
  std::string scheme_host_port;
  // Path as it goes on the wire, e.g. "/v1beta/models/gemini-2.5-flash-lite:generateContent".
  std::string path;
  // Every header to send, the key included.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // "" for a direct connection, else an http(s):// proxy URL from PROXIES.
  std::string proxy;
  // Connect, read and write timeout (TIME_OUT).
  int timeout_seconds = 300;
};

struct ProbeHttpResponse {
  // False when no complete HTTP response arrived; `failure` and `detail` say
  // why.
  bool responded = false;
  gemini::TransportFailure failure = gemini::TransportFailure::kConnection;
  std::string detail;
  // The response, when `responded`.
  int status = 0;
  std::string body;
  // The Retry-After header, "" if absent.
  std::string retry_after;
};

class ProbeTransport {
 public:
  virtual ~ProbeTransport() = default;
  // Sends `request` and waits for the whole response (or the timeout).
  virtual ProbeHttpResponse Post(const ProbeHttpRequest& request) = 0;
  // Ends every probe in flight (as a connection failure) and refuses new
  // ones, so shutdown does not wait for TIME_OUT.
  virtual void CancelAll() = 0;
};

}  // namespace gempool::keybroker
