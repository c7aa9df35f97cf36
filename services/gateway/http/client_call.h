#pragma once
// The plain-data face of the API routes that live outside http_server.cc
// (the OpenAI-compatible API): what a handler gets from a client call and
// what it answers, without HTTP library types. HttpServer matches the route,
// checks the client token, builds a ClientCall, runs the handler, and writes
// the ClientAnswer: a complete reply, or a stream it starts on the event loop
// exactly like a native stream (first byte commits; the request log row is
// written when it ends). Plain values; thread-compatible.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "upstream/forwarder.h"
#include "gempool/gemini/client_auth.h"
#include "http/http_status.h"
#include "upstream/upstream_client.h"

namespace gempool::gateway {

struct ClientCall {
  std::string method;     // "GET", "POST".
  std::string path;       // Decoded, without the query.
  std::string raw_path;   // As the client sent it (percent-escapes kept).
  std::string raw_query;  // As the client sent it (may hold ?key=).
  // The route pattern's capture groups, in order.
  std::vector<std::string> path_params;
  // The request body; valid while the handler runs (a stream job must copy
  // what it needs). Empty for a route that streams its body.
  absl::string_view body;
  // For a route with ApiRoute::stream_request_body: the body, pulled as it
  // is sent on (UpstreamRequest::body_source). The handler runs as soon as
  // the head is in; the body's Content-Length is size(). Reading it is
  // optional: an answer given without reading it all closes the client
  // connection after the answer.
  std::shared_ptr<upstream::BodySource> body_source;
  // Client headers fit to pass upstream (no credentials, no hop-by-hop
  // headers), as for native calls.
  HeaderList upstream_headers;
  // Every header the client sent, credentials included (never forward
  // these); valid while the handler runs. Null in calls made by tests that
  // need no headers.
  const HeaderList* request_headers = nullptr;
  gemini::ClientAuth auth;
  // False when the handler runs on an event-loop thread (ApiRoute::
  // try_on_loop): it must not block, and answers `needs_worker` when it
  // would (e.g. to fetch an image), to be called again on a worker thread.
  bool may_block = true;
  // The live settings in force when the request came (read once by the
  // server): every part of the request uses this snapshot, so a save in the
  // admin UI applies from the next request on, never half-way through one.
  // Never null in calls the server makes.
  std::shared_ptr<const LiveSettings> settings;
};

// How a streamed answer ends: for Outcome::kFailed, `failure` is the
// client's answer, in the route's dialect.
using StreamDone = std::function<void(ForwardResult)>;
// Starts the forward through `sink` (the client's stream; the first byte
// written commits the response; valid until `done` ran) and returns its
// handle, which the server cancels when the client goes away. `done` runs
// once, on any thread, never inside the job.
using StreamJob = std::function<std::shared_ptr<ForwardCall>(ResponseSink& sink, StreamDone done)>;

struct ClientAnswer {
  // The complete answer (unless `stream` is set).
  HttpReply reply;
  // Extra response headers (e.g. x-gempool-warnings).
  HeaderList headers;
  // Set for a streamed answer instead of `reply`.
  StreamJob stream;
  // Set for a whole answer that is not known yet instead of `reply`: the
  // server starts it, and it calls `done` once (on any thread, never inside
  // the call) with the finished answer. A buffered upstream call waits this
  // way without holding a thread. It returns the upstream forward's handle
  // (null if none), which the server cancels if the client leaves first
  // (Exchange::CancelOnDeparture); `done` still runs then.
  std::function<std::shared_ptr<ForwardCall>(std::function<void(ClientAnswer)> done)> later;
  // See ClientCall::may_block.
  bool needs_worker = false;
  // For the request log row.
  std::string model;
  std::string operation;
  int attempts = 0;
  int64_t key_id = 0;
  // Time in upstream calls (ForwardResult::upstream_ms), for the row.
  int64_t upstream_ms = 0;
  // Tokens of the upstream calls (ForwardResult::usage, summed), for the row.
  std::optional<gemini::TokenCounts> usage;
};

using ClientHandler = std::function<ClientAnswer(const ClientCall& call)>;

// One entry of HttpServer's route table, served ahead of the native API.
struct ApiRoute {
  std::string verb;  // "GET" or "POST".
  // ECMAScript regex matched against the whole decoded path (PathPattern);
  // its groups become ClientCall::path_params.
  std::string path;
  // The client auth forms this entry serves (e.g. only Bearer, so a Gemini
  // client's GET /v1/models still reaches the native list); empty: any.
  std::vector<gemini::AuthForm> auth_forms;
  ClientHandler handler;
  // The answer for a missing or wrong client token, in the route's dialect.
  std::function<HttpReply()> unauthenticated;
  // The HTTP layer's own refusal of a request on this route (413 body too
  // large, 408 too slow, 400 malformed) in the route's dialect; unset:
  // Google's error shape.
  std::function<HttpReply(int status, absl::string_view message)> refusal;
  // The handler is called on the event loop first (ClientCall::may_block
  // false), saving two thread hops per call; only a call it answers
  // `needs_worker` goes to a worker thread.
  bool try_on_loop = false;
  // The handler runs once the head is in (the token checked as usual), with
  // ClientCall::body_source instead of a body: for Files API upload chunks,
  // which are sent on while they arrive rather than held in memory.
  // MAX_REQUEST_BODY_MB still applies (a larger Content-Length: 413 before
  // the handler runs), REQUEST_BODY_TIMEOUT bounds each wait for body bytes
  // (408), and the body needs a Content-Length (chunked: 411).
  bool stream_request_body = false;
  // Served only to requests carrying this header (lower case; empty: any):
  // GET /v1/models answers in Anthropic's shape when anthropic-version
  // came, whatever the token's form.
  std::string required_header;
};

}  // namespace gempool::gateway
