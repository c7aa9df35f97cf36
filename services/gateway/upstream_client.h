#pragma once
// Calls the Gemini API (or whatever BASE_URL points at) over HTTP(S), handing
// the response head and each body chunk to callbacks as they arrive, so
// streams pass through without buffering. Keeps idle keep-alive connections
// in a pool per host and proxy: an httplib::Client serialises its requests,
// so each call leases its own. Thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "gempool/gemini/error_classifier.h"

namespace gempool::gateway {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct UpstreamRequest {
  std::string method;            // "GET" or "POST".
  std::string scheme_host_port;  // "https://generativelanguage.googleapis.com:443".
  std::string path_and_query;    // Already percent-encoded as it goes on the wire.
  HeaderList headers;            // Everything to send (credential included).
  std::string body;
  std::string proxy;             // "" for direct, else an http:// proxy URL.
  // Connect/read/write timeout of this call; 0: Options::timeout_seconds.
  // (TIME_OUT changed in the admin UI applies to the next call.)
  int timeout_seconds = 0;
};

// What the caller needs from the upstream response head.
struct UpstreamResponseHead {
  int status = 0;
  std::string content_type;
  std::string retry_after;   // Retry-After, "" if absent.
  HeaderList passthrough;    // Other headers worth relaying (server-timing).
};

struct UpstreamCallbacks {
  // The status line and headers arrived. False cancels the call.
  std::function<bool(const UpstreamResponseHead&)> on_head;
  // A piece of the body arrived. False cancels the call.
  std::function<bool(absl::string_view)> on_body;
};

struct UpstreamResult {
  enum class Kind {
    kComplete,   // The whole response was read.
    kCancelled,  // A callback returned false.
    kFailed,     // Transport failure (before or during the response).
    kAborted,    // AbortAll() ended it: the gateway is stopping; not the key's fault.
  };
  Kind kind = Kind::kComplete;
  gemini::TransportFailure failure = gemini::TransportFailure::kConnection;  // For kFailed.
  std::string detail;  // For kFailed: what went wrong, for logs and the client.
};

class UpstreamClient {
 public:
  struct Options {
    int timeout_seconds = 300;  // Connect, read and write timeouts (TIME_OUT).
    std::string ca_cert_file = "/etc/ssl/certs/ca-certificates.crt";
    size_t max_idle_per_host = 64;
  };

  explicit UpstreamClient(Options options);
  UpstreamClient(const UpstreamClient&) = delete;
  UpstreamClient& operator=(const UpstreamClient&) = delete;
  ~UpstreamClient();

  // Performs one request; blocks until it ends. The callbacks run on this
  // thread. Taken by value: the body moves into the wire request.
  UpstreamResult Send(UpstreamRequest request, const UpstreamCallbacks& callbacks);

  // Breaks every call in flight and refuses new ones (they end kAborted),
  // and drops idle connections; for shutdown.
  void AbortAll();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gempool::gateway
