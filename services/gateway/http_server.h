#pragma once
// The gateway's HTTP face (cpp-httplib): routes, client authentication, and
// turning Forwarder results into responses, buffered or streamed. The only
// place besides UpstreamClient that sees httplib. Thread-safe.
//
// Routes are an ordered table: the first entry whose verb and path match and
// whose accepted auth forms include the client's wins. The native Gemini API
// is served under /{v1beta,v1,v1alpha} and /gemini/...; OpenAI-style routes
// under /v1 (e.g. /v1/chat/completions, and /v1/models for Bearer clients)
// go in front of it in the same table.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client_call.h"
#include "admin/admin_ui.h"
#include "forwarder.h"
#include "gempool/common/clock.h"
#include "gempool/config/config.h"
#include "gempool/gemini/upstream_url.h"
#include "health_checker.h"
#include "live_settings.h"
#include "request_log_writer.h"

namespace gempool::gateway {

class HttpServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 0;                  // 0: any free port.
    int threads = 1024;            // GATEWAY_THREADS: most connections served at once.
    size_t stream_buffer_bytes = 4 << 20;  // Per stream, between upstream and client.
    // The admin web UI (/, /keys, /config, /logs, /stats, /static/, /api/);
    // not served when null. Must outlive the server.
    admin::AdminUi* admin = nullptr;
    // When set, client tokens (ALLOWED_TOKENS) and BASE_URL come from here
    // at each request (settings changed in the admin UI). Must outlive the
    // server.
    const LiveSettingsHolder* live = nullptr;
    // Routes served by plain-data handlers (the OpenAI-compatible API),
    // matched in order ahead of the native Gemini API.
    std::vector<ApiRoute> api_routes;
  };

  // `config` (tokens) and the collaborators must outlive the server.
  HttpServer(const Config& config, gemini::BaseUrl base_url, Forwarder& forwarder,
             HealthChecker& health, RequestLogWriter& logs, const Clock& clock, Options options);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  // Binds and serves on a background thread; returns the bound port.
  absl::StatusOr<int> Start();

  // Shutdown, in steps the owner interleaves with stopping upstream calls:
  // stop accepting; wait up to `grace_ms` for requests in flight; cut the
  // streams still open; then wait for the server and stream threads.
  void StopAccepting();
  void WaitIdle(int grace_ms);
  void CancelStreams();
  void Join();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gempool::gateway
