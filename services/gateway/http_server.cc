#include "http_server.h"

#include <sys/socket.h>

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"
#include "gempool/common/secrets.h"
#include "gempool/gemini/client_auth.h"
#include "gempool/gemini/error_body.h"
#include "gempool/gemini/route.h"
#include "gempool/gemini/url.h"
#include "buffered_sink.h"
#include "client_call.h"
#include "http_status.h"
#include "path_pattern.h"
#include "stream_session.h"
#include "elastic_thread_pool.h"
#include "gempool/common/memory.h"

namespace gempool::gateway {
namespace {

// Client request headers passed upstream. Everything else stays here:
// credentials (x-goog-api-key, authorization: replaced by the pool key),
// hop-by-hop headers, host, content-length (recomputed), accept-encoding
// (upstream bodies are relayed byte for byte, so gempool asks for identity).
// Content-Type first and User-Agent third: UpstreamHeaders relies on it.
constexpr const char* kForwardedHeaders[] = {"Content-Type", "Accept", "User-Agent",
                                             "X-Goog-Api-Client", "X-Server-Timeout"};

constexpr size_t kMaxRequestBody = 128u << 20;

const std::string kUnauthenticatedMessage =
    "Missing or invalid gempool token. Pass one of ALLOWED_TOKENS (or AUTH_TOKEN) as the "
    "x-goog-api-key header, the key query parameter (?key=...), or an Authorization: Bearer "
    "header. This is the gempool token, not a Google API key: gempool adds the pool key itself.";

std::optional<std::string> HeaderOf(const httplib::Request& req, const char* name) {
  if (!req.has_header(name)) return std::nullopt;
  return req.get_header_value(name);
}

// The raw query exactly as the client sent it (httplib only keeps it decoded
// in `params`).
absl::string_view RawQuery(const httplib::Request& req) {
  return gemini::SplitTarget(req.target).second;
}

void WriteReply(httplib::Response& res, const HttpReply& reply) {
  res.status = reply.status;
  res.body = reply.body;
  res.set_header("Content-Type", reply.content_type.empty() ? "application/json; charset=UTF-8"
                                                            : reply.content_type);
  if (!reply.retry_after.empty()) res.set_header("Retry-After", reply.retry_after);
}

void WriteHead(httplib::Response& res, const UpstreamResponseHead& head) {
  res.status = head.status;
  for (const auto& [name, value] : head.passthrough) res.set_header(name, value);
}

// Google's canonical status name for a bare HTTP error httplib produced.
const char* StatusNameForHttp(int status) {
  if (status == 404 || status == 405) return "NOT_FOUND";
  if (status == 413) return "INVALID_ARGUMENT";
  if (status < 500) return "INVALID_ARGUMENT";
  if (status == 503) return "UNAVAILABLE";
  return "INTERNAL";
}

// httplib's connection threads, from an ElasticThreadPool: they start as
// connections arrive and end after a quiet spell, instead of GATEWAY_THREADS
// threads held for the life of the process.
class ConnectionThreads final : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(ElasticThreadPool::Options options) : pool_(std::move(options)) {}
  void enqueue(std::function<void()> fn) override { pool_.Submit(std::move(fn)); }
  void shutdown() override { pool_.Shutdown(); }

