#pragma once
// Calls the Gemini API (or whatever BASE_URL points at) over HTTP(S) on the
// gateway's event loop, without a thread per call: the response head and each
// body chunk go to callbacks as they arrive, so streams pass through without
// buffering, and a consumer that cannot keep up pauses the read (the upstream
// socket's receive window then slows Google down) instead of growing a buffer.
// Keeps idle keep-alive connections in a pool per host and proxy; TLS with
// the system CAs; PROXIES entries http:// (absolute-form for http upstreams,
// CONNECT for https) and socks5:// / socks5h:// (RFC 1928, user/password
// auth RFC 1929). Boost.Asio + Boost.Beast.
//
// Thread-safe. Callbacks of one call run one at a time on the loop's threads
// and must not block. Send() is the blocking form for worker threads; it must
// never be called on a loop thread.
//
// Call lifecycle (details the callers rely on):
//  - on_head comes once, before any on_body (interim 1xx answers are skipped);
//    for a bodiless answer (204, 304, HEAD) it is followed directly by on_done.
//  - on_body gets each piece as soon as it is parsed, a view into the read
//    buffer valid only during the callback; a piece is at most one socket
//    read (16 KiB).
//  - After on_body answers kPause nothing more is called (not even on_done,
//    if that piece was the last) until Resume(); the TIME_OUT clock stops
//    meanwhile and restarts at Resume().
//  - Resume() and Cancel() post to the call's strand, so they may be called
//    from anywhere, inside a callback too; after the call has ended both are
//    no-ops. Resume() on a call that is not paused is a no-op.
//  - on_done is called exactly once, last, on the loop; a kComplete call has
//    returned its connection to the pool before on_done runs.
//  - A pooled connection found dead (write error, or EOF/reset before any
//    response byte) is replaced once by a fresh one, invisibly to the caller;
//    for a request with a body_source, only while its head is being written
//    (pulled body bytes cannot be pulled again).
//  - A body_source request: the head goes out, then the body is pulled piece
//    by piece (one Read at a time, the next while the previous piece is
//    written) and the response is read meanwhile, so an early answer (an
//    error before the whole body was sent) arrives as it comes; the call then
//    ends kComplete, the source is Cancel()led and the connection is not
//    reused. A Read error ends the call kCancelled with a detail that begins
//    "the client's request body: ". A source whose bytes add up to more or
//    less than size() fails the call (kFailed, kConnection). Bytes arriving
//    from the source count as progress for TIME_OUT (a slow client is the
//    producer's REQUEST_BODY_TIMEOUT to judge, not the upstream's fault).
//  - kFailed details say what went wrong and where: "could not connect: ...",
//    "connect timed out after N s" (DNS, TCP, proxy handshake and TLS
//    together), "no data for N s (TIME_OUT)" (no read/write progress; both
//    timeouts are TransportFailure::kTimeout, the rest kConnection), "TLS
//    handshake failed: certificate verification failed: ...", "SOCKS5 proxy
//    refused the connection: ...", then " [scheme://host:port]" or
//    " [scheme://host:port via proxy]". Proxy credentials never appear.
//  - The io_context must keep running until every call has ended (AbortAll
//    first when stopping); handlers that never run leave on_done uncalled.
//    UpstreamCall handles must be dropped before the io_context is destroyed
//    (a call owns its socket and timer).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "absl/strings/string_view.h"
#include "gempool/gemini/error_classifier.h"
#include "gempool/upstream/body_source.h"

