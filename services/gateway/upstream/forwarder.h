#pragma once
// The attempt loop behind every Gemini call: take a key from the broker (of
// the request's pool: Gemini API or Vertex AI Express), call
// upstream with it in place of the client's token, and if the attempt fails
// in a way another key could fix (429, key errors, 5xx, transport) try again
// with a different key, up to MAX_RETRIES attempts, but only while nothing has
// reached the client. A pinned call (ForwardRequest::pinned_key_id, or the
// key Options::key_affinity names) uses its one key for every attempt. Reports each attempt's outcome to the broker and each
// failure to the error log, both off the request path. The caller chooses
// buffering or streaming through the ResponseSink.
//
// The loop is asynchronous (ForwardAsync): it runs on the gateway's event
// loop as callbacks of the upstream client and a timer (waiting for a cooling
// key), so a call in flight holds no thread. Only a key acquisition the
// in-process replica cannot answer (before its first snapshot) goes to the
// broker over gRPC, on the blocking-work runner. Forward() is the blocking
// form for worker threads. Thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "absl/strings/string_view.h"
#include "gempool/common/clock.h"
#include "gempool/gemini/route.h"
#include "gempool/gemini/usage_metadata.h"
#include "gempool/gemini/upstream_url.h"
#include "http/http_status.h"
#include "pool/key_broker_client.h"
#include "live_settings.h"
#include "pool/outcome_reporter.h"
#include "logs/request_log_writer.h"
#include "upstream/attempt_observer.h"
#include "tokens/client_token_replica.h"
#include "upstream/key_affinity.h"
#include "upstream/upstream_client.h"

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
  // The client's body, sent byte for byte. Must stay valid until Forward()
  // returns or ForwardAsync()'s `done` has run.
  absl::string_view body;
  // Instead of `body`: a body streamed from the client as it is sent
  // (UpstreamRequest::body_source; a Files API upload chunk). Its bytes can
  // be pulled only once, so such a call makes one attempt, whatever
  // MAX_RETRIES says.
  std::shared_ptr<upstream::BodySource> body_source;
  // Client headers to pass on (no credentials, no hop-by-hop headers).
  HeaderList headers;
  KeyPlacement key_placement = KeyPlacement::kGoogApiKeyHeader;
  // The pool the keys come from (VERTEX for the /vertex-express/ routes).
  v1::Pool pool = v1::POOL_GEMINI;
  // When > 0: every attempt uses this key and no other (an upload's chunks
  // go out on the key that started it; a file is read or deleted with the
  // key that owns it). A cooling key is waited for within MAX_KEY_WAIT_MS,
  // else the answer is 429 with Retry-After; a disabled or removed key is a
  // clear error. A failure another attempt may fix (5xx, timeout,
  // connection) is retried on the same key, up to MAX_RETRIES attempts; a
  // 429 or a dead key ends the call. Set by the caller, or by
  // Options::key_affinity.
  int64_t pinned_key_id = 0;
  // The client token's id (TokenId(token)); Options::key_affinity checks
  // file ownership against it. Empty for internal calls.
  std::string client_token_id;
  // The operation named in the error log; empty: the route's method name
  // ("generateContent"). The OpenAI routes name theirs ("chat.completions").
  std::string operation;

  // The client request's id (x-request-id): put in every error log row and
  // outcome report of the call and sent with its broker calls. Empty: the
  // id of the thread's ScopedRequestId when the forward starts (the server
  // opens one around every handler, so handlers need not set it).
  std::string request_id;

  // The client request's settings snapshot (ClientCall::settings):
  // MAX_RETRIES, MAX_KEY_WAIT_MS, CUSTOM_HEADERS, TIME_OUT and
  // ERROR_LOG_RECORD_REQUEST_BODY come from it. Null: the snapshot in force
  // when the forward starts (Options::live), else the Options.
  std::shared_ptr<const LiveSettings> settings;

  // `operation`, or the route's method name.
  std::string OperationName() const;
};

// Receives a successful (2xx) upstream response. Called one call at a time,
// from the event loop's threads (the upstream client's callbacks).
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
  // Back-pressure. True when the client side holds as much as it should:
  // the upstream read pauses until `resume` runs (from any thread, never
  // inside this call). False: keep reading (`resume` is dropped).
  virtual bool PauseUntilDrained(std::function<void()> /*resume*/) { return false; }
};

// A forward in flight. Thread-safe; a no-op once the forward has ended.
class ForwardCall {
 public:
  virtual ~ForwardCall() = default;
  // The client is gone: the upstream call is cut, the forward ends
  // kClientGone (or kFailed if no upstream call had started) and the key is
  // not blamed.
  virtual void Cancel() = 0;
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
  // Time spent in upstream attempts, all of them (RequestLogRow::upstream_ms).
  int64_t upstream_ms = 0;
  // The last usageMetadata in the 2xx body of the last attempt (a stream's
  // counts are running totals), found as the bytes passed through
  // (gemini::UsageScanner); nullopt when it carried none.
  std::optional<gemini::TokenCounts> usage;

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
    // When set, MAX_RETRIES, CUSTOM_HEADERS and TIME_OUT come from here for
    // a call without ForwardRequest::settings (settings changed in the
    // admin UI); must outlive the forwarder.
    const LiveSettingsHolder* live = nullptr;
    // When set, asked before the first attempt of a call it MayApply() to
    // (on the blocking-work runner): the key it names pins the call, its
    // error is the answer. Must outlive the forwarder.
    KeyAffinity* key_affinity = nullptr;
    // When set, a managed client token's allowed_models are checked before
    // the first attempt (every route's upstream call passes here, with its
    // model known): a model it may not call is answered 403 naming it.
    // Must outlive the forwarder.
    const ClientTokenReplica* client_tokens = nullptr;
    // When set, told how each upstream attempt ended (the metrics). Must
    // outlive the forwarder.
    AttemptObserver* attempt_observer = nullptr;
  };

  // Runs a task that may block (a gRPC call) off the event loop.
  using BlockingRunner = std::function<void(std::function<void()>)>;
  using Done = std::function<void(ForwardResult)>;

  // `io` runs the upstream calls and timers; `run_blocking` takes the key
  // acquisitions only the broker can answer. All must outlive the forwarder.
  Forwarder(KeyBrokerClient& broker, OutcomeReporter& reporter, UpstreamClient& upstream,
            RequestLogWriter& logs, const Clock& clock, boost::asio::io_context& io,
            BlockingRunner run_blocking, Options options);

  // Starts the attempt loop; `done` runs once with the result, on a loop
  // thread (or a blocking-work thread), never inside this call. `request`
  // is copied (its body is not: see ForwardRequest::body); `sink` must stay
  // valid until `done` has run.
  std::shared_ptr<ForwardCall> ForwardAsync(const ForwardRequest& request, ResponseSink& sink, Done done);

  // The same, blocking until the result is in. Never on a loop thread.
  ForwardResult Forward(const ForwardRequest& request, ResponseSink& sink);

  // The event loop the forwards run on (for a sink's own timers).
  boost::asio::io_context& io() const { return io_; }

 private:
  class Attempts;

  // Logs a failure that happened before any upstream attempt (broker down,
  // no key) to the error log.
  void LogGatewayError(const ForwardRequest& request, const HttpReply& reply,
                       absl::string_view error_type, absl::string_view message);

  KeyBrokerClient& broker_;
  OutcomeReporter& reporter_;
  UpstreamClient& upstream_;
  RequestLogWriter& logs_;
  const Clock& clock_;
  boost::asio::io_context& io_;
  const BlockingRunner run_blocking_;
  const Options options_;
};

}  // namespace gempool::gateway