 private:
  ElasticThreadPool pool_;
};

// How long a thread with nothing to do stays (connection and stream threads).
constexpr std::chrono::seconds kThreadIdleTimeout{3};
// Connection threads kept ready however quiet it gets.
constexpr size_t kMinConnectionThreads = 8;

ElasticThreadPool::Options ThreadOptions(const char* name, size_t max_threads, size_t min_threads,
                                        DeferredMemoryRelease& release) {
  ElasticThreadPool::Options options;
  options.thread_name = name;
  options.max_threads = std::max<size_t>(max_threads, 1);
  options.min_threads = std::min(min_threads, options.max_threads);
  options.idle_timeout = kThreadIdleTimeout;
  // The buffers of a burst of connections or streams go back to the OS once
  // it is over.
  options.on_shrunk = [&release] { release.Request(); };
  return options;
}

// Keeps a count of requests in flight (for a graceful stop).
class InFlight {
 public:
  void Enter() {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
  }
  void Leave() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--count_ == 0) idle_.notify_all();
  }
  void WaitIdle(std::chrono::milliseconds grace) {
    std::unique_lock<std::mutex> lock(mu_);
    idle_.wait_for(lock, grace, [&] { return count_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable idle_;
  int count_ = 0;
};

}  // namespace

struct HttpServer::Impl {
  // What each request carries into its log row.
  struct RequestContext {
    int64_t received_unix_ms = 0;
    int64_t received_ms = 0;  // Monotonic.
    std::string token_id;
    std::string model;
    std::string operation;
  };

  using RouteHandler = std::function<void(const httplib::Request&, httplib::Response&,
                                          const gemini::ClientAuth&)>;
  struct RouteEntry {
    std::string verb;
    PathPattern path;
    // Auth forms this entry serves; empty: any.
    std::vector<gemini::AuthForm> auth_forms;
    // Whether the client must present an allowed token.
    bool needs_token = true;
    RouteHandler handler;
    // The answer to a missing or wrong token when the entry has its own
    // dialect (OpenAI routes); else Google's 401.
    std::function<HttpReply()> unauthenticated = nullptr;
  };

  Impl(const Config& c, gemini::BaseUrl b, Forwarder& f, HealthChecker& h, RequestLogWriter& l,
       const Clock& cl, Options o)
      : config(c),
        base_url(std::move(b)),
        forwarder(f),
        health(h),
        logs(l),
        clock(cl),
        options(std::move(o)) {}

  void InstallRoutes() {
    routes.push_back({"GET", PathPattern("/health"), {}, /*needs_token=*/false,
                      [this](const httplib::Request&, httplib::Response& res,
                             const gemini::ClientAuth&) { ServeHealth(res); }});
    if (options.admin != nullptr) {
      // The admin web UI authenticates its own requests (session or admin
      // token), so the client-token check does not apply.
      admin::AdminUi* admin = options.admin;
      auto serve_admin = [admin](const httplib::Request& req, httplib::Response& res,
                                 const gemini::ClientAuth&) { admin->Serve(req, res); };
      for (const char* page : {"/", "/keys", "/config", "/logs", "/stats", "/static/.*", "/api", "/api/.*"}) {
        routes.push_back({"GET", PathPattern(page), {}, /*needs_token=*/false, serve_admin});
      }
      for (const char* api : {"/api", "/api/.*"}) {
        routes.push_back({"POST", PathPattern(api), {}, /*needs_token=*/false, serve_admin});
      }
    }
    // Routes served by plain-data handlers (the OpenAI-compatible API),
    // ahead of the native catch-all.
    for (const ApiRoute& api : options.api_routes) {
      auto path = std::make_shared<const PathPattern>(api.path);
      RouteEntry entry{api.verb, *path, api.auth_forms, /*needs_token=*/true,
                       [this, path, handler = api.handler](const httplib::Request& req, httplib::Response& res,
                                                           const gemini::ClientAuth& auth) {
                         ServeApi(req, res, auth, *path, handler);
                       }};
      entry.unauthenticated = api.unauthenticated;
      routes.push_back(std::move(entry));
    }
    for (const char* native : {"/v1beta/.*", "/v1/.*", "/v1alpha/.*", "/gemini/v1beta/.*", "/gemini/v1/.*",
                               "/gemini/v1alpha/.*"}) {
      for (const char* verb : {"GET", "POST"}) {
        routes.push_back({verb, PathPattern(native), {}, /*needs_token=*/true,
                          [this](const httplib::Request& req, httplib::Response& res,
                                 const gemini::ClientAuth& auth) { ServeNative(req, res, auth); }});
      }
    }

    // Never compress responses: bodies are relayed byte for byte, and a
    // compressor would hold stream chunks back (httplib gzips
    // "application/json" for clients that accept it, JSON-array streams
    // included). httplib hands handlers its own mutable Request as const, so
    // dropping the header here is well-defined.
    server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
      const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
      return httplib::Server::HandlerResponse::Unhandled;
    });

    auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
      Dispatch(req, res);
    };
    server.Get(".*", dispatch);
    server.Post(".*", dispatch);

    server.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
          std::string what = "unknown exception";
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          GEMPOOL_LOG(ERROR) << "internal error serving " << req.method << " " << req.path << ": "
                             << what;
          WriteReply(res, ErrorReply(absl::InternalError(
                              "internal gempool gateway error; the gateway log has the details")));
        });
    server.set_error_handler(httplib::Server::HandlerWithResponse(
        [](const httplib::Request& req, httplib::Response& res) {
      // Only bare errors from httplib itself (unknown verb, bad request line,
      // oversized body); replies gempool built or relays keep their body.
      if (!res.body.empty() || res.has_header("Content-Type")) {
        return httplib::Server::HandlerResponse::Unhandled;
      }
      res.set_content(
          gemini::MakeErrorBody(res.status, StatusNameForHttp(res.status),
                                absl::StrCat(req.method, " ", req.path, " failed with HTTP ",
                                             res.status, "; see the gempool README for the API")),
          "application/json; charset=UTF-8");
      return httplib::Server::HandlerResponse::Handled;
    }));
  }

  void Dispatch(const httplib::Request& req, httplib::Response& res) {
    const gemini::ClientAuth auth = gemini::ExtractClientAuth(
        {HeaderOf(req, "x-goog-api-key"), HeaderOf(req, "Authorization"), RawQuery(req)});
    for (const RouteEntry& route : routes) {
      if (route.verb != req.method || !route.path.Match(req.path)) continue;
      if (!route.auth_forms.empty() &&
          std::find(route.auth_forms.begin(), route.auth_forms.end(), auth.form) ==
              route.auth_forms.end()) {
        continue;
      }
      const bool allowed = options.live != nullptr ? options.live->Get()->IsAllowedToken(auth.token)
                                                   : config.IsAllowedToken(auth.token);
      if (route.needs_token && !allowed) {
        GEMPOOL_LOG(DEBUG) << "401 for " << req.method << " " << req.path << " from "
                           << req.remote_addr << " (token form: " << gemini::AuthFormName(auth.form)
                           << ")";
        WriteReply(res, route.unauthenticated ? route.unauthenticated()
                                              : ErrorReply(absl::UnauthenticatedError(kUnauthenticatedMessage)));
        return;
      }
      route.handler(req, res, auth);
      return;
    }
    WriteReply(res, ErrorReply(absl::NotFoundError(absl::StrCat(
                        req.method, " ", req.path,
                        " is not a gempool endpoint; the Gemini API is served under /v1beta, /v1 "
                        "and /gemini/v1beta (e.g. POST /v1beta/models/{model}:generateContent)"))));
  }

  void ServeHealth(httplib::Response& res) {
    const HealthChecker::Report report = health.Check();
    res.status = report.healthy ? 200 : 503;
    res.set_content(report.json, "application/json; charset=UTF-8");
  }

  // Client headers to pass upstream (see kForwardedHeaders).
  // One pass over the client's headers: a lookup per name folds case through
  // the whole header map each time (~9,000 instructions per request).
  static HeaderList UpstreamHeaders(const httplib::Request& req) {
    HeaderList headers;
    bool has_content_type = false;
    bool has_user_agent = false;
    for (const auto& [name, value] : req.headers) {
      for (const char* forwarded : kForwardedHeaders) {
        if (!absl::EqualsIgnoreCase(name, forwarded)) continue;
        headers.emplace_back(forwarded, value);
        has_content_type = has_content_type || forwarded == kForwardedHeaders[0];
        has_user_agent = has_user_agent || forwarded == kForwardedHeaders[2];
        break;
      }
    }
    if (req.method == "POST" && !has_content_type) headers.emplace_back("Content-Type", "application/json");
    if (!has_user_agent) headers.emplace_back("User-Agent", "gempool-gateway");
    headers.emplace_back("Accept-Encoding", "identity");
    return headers;
  }

  void ServeNative(const httplib::Request& req, httplib::Response& res,
                   const gemini::ClientAuth& auth) {
    RequestContext context;
    context.received_unix_ms = clock.NowUnixMs();
    context.received_ms = clock.MonotonicMs();
    context.token_id = TokenId(auth.token);

    absl::StatusOr<gemini::Route> route = gemini::ParseRoute(req.method, req.path);
    if (!route.ok()) {
      const HttpReply reply = ErrorReply(route.status());
      WriteReply(res, reply);
      context.operation = "unknown";
      LogRequest(context, reply.status, 0, 0, false);
      return;
    }
    context.model = route->model;
    context.operation = gemini::MethodName(route->method);

    ForwardRequest forward;
    forward.route = *route;
    forward.http_method = req.method;
    forward.target = gemini::BuildUpstreamTarget(
        options.live != nullptr ? options.live->Get()->base_url : base_url, *route, RawQuery(req));
    forward.headers = UpstreamHeaders(req);

    in_flight.Enter();
    if (route->IsStream()) {
      const bool sse = gemini::QueryParam(RawQuery(req), "alt").value_or("") == "sse";
      StreamJob job = [this, forward = std::move(forward), body = req.body](ResponseSink& sink) mutable {
        forward.body = body;
        return forwarder.Forward(forward, sink);
      };
      ServeStream(res, std::move(job), std::move(context), sse ? "text/event-stream" : "application/json");
      return;  // The stream's worker leaves in_flight.
    }
    forward.body = req.body;
    BufferedSink sink;
    const ForwardResult result = forwarder.Forward(forward, sink);
    if (result.outcome == ForwardResult::Outcome::kSuccess) {
      WriteHead(res, result.head);
      res.body = std::move(sink.body());
      res.set_header("Content-Type", result.head.content_type.empty()
                                         ? "application/json; charset=UTF-8"
                                         : result.head.content_type);
    } else {
      WriteReply(res, result.failure);
    }
    LogRequest(context, result.ClientStatus(), result.attempts, result.key_id, false);
    in_flight.Leave();
  }

  // Runs `job` on a worker with a StreamSession as its sink and answers
  // from the session: the failure if nothing was committed, else the chunks
  // as they come. The caller entered in_flight; the worker leaves it.
  void ServeStream(httplib::Response& res, StreamJob job, RequestContext context,
                   const std::string& default_content_type) {
    auto session = std::make_shared<StreamSession>(options.stream_buffer_bytes);
    {
      std::lock_guard<std::mutex> lock(sessions_mu);
      sessions.insert(session);
    }
    auto forget = [this, session] {
      {
        std::lock_guard<std::mutex> lock(sessions_mu);
        sessions.erase(session);
      }
      in_flight.Leave();
    };
    try {
      stream_workers.Submit([this, session, forget, job = std::move(job), context = std::move(context)]() mutable {
        ForwardResult result;
        try {
          result = job(*session);
        } catch (const std::exception& e) {
          // The server thread waits for a decision: never leave it hanging.
          GEMPOOL_LOG(ERROR) << "internal error forwarding a stream: " << e.what();
          result.outcome = ForwardResult::Outcome::kFailed;
          result.failure = ErrorReply(absl::InternalError(
              "internal gempool gateway error; the gateway log has the details"));
        }
        session->Finish(result);
        LogRequest(context, result.ClientStatus(), result.attempts, result.key_id, true);
        forget();
      });
    } catch (...) {
      forget();
      throw;
    }

    const StreamSession::Decision decision = session->WaitForDecision();
    if (!decision.committed) {
      WriteReply(res, decision.failure);
      return;
    }
    WriteHead(res, decision.head);
    std::string content_type = decision.head.content_type;
    if (content_type.empty()) content_type = default_content_type;
    res.set_chunked_content_provider(
        content_type,
        [session, parked = false](size_t /*offset*/, httplib::DataSink& sink) mutable {
          std::string chunk;
          for (;;) {
            switch (session->NextChunk(chunk, std::chrono::milliseconds(500))) {
              case ChunkQueue::PopStatus::kChunk:
                if (!sink.write(chunk.data(), chunk.size())) {
                  session->Cancel();
                  return false;
                }
                if (!parked) {
                  // This thread now mostly waits for chunks, for as long as
                  // the stream lasts: routing's deep stack pages are dead
                  // weight. After the first chunk went out, not before: the
                  // madvise is not on the time to first chunk.
                  ReleaseUnusedStack();
                  parked = true;
                }
                return true;
              case ChunkQueue::PopStatus::kEnd:
                sink.done();
                return true;
              case ChunkQueue::PopStatus::kFailed:
                // Ending without the last chunk tells the client the stream broke.
                session->Cancel();
                return false;
              case ChunkQueue::PopStatus::kTimedOut:
                if (!sink.is_writable()) {
                  session->Cancel();
                  return false;
                }
                break;
            }
          }
        },
        [session](bool success) {
          if (!success) session->Cancel();
        });
  }

  // A route served by a plain-data handler (client_call.h).
  void ServeApi(const httplib::Request& req, httplib::Response& res, const gemini::ClientAuth& auth,
                const PathPattern& path, const ClientHandler& handler) {
    RequestContext context;
    context.received_unix_ms = clock.NowUnixMs();
    context.received_ms = clock.MonotonicMs();
    context.token_id = TokenId(auth.token);

    ClientCall call;
    call.method = req.method;
    call.path = req.path;
    call.raw_path = std::string(gemini::SplitTarget(req.target).first);
    call.raw_query = std::string(RawQuery(req));
    path.Match(req.path, &call.path_params);
    call.body = req.body;
    call.upstream_headers = UpstreamHeaders(req);
    call.auth = auth;

    in_flight.Enter();
    ClientAnswer answer;
    try {
      answer = handler(call);
    } catch (...) {
      in_flight.Leave();
      throw;
    }
    context.model = answer.model;
    context.operation = answer.operation;
    if (answer.stream) {
      ServeStream(res, std::move(answer.stream), std::move(context), "text/event-stream");
      return;  // The stream's worker leaves in_flight.
    }
    WriteReply(res, answer.reply);
    for (const auto& [name, value] : answer.headers) res.set_header(name, value);
    LogRequest(context, answer.reply.status, answer.attempts, answer.key_id, false);
    in_flight.Leave();
  }

  void LogRequest(const RequestContext& context, int status, int attempts, int64_t key_id,
                  bool stream) {
    v1::RequestLogEntry entry;
    entry.set_time_ms(context.received_unix_ms);
    entry.set_client_token_id(context.token_id);
    entry.set_model(context.model);
    entry.set_operation(context.operation);
    entry.set_key_id(key_id);
    entry.set_status_code(status);
    entry.set_latency_ms(clock.MonotonicMs() - context.received_ms);
    entry.set_attempts(attempts);
    entry.set_stream(stream);
    logs.Add(std::move(entry));
  }

  const Config& config;
  const gemini::BaseUrl base_url;
  Forwarder& forwarder;
  HealthChecker& health;
  RequestLogWriter& logs;
  const Clock& clock;
  const Options options;

  httplib::Server server;
  int listen_fd = -1;  // The listening socket, once bound.
  std::vector<RouteEntry> routes;
  std::thread listener;
  std::atomic<bool> listener_done{false};
  InFlight in_flight;
  // Before the pools that use it.
  DeferredMemoryRelease memory_release;
  // Each stream's upstream loop (the server thread writes to the client).
  ElasticThreadPool stream_workers{ThreadOptions("gw-stream", std::numeric_limits<size_t>::max(), 0, memory_release)};
  std::mutex sessions_mu;
  std::set<std::shared_ptr<StreamSession>> sessions;
};

