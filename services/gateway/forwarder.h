#pragma once
// The attempt loop behind every Gemini call: take a key from the broker, call
// upstream with it in place of the client's token, and if the attempt fails
// in a way another key could fix (429, key errors, 5xx, transport) try again
// with a different key, up to MAX_RETRIES attempts, but only while nothing has
// reached the client. Reports each attempt's outcome to the broker and each
// failure to the error log, both off the request path. The caller chooses
// buffering or streaming through the ResponseSink. Thread-safe.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "gempool/common/clock.h"
#include "gempool/gemini/route.h"
#include "gempool/gemini/upstream_url.h"
#include "http_status.h"
#include "key_broker_client.h"
#include "live_settings.h"
#include "outcome_reporter.h"
#include "request_log_writer.h"
#include "upstream_client.h"

namespace gempool::gateway {

// Where the pool key goes in the upstream request.
enum class KeyPlacement {
  kGoogApiKeyHeader,  // x-goog-api-key: <key> (the Gemini API).
  kBearerHeader,      // Authorization: Bearer <key> (Google's OpenAI-compatible endpoint).
};

// One client call, ready to go upstream except for the key.
struct ForwardRequest {
  gemini::Route route;
  std::string http_method;
  gemini::UpstreamTarget target;
  // The client's body, sent byte for byte. Must stay valid during Forward().
  absl::string_view body;
  // Client headers to pass on (no credentials, no hop-by-hop headers).
  HeaderList headers;
  KeyPlacement key_placement = KeyPlacement::kGoogApiKeyHeader;
  // The operation named in the error log; empty: the route's method name
  // ("generateContent"). The OpenAI routes name theirs ("chat.completions").
  std::string operation;

  // `operation`, or the route's method name.
  std::string OperationName() const;
};

// Receives a successful (2xx) upstream response. Used from the thread that
// runs Forward().
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // A 2xx head arrived on a new attempt; whatever an earlier, uncommitted
  // attempt wrote is void.
  virtual void Begin(const UpstreamResponseHead& head) = 0;
  // Body bytes. False when the client is gone (the upstream call is cancelled).
  virtual bool Write(absl::string_view data) = 0;
  // Whether bytes have reached the client, after which no retry is possible.
  virtual bool Committed() const = 0;
};

struct ForwardResult {
  enum class Outcome {
    kSuccess,            // A 2xx response went completely into the sink.
    kFailed,             // Nothing committed; `failure` is the answer.
    kBrokenAfterCommit,  // The upstream stream broke after bytes reached the client.
    kClientGone,         // The sink refused bytes: the client disconnected.
  };
  Outcome outcome = Outcome::kFailed;
  // The 2xx head, except for kFailed.
  UpstreamResponseHead head;
  // For kFailed: the last upstream error (status and body verbatim, keys
  // redacted) or gempool's own error when no attempt could be made.
  HttpReply failure;
  int attempts = 0;
  // The key of the last attempt; 0 if none was acquired.
  int64_t key_id = 0;

  // The HTTP status the client got.
  int ClientStatus() const { return outcome == Outcome::kFailed ? failure.status : head.status; }
};

class Forwarder {
 public:
  struct Options {
    int max_attempts = 3;        // MAX_RETRIES.
    // MAX_KEY_WAIT_MS: when no key is free but one frees up within this many
    // ms, the request waits for it instead of answering 429 at once.
    int max_key_wait_ms = 0;
    HeaderList custom_headers;   // CUSTOM_HEADERS, added to every upstream call.
    // When set, MAX_RETRIES, CUSTOM_HEADERS and TIME_OUT come from here at
    // each call instead (settings changed in the admin UI); must outlive
    // the forwarder.
    const LiveSettingsHolder* live = nullptr;
  };

  Forwarder(KeyBrokerClient& broker, OutcomeReporter& reporter, UpstreamClient& upstream,
            RequestLogWriter& logs, const Clock& clock, Options options);

  ForwardResult Forward(const ForwardRequest& request, ResponseSink& sink);

 private:
  // Logs a failure that happened before any upstream attempt (broker down,
  // no key) to the error log.
  void LogGatewayError(const ForwardRequest& request, const HttpReply& reply,
                       absl::string_view error_type, absl::string_view message);

  KeyBrokerClient& broker_;
  OutcomeReporter& reporter_;
  UpstreamClient& upstream_;
  RequestLogWriter& logs_;
  const Clock& clock_;
  const Options options_;
};

}  // namespace gempool::gateway
