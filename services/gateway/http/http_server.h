#pragma once
// The gateway's HTTP face: accepts client connections on the event loop
// (Boost.Asio + Beast; see connection.h for the limits and deadlines),
// admits them within MAX_CONNECTIONS and MAX_CONNECTIONS_PER_IP, routes each
// request, checks the client token, and answers:
//   - the native Gemini API on the event loop itself (native/),
//   - the routes served by plain-data handlers (the OpenAI-compatible API),
//     /health and the admin UI on worker threads, because they block (gRPC,
//     media fetches); their streams then run on the event loop again.
//
// Routes are an ordered table: the first entry whose verb and path match and
// whose accepted auth forms include the client's wins. The native Gemini API
// is served under /{v1beta,v1,v1alpha} and /gemini/...; OpenAI-style routes
// under /v1 go in front of it in the same table. HEAD is served as GET
// without the body.
//
// Thread-safe. Connections are owned by their strands; the route table is
// read-only after construction.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "admin/admin_ui.h"
#include "gempool/common/clock.h"
#include "gempool/config/config.h"
#include "gempool/gemini/upstream_url.h"
#include "gempool/openai/options.h"
#include "health_checker.h"
#include "http/client_call.h"
#include "http/connection.h"
#include "http/elastic_thread_pool.h"
#include "http/event_loop.h"
#include "live_settings.h"
#include "tokens/client_token_replica.h"
#include "logs/request_log_writer.h"
#include "upstream/forwarder.h"

namespace gempool::gateway {

class HttpServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 0;                   // 0: any free port.
    size_t max_connections = 20000;       // MAX_CONNECTIONS
    size_t max_connections_per_ip = 256;  // MAX_CONNECTIONS_PER_IP; 0: no limit.
    ConnectionLimits limits;
    // The admin web UI (/, /keys, /config, /logs, /stats, /static/, /api/);
    // not served when null. Must outlive the server.
    admin::AdminUi* admin = nullptr;
    // GET /metrics (METRICS_TOKEN set): answers it whatever the client
    // token, on a worker thread (metrics_endpoint.h checks its own token);
    // unset: /metrics is not a route (404).
    std::function<HttpResponse(const HttpRequest&)> metrics;
    // The live settings (required): each request reads the snapshot in
    // force once, when its route is chosen, and uses it throughout (client
    // tokens, BASE_URL, the model options, ...; ClientCall::settings); each
    // accepted connection takes the HTTP limits in force. Must outlive the
    // server.
    const LiveSettingsHolder* live = nullptr;
    // Routes served by plain-data handlers (the OpenAI-compatible API),
    // matched in order ahead of the native Gemini API.
    std::vector<ApiRoute> api_routes;
    // Managed client tokens (beside ALLOWED_TOKENS): a token ALLOWED_TOKENS
    // does not know is looked up here by its SHA-256; disabled, expired or
    // deleted ones get 401, one over requests_per_minute or tokens_per_day
    // 429 with Retry-After, in the route's dialect. Unset: ALLOWED_TOKENS
    // only. Must outlive the server.
    ClientTokenReplica* client_tokens = nullptr;
  };

  // `loop`, `workers` (where blocking handlers run) and the collaborators
  // must outlive the server.
  HttpServer(Forwarder& forwarder, HealthChecker& health, RequestLogWriter& logs, const Clock& clock, EventLoop& loop,
             ElasticThreadPool& workers, Options options);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  // Binds and accepts on the event loop (which the owner runs); returns the
  // bound port.
  absl::StatusOr<int> Start();

  // Shutdown, in steps the owner interleaves with stopping upstream calls:
  // stop accepting (or Drain); wait up to `grace_ms` for requests in flight;
  // cut the streams still open; then close every connection and wait for
  // the worker threads.
  void StopAccepting();
  // A graceful stop: stops accepting, closes the connections that are
  // between requests, and from now on answers every request on the others
  // with `Connection: close` (closing them after it) and GET /health with
  // 503 {"status":"draining"}, so a load balancer stops sending here.
  void Drain();
  // Waits up to `grace_ms` until no request is in flight and every client
  // connection is closed (after Drain: the drain is complete); whether it is.
  bool WaitIdle(int grace_ms);
  void CancelStreams();
  // Closes every client connection and waits up to `wait_ms` until each is
  // closed; whether they all are. The closing runs on the event loop, so
  // the owner stops the loop only after this: stopped first, it would leave
  // the connections open (clients waiting on them) and what they hold
  // (streams, upstream calls) never released.
  bool Join(int wait_ms = kJoinWaitMs);
  static constexpr int kJoinWaitMs = 5000;

  // Streamed answers in progress (the metrics' streams open).
  size_t OpenStreams() const;
  // Client connections open now.
  size_t OpenConnections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gempool::gateway