HttpServer::HttpServer(const Config& config, gemini::BaseUrl base_url, Forwarder& forwarder,
                       HealthChecker& health, RequestLogWriter& logs, const Clock& clock,
                       Options options)
    : impl_(std::make_unique<Impl>(config, std::move(base_url), forwarder, health, logs, clock,
                                   std::move(options))) {
  const size_t threads = static_cast<size_t>(std::max(impl_->options.threads, 1));
  impl_->server.new_task_queue = [threads, impl = impl_.get()] {
    return new ConnectionThreads(ThreadOptions("gw-conn", threads, kMinConnectionThreads, impl->memory_release));
  };
  impl_->server.set_tcp_nodelay(true);
  impl_->server.set_keep_alive_max_count(1000);
  impl_->server.set_keep_alive_timeout(5);
  impl_->server.set_read_timeout(60);
  impl_->server.set_write_timeout(60);
  impl_->server.set_payload_max_length(kMaxRequestBody);
  // httplib's default also sets SO_REUSEPORT, which lets a second gateway
  // bind the same port silently and split the traffic; a busy port must be
  // an error instead.
  impl_->server.set_socket_options([impl = impl_.get()](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    impl->listen_fd = sock;
  });
  impl_->InstallRoutes();
}

HttpServer::~HttpServer() {
  StopAccepting();
  CancelStreams();
  Join();
}