namespace gempool::upstream {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct UpstreamRequest {
  std::string method;            // "GET" or "POST".
  std::string scheme_host_port;  // "https://generativelanguage.googleapis.com:443".
  std::string path_and_query;    // Already percent-encoded as it goes on the wire.
  HeaderList headers;            // Everything to send (credential included).
  std::string body;
  // Instead of `body` (which must then be empty): a body pulled while it is
  // sent, with Content-Length = size() (a Files API upload chunk streamed
  // from the client). Cancel()led when the call ends before it was drained.
  std::shared_ptr<BodySource> body_source;
  std::string proxy;             // "" for direct, else a PROXIES URL (http://, socks5://, socks5h://).
  // Connect timeout, and the longest wait for any progress (a read or a
  // write) of this call; 0: Options::timeout_seconds. (TIME_OUT changed in
  // the admin UI applies to the next call.)
  int timeout_seconds = 0;
};

// What the caller needs from the upstream response head.
struct UpstreamResponseHead {
  int status = 0;
  std::string content_type;
  std::string retry_after;   // Retry-After, "" if absent.
  HeaderList passthrough;    // Other headers worth relaying (server-timing).
};

// What a body consumer wants next.
enum class BodyAction {
  kContinue,  // Keep reading.
  kPause,     // Stop reading until UpstreamCall::Resume().
  kCancel,    // End the call (result kCancelled).
};

struct UpstreamResult {
  enum class Kind {
    kComplete,   // The whole response was read.
    kCancelled,  // A callback refused, or UpstreamCall::Cancel().
    kFailed,     // Transport failure (before or during the response).
    kAborted,    // AbortAll() ended it: the gateway is stopping; not the key's fault.
  };
  Kind kind = Kind::kComplete;
  gemini::TransportFailure failure = gemini::TransportFailure::kConnection;  // For kFailed.
  // For kFailed: what went wrong, for logs and the client. For kCancelled
  // by a failing body_source: "the client's request body: ..." (else empty).
  std::string detail;
};

// Callbacks of the blocking Send().
struct UpstreamCallbacks {
  // The status line and headers arrived. False cancels the call.
  std::function<bool(const UpstreamResponseHead&)> on_head;
  // A piece of the body arrived. False cancels the call.
  std::function<bool(absl::string_view)> on_body;
};

// Callbacks of an asynchronous call (Start()).
struct AsyncUpstreamCallbacks {
  // The status line and headers arrived (also for bodiless answers). False
  // cancels the call.
  std::function<bool(const UpstreamResponseHead&)> on_head;
  // A piece of the body arrived (never empty).
  std::function<BodyAction(absl::string_view)> on_body;
  // The call ended; runs exactly once, last, also when Start() fails at once
  // (then on the loop, never inside Start()).
  std::function<void(UpstreamResult)> on_done;
};

// A call in flight. Thread-safe; may outlive the call (then both are no-ops).
class UpstreamCall {
 public:
  virtual ~UpstreamCall() = default;
  // Continues reading after on_body answered kPause.
  virtual void Resume() = 0;
  // Ends the call: on_done gets kCancelled (unless it already ended).
  virtual void Cancel() = 0;
};

class UpstreamClient {
 public:
  struct Options {
    int timeout_seconds = 300;  // Connect timeout and longest wait for progress (TIME_OUT).
    std::string ca_cert_file = "/etc/ssl/certs/ca-certificates.crt";
    size_t max_idle_per_host = 64;  // Idle keep-alive connections kept per host and proxy.
    // An idle connection older than this is not reused: a NAT or proxy may
    // have dropped it silently, and a request on it would wait for TIME_OUT.
    int max_idle_seconds = 60;
  };

  // Calls run on `io` (an event loop run elsewhere, e.g. the gateway's EventLoop),
  // which must outlive the client.
  UpstreamClient(boost::asio::io_context& io, Options options);
  UpstreamClient(const UpstreamClient&) = delete;
  UpstreamClient& operator=(const UpstreamClient&) = delete;
  ~UpstreamClient();

  // Starts one request. Taken by value: the body moves into the wire request.
  std::shared_ptr<UpstreamCall> Start(UpstreamRequest request, AsyncUpstreamCallbacks callbacks);

  // Performs one request; blocks until it ends (callbacks on the loop's
  // threads, one at a time). Not on a loop thread.
  UpstreamResult Send(UpstreamRequest request, const UpstreamCallbacks& callbacks);

  // Breaks every call in flight and refuses new ones (they end kAborted),
  // and drops idle connections; for shutdown.
  void AbortAll();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gempool::upstream