absl::StatusOr<int> HttpServer::Start() {
  const Options& o = impl_->options;
  int port = o.port;
  if (port == 0) {
    port = impl_->server.bind_to_any_port(o.host);
  } else if (!impl_->server.bind_to_port(o.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return absl::UnavailableError(absl::StrCat(
        "the gateway could not listen on ", o.host, ":", o.port,
        ": the address is invalid or the port is already in use (is another gempool running? "
        "set HOST/PORT in the environment or .env)"));
  }
  // httplib listens with a backlog of 5: a burst of clients connecting at
  // once (64 in the benchmark) lost SYNs and waited 1 s for the retransmit
  // (p99 981 ms at concurrency 64). Listening again raises the backlog.
  if (impl_->listen_fd >= 0) ::listen(impl_->listen_fd, SOMAXCONN);
  impl_->listener = std::thread([this] {
    impl_->server.listen_after_bind();
    impl_->listener_done = true;
  });
  // stop() before the accept loop runs would be lost; wait until it runs.
  while (!impl_->server.is_running()) {
    if (impl_->listener_done) {
      impl_->listener.join();
      return absl::InternalError(absl::StrCat("the gateway's HTTP server on ", o.host, ":", port,
                                              " stopped right after starting"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return port;
}

void HttpServer::StopAccepting() { impl_->server.stop(); }

void HttpServer::WaitIdle(int grace_ms) {
  impl_->in_flight.WaitIdle(std::chrono::milliseconds(grace_ms));
}

void HttpServer::CancelStreams() {
  std::lock_guard<std::mutex> lock(impl_->sessions_mu);
  for (const auto& session : impl_->sessions) session->Cancel();
}

void HttpServer::Join() {
  if (impl_->listener.joinable()) impl_->listener.join();
  impl_->stream_workers.Shutdown();
}

}  // namespace gempool::gateway
