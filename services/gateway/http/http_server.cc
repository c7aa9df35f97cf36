#include "http/http_server.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <stdexcept>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gempool/common/logging.h"
#include "gempool/common/mutex.h"
#include "gempool/common/request_id.h"
#include "gempool/common/request_scope.h"
#include "gempool/gemini/client_auth.h"
#include "gempool/gemini/url.h"
#include "http/connection_admission.h"
#include "http/path_pattern.h"
#include "http/stream_serving.h"
#include "logs/request_log_row.h"
#include "native/native_handler.h"
#include "upstream/client_headers.h"

namespace gempool::gateway {
namespace {

using boost::asio::ip::tcp;

const std::string kUnauthenticatedMessage =
    "Missing or invalid gempool token. Pass one of ALLOWED_TOKENS (or AUTH_TOKEN) as the "
    "x-goog-api-key header, the key query parameter (?key=...), or an Authorization: Bearer "
    "header. This is the gempool token, not a Google API key: gempool adds the pool key itself.";

const HttpReply& InternalErrorReply() {
  static const HttpReply* reply =
      new HttpReply(ErrorReply(absl::InternalError("internal gempool gateway error; the gateway log has the details")));
  return *reply;
}

// Keeps a count of requests in flight (for a graceful stop).
class InFlight {
 public:
  void Enter() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    ++count_;
  }
  void Leave() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    if (--count_ == 0) idle_.SignalAll();
  }
  // Whether the count reached zero before `deadline`.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    while (count_ != 0) {
      if (idle_.WaitWithTimeout(&mu_, absl::FromChrono(deadline - std::chrono::steady_clock::now()))) {
        return count_ == 0;
      }
    }
    return true;
  }

 private:
  Mutex mu_;
  CondVar idle_;  // Signalled when count_ reaches zero.
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

// GET /health while the gateway drains: a load balancer stops sending here.
HttpResponse DrainingHealthResponse() {
  HttpResponse response;
  response.status = 503;
  response.headers.emplace_back("Content-Type", "application/json; charset=UTF-8");
  response.headers.emplace_back("Retry-After", "1");
  response.body =
      R"({"status":"draining","message":"this gateway is stopping: it finishes the calls in flight )"
      R"((up to SHUTDOWN_GRACE_SECONDS) and takes no new ones; send them to another gateway"})";
  return response;
}

// The query as the admin API reads it: names to decoded values, first wins.
std::map<std::string, std::string> DecodeQuery(absl::string_view raw_query) {
  std::map<std::string, std::string> query;
  for (absl::string_view part : absl::StrSplit(raw_query, '&', absl::SkipEmpty())) {
    const size_t eq = part.find('=');
    std::string name = gemini::PercentDecode(part.substr(0, eq), /*plus_as_space=*/true);
    std::string value =
        eq == absl::string_view::npos ? "" : gemini::PercentDecode(part.substr(eq + 1), /*plus_as_space=*/true);
    query.emplace(std::move(name), std::move(value));
  }
  return query;
}

// The fast answer to a connection over MAX_CONNECTIONS or MAX_CONNECTIONS_PER_IP.
std::string OverCapacityResponse(bool per_address) {
  const std::string message =
      per_address ? "too many connections from your address (MAX_CONNECTIONS_PER_IP); close idle ones or retry later"
                  : "the gateway has too many open connections (MAX_CONNECTIONS); retry later";
  return RefusalBytes(503, message, {{"Retry-After", "1"}, {std::string(kRequestIdHeader), NewRequestId()}});
}

// /health answers from a check no older than this (a probe burst shares one).
constexpr std::chrono::milliseconds kHealthMaxAge{1000};

// How long accepting pauses when the process is out of file descriptors.
constexpr std::chrono::milliseconds kAcceptBackoff{50};

}  // namespace

struct HttpServer::Impl final : public RequestHandler, public std::enable_shared_from_this<Impl> {
  enum class Kind { kHealth, kAdmin, kApi, kNative, kMetrics };
  struct RouteEntry {
    std::string verb;
    PathPattern path;
    // Auth forms this entry serves; empty: any.
    std::vector<gemini::AuthForm> auth_forms;
    // Whether the client must present an allowed token.
    bool needs_token = true;
    Kind kind = Kind::kNative;
    const ApiRoute* api = nullptr;  // For kApi.
  };

  Impl(Forwarder& f, HealthChecker& h, RequestLogWriter& l, const Clock& cl, EventLoop& lp, ElasticThreadPool& w,
       Options o)
      : forwarder(f),
        health(h),
        logs(l),
        clock(cl),
        loop(lp),
        workers(w),
        options(std::move(o)),
        admission(options.max_connections, options.max_connections_per_ip),
        native(forwarder, logs, clock),
        acceptor(loop.context()),
        accept_backoff(loop.context()) {
    InstallRoutes();
  }

  void InstallRoutes() {
    routes.push_back({"GET", PathPattern("/health"), {}, /*needs_token=*/false, Kind::kHealth});
    if (options.metrics) routes.push_back({"GET", PathPattern("/metrics"), {}, /*needs_token=*/false, Kind::kMetrics});
    if (options.admin != nullptr) {
      // The admin web UI authenticates its own requests (session or admin
      // token), so the client-token check does not apply.
      // /v1/keys/list, /hf/v1/keys/list: gemini-balance's key list, AUTH_TOKEN only.
      for (const char* page : {"/", "/keys", "/tokens", "/config", "/logs", "/stats", "/static/.*", "/api", "/api/.*",
                               "/v1/keys/list", "/hf/v1/keys/list"}) {
        routes.push_back({"GET", PathPattern(page), {}, /*needs_token=*/false, Kind::kAdmin});
      }
      for (const char* api : {"/api", "/api/.*"}) {
        routes.push_back({"POST", PathPattern(api), {}, /*needs_token=*/false, Kind::kAdmin});
      }
      // PATCH and DELETE /api/tokens/{id} (managed client tokens).
      for (const char* verb : {"PATCH", "DELETE"}) {
        routes.push_back({verb, PathPattern("/api/.*"), {}, /*needs_token=*/false, Kind::kAdmin});
      }
    }
    for (const ApiRoute& api : options.api_routes) {
      if (api.stream_request_body) streamed_paths.emplace_back(api.verb, PathPattern(api.path));
      routes.push_back({api.verb, PathPattern(api.path), api.auth_forms, /*needs_token=*/true, Kind::kApi, &api});
    }
    for (const char* prefix :
         {"/v1beta/.*", "/v1/.*", "/v1alpha/.*", "/gemini/v1beta/.*", "/gemini/v1/.*", "/gemini/v1alpha/.*"}) {
      for (const char* verb : {"GET", "POST"}) {
        routes.push_back({verb, PathPattern(prefix), {}, /*needs_token=*/true, Kind::kNative});
      }
    }
  }

  // --- Accepting ---

  void Accept() {
    acceptor.async_accept(boost::asio::make_strand(loop.context()),
                          [self = shared_from_this()](const boost::system::error_code& ec, Connection::Socket socket) {
                            self->OnAccept(ec, std::move(socket));
                          });
  }

  void OnAccept(const boost::system::error_code& ec, Connection::Socket socket) {
    if (stopping.load() || !acceptor.is_open()) return;
    if (ec) {
      if (ec == boost::asio::error::operation_aborted) return;
      // Out of file descriptors (or a connection reset before it was
      // accepted): pause briefly instead of spinning, then go on.
      GEMPOOL_LOG(WARNING) << "accepting a connection failed: " << ec.message();
      accept_backoff.expires_after(kAcceptBackoff);
      accept_backoff.async_wait([self = shared_from_this()](const boost::system::error_code& wait_ec) {
        if (!wait_ec) self->Accept();
      });
      return;
    }
    boost::system::error_code endpoint_ec;
    const tcp::endpoint remote = socket.remote_endpoint(endpoint_ec);
    if (endpoint_ec) {
      Accept();
      return;  // Gone already.
    }
    std::string address = remote.address().to_string();
    // The limits in force (saved in the admin UI) for this connection.
    ConnectionLimits limits = options.limits;
    const std::shared_ptr<const LiveSettings> live = options.live->Get();
    limits.head_timeout = std::chrono::seconds(live->request_head_timeout_seconds);
    limits.body_timeout = std::chrono::seconds(live->request_body_timeout_seconds);
    limits.keep_alive_timeout = std::chrono::seconds(live->keep_alive_timeout_seconds);
    limits.max_body_bytes = live->max_request_body_bytes;
    const ConnectionAdmission::Verdict verdict =
        admission.Admit(address, live->max_connections, live->max_connections_per_ip);
    if (verdict != ConnectionAdmission::Verdict::kAdmitted) {
      Refuse(std::move(socket), verdict == ConnectionAdmission::Verdict::kTooManyFromAddress);
      Accept();
      return;
    }
    const uint64_t id = ++next_connection_id;
    std::weak_ptr<Impl> weak = shared_from_this();
    auto connection = std::make_shared<Connection>(std::move(socket), address, limits, *this,
                                                   [weak, address, id] {
                                                     if (auto self = weak.lock()) self->Forget(id, address);
                                                   });
    {
      MutexLock lock(&connections_mu);
      connections.emplace(id, connection);
    }
    connection->Start();
    Accept();
  }

  // A quick 503 and close; the client learns why instead of hanging.
  void Refuse(Connection::Socket socket, bool per_address) {
    auto owned = std::make_shared<Connection::Socket>(std::move(socket));
    auto bytes = std::make_shared<std::string>(OverCapacityResponse(per_address));
    boost::asio::async_write(*owned, boost::asio::buffer(*bytes),
                             [owned, bytes](const boost::system::error_code&, size_t) {
                               boost::system::error_code ignored;
                               owned->shutdown(tcp::socket::shutdown_both, ignored);
                               owned->close(ignored);
                             });
  }

  void Forget(uint64_t id, const std::string& address) ABSL_LOCKS_EXCLUDED(connections_mu) {
    admission.Release(address);
    MutexLock lock(&connections_mu);
    connections.erase(id);
    if (connections.empty()) connections_gone.SignalAll();
  }

  // --- Routing (connection strand) ---

  static gemini::ClientAuth AuthOf(const HttpRequest& req) {
    return gemini::ExtractClientAuth(
        {req.Header("x-goog-api-key"), req.Header("Authorization"), req.raw_query, req.Header("x-api-key")});
  }

  // The first route entry that serves `req` (null: none).
  const RouteEntry* FindRoute(const HttpRequest& req, const gemini::ClientAuth& auth) const {
    const std::string verb = req.method == "HEAD" ? "GET" : req.method;
    for (const RouteEntry& route : routes) {
      if (route.verb != verb || !route.path.Match(req.path)) continue;
      if (!route.auth_forms.empty() &&
          std::find(route.auth_forms.begin(), route.auth_forms.end(), auth.form) == route.auth_forms.end()) {
        continue;
      }
      if (route.api != nullptr && !route.api->required_header.empty() &&
          !req.Header(route.api->required_header).has_value()) {
        continue;
      }
      return &route;
    }
    return nullptr;
  }

  bool StreamsRequestBody(const HttpRequest& head) override {
    if (head.method == "GET" || head.method == "HEAD") return false;
    // Only a request whose path a streamed route takes is matched against the
    // whole table here (and again in Handle): for every other one this costs
    // a literal-prefix comparison per streamed route.
    if (std::none_of(streamed_paths.begin(), streamed_paths.end(), [&head](const auto& streamed) {
          return streamed.first == head.method && streamed.second.Match(head.path);
        })) {
      return false;
    }
    const RouteEntry* route = FindRoute(head, AuthOf(head));
    return route != nullptr && route->api != nullptr && route->api->stream_request_body;
  }

  void Handle(std::shared_ptr<Exchange> exchange) override {
    const HttpRequest& req = exchange->request();
    // Log lines, log rows and internal calls made while handling name it.
    ScopedRequestId request_scope(req.request_id);
    gemini::ClientAuth auth = AuthOf(req);
    if (const RouteEntry* found = FindRoute(req, auth); found != nullptr) {
      const RouteEntry& route = *found;
      // The settings in force, read once: the whole request uses this
      // snapshot (ClientCall::settings, ForwardRequest::settings).
      std::shared_ptr<const LiveSettings> settings = options.live->Get();
      bool allowed = IsAllowedToken(*settings, auth);
      if (route.needs_token && !allowed && options.client_tokens != nullptr) {
        // A managed token: known (and counted), refused with its reason, or
        // unknown (the usual 401 below).
        std::optional<HttpReply> refused;
        allowed = AdmitManagedToken(auth, route, refused);
        if (refused.has_value()) {
          exchange->Reply(ToResponse(*refused));
          return;
        }
      }
      if (route.needs_token && !allowed) {
        GEMPOOL_LOG(DEBUG) << "401 for " << req.method << " " << req.path << " from " << req.remote_addr
                           << " (token form: " << gemini::AuthFormName(auth.form) << ")";
        exchange->Reply(ToResponse(route.api != nullptr && route.api->unauthenticated
                                       ? route.api->unauthenticated()
                                       : ErrorReply(absl::UnauthenticatedError(kUnauthenticatedMessage))));
        return;
      }
      std::shared_ptr<void> hold = Hold();
      switch (route.kind) {
        case Kind::kNative:
          native.Serve(exchange, auth, std::move(settings), std::move(hold));
          return;
        case Kind::kHealth:
          if (draining.load()) {
            exchange->Reply(DrainingHealthResponse());
            return;
          }
          ServeHealth(exchange, std::move(hold));
          return;
        case Kind::kMetrics:  // Rendering scans the key pools: not on the event loop.
          OnWorker(exchange, [this, exchange] { exchange->Reply(options.metrics(exchange->request())); },
                   std::move(hold));
          return;
        case Kind::kAdmin:
          OnWorker(exchange, [this, exchange] { ServeAdmin(*exchange); }, std::move(hold));
          return;
        case Kind::kApi:
          if (route.api->try_on_loop) {
            ServeApiOnLoop(exchange, auth, settings, route, std::move(hold));
          } else {
            OnWorker(
                exchange,
                [this, exchange, &route, auth, settings, hold] { ServeApi(exchange, auth, settings, route, hold, true); },
                hold);
          }
          return;
      }
    }
    exchange->Reply(ToResponse(ErrorReply(absl::NotFoundError(
        absl::StrCat(req.method, " ", req.path,
                     " is not a gempool endpoint; the Gemini API is served under /v1beta, /v1 "
                     "and /gemini/v1beta (e.g. POST /v1beta/models/{model}:generateContent)")))));
  }

  // RequestHandler: the refusal in the dialect of the API route `target`
  // names (connection strand; the route table is immutable).
  std::optional<HttpReply> Refusal(int status, absl::string_view message, absl::string_view target) override {
    const std::string path = gemini::PercentDecode(target.substr(0, target.find('?')), /*plus_as_space=*/false);
    for (const RouteEntry& route : routes) {
      if (route.api == nullptr || !route.api->refusal || !route.path.Match(path)) continue;
      return route.api->refusal(status, message);
    }
    return std::nullopt;
  }

  // Checks the client's token (or the alternate one sent beside it) against
  // the managed client tokens: true when one is admitted (and counted; it
  // becomes `auth.token`); `refused` set when one is known but refused
  // (401 disabled or expired, 429 over a limit, 503 before the tokens are
  // loaded), in the route's dialect.
  bool AdmitManagedToken(gemini::ClientAuth& auth, const RouteEntry& route, std::optional<HttpReply>& refused) {
    using Kind = ClientTokenReplica::Admission::Kind;
    ClientTokenReplica::Admission admission = options.client_tokens->Admit(auth.token);
    if (admission.kind == Kind::kUnknown && !auth.alternate_token.empty()) {
      ClientTokenReplica::Admission alternate = options.client_tokens->Admit(auth.alternate_token);
      if (alternate.kind != Kind::kUnknown && alternate.kind != Kind::kNotLoaded) {
        auth.token = std::move(auth.alternate_token);
        auth.alternate_token.clear();
        admission = std::move(alternate);
      }
    }
    auto dialect = [&route](int status, const absl::Status& error) {
      return route.api != nullptr && route.api->refusal ? route.api->refusal(status, error.message())
                                                        : ErrorReply(error);
    };
    switch (admission.kind) {
      case Kind::kAdmitted:
        return true;
      case Kind::kUnknown:
        return false;
      case Kind::kNotLoaded:
        // Only a token shaped like a managed one waits; others are unknown.
        if (!absl::StartsWith(auth.token, "gp-")) return false;
        refused = dialect(503, absl::UnavailableError("the managed client tokens are not loaded from the key broker "
                                                      "yet; retry in a few seconds"));
        refused->retry_after = "1";
        return false;
      case Kind::kRefused:
        refused = dialect(401, absl::UnauthenticatedError(admission.message));
        return false;
      case Kind::kLimited:
        refused = dialect(admission.decision.http_status(),
                          absl::ResourceExhaustedError(admission.message));
        if (admission.decision.retry_after_s > 0) refused->retry_after = absl::StrCat(admission.decision.retry_after_s);
        return false;
    }
    return false;
  }

  // Whether the client's token may call the APIs. Of two tokens sent at once
  // (x-api-key and Bearer), the one that is allowed becomes `auth.token`.
  bool IsAllowedToken(const LiveSettings& settings, gemini::ClientAuth& auth) const {
    auto allowed = [&settings](const std::string& token) { return settings.IsAllowedToken(token); };
    if (allowed(auth.token)) return true;
    if (auth.alternate_token.empty() || !allowed(auth.alternate_token)) return false;
    auth.token = std::move(auth.alternate_token);
    auth.alternate_token.clear();
    return true;
  }

  bool Draining() const override { return draining.load(); }

  void StreamStarted(const std::shared_ptr<StreamResponse>& stream) override ABSL_LOCKS_EXCLUDED(streams_mu) {
    MutexLock lock(&streams_mu);
    if (streams.size() >= 2 * streams_compacted_at + 64) {
      streams.erase(std::remove_if(streams.begin(), streams.end(),
                                   [](const std::weak_ptr<StreamResponse>& s) { return s.expired(); }),
                    streams.end());
      streams_compacted_at = streams.size();
    }
    streams.push_back(stream);
  }

  // Counts a request in flight until the returned handle is gone.
  std::shared_ptr<void> Hold() {
    in_flight.Enter();
    std::weak_ptr<Impl> weak = shared_from_this();
    return std::shared_ptr<void>(nullptr, [weak](void*) {
      if (auto self = weak.lock()) self->in_flight.Leave();
    });
  }

  // Runs a blocking handler on a worker thread; an exception becomes a 500.
  void OnWorker(const std::shared_ptr<Exchange>& exchange, std::function<void()> work, std::shared_ptr<void> hold) {
    workers.Submit([exchange, work = std::move(work), hold = std::move(hold)] {
      ScopedRequestId request_scope(exchange->request().request_id);
      try {
        work();
      } catch (const std::exception& e) {
        GEMPOOL_LOG(ERROR) << "internal error serving " << exchange->request().method << " "
                           << exchange->request().path << ": " << e.what();
        exchange->Reply(ToResponse(InternalErrorReply()));
      }
    });
  }

  // --- Handlers on worker threads ---

  // From a check at most kHealthMaxAge old, shared with every probe that
  // arrives while it runs (health_checker.h).
  void ServeHealth(const std::shared_ptr<Exchange>& exchange, std::shared_ptr<void> hold) {
    health.CheckShared(kHealthMaxAge, [exchange, hold = std::move(hold)](const HealthChecker::Report& report) {
      HttpResponse response;
      response.status = report.healthy ? 200 : 503;
      response.headers.emplace_back("Content-Type", "application/json; charset=UTF-8");
      response.body = report.json;
      exchange->Reply(std::move(response));
    });
  }

  void ServeAdmin(Exchange& exchange) {
    const HttpRequest& req = exchange.request();
    admin::AdminRequest request;
    request.method = req.method == "HEAD" ? "GET" : req.method;
    request.path = req.path;
    request.query = DecodeQuery(req.raw_query);
    request.body = req.body;
    for (const auto& [name, value] : req.headers) request.headers.emplace(absl::AsciiStrToLower(name), value);
    request.remote_addr = req.remote_addr;
    admin::AdminResponse answer = options.admin->Serve(request);
    HttpResponse response;
    response.status = answer.status;
    response.headers = std::move(answer.headers);
    if (!answer.content_type.empty()) response.headers.emplace_back("Content-Type", answer.content_type);
    response.body = std::move(answer.body);
    exchange.Reply(std::move(response));
  }

  // A route that tries the event loop first (ApiRoute::try_on_loop).
  void ServeApiOnLoop(const std::shared_ptr<Exchange>& exchange, const gemini::ClientAuth& auth,
                      const std::shared_ptr<const LiveSettings>& settings, const RouteEntry& route,
                      const std::shared_ptr<void>& hold) {
    try {
      ServeApi(exchange, auth, settings, route, hold, /*may_block=*/false);
    } catch (const std::exception& e) {
      GEMPOOL_LOG(ERROR) << "internal error serving " << exchange->request().method << " "
                         << exchange->request().path << ": " << e.what();
      exchange->Reply(ToResponse(InternalErrorReply()));
    }
  }

  void ServeApi(const std::shared_ptr<Exchange>& exchange, const gemini::ClientAuth& auth,
                const std::shared_ptr<const LiveSettings>& settings, const RouteEntry& route,
                const std::shared_ptr<void>& hold, bool may_block) {
    const HttpRequest& req = exchange->request();
    RequestLogRow row = RequestLogRow::Start(clock, auth.token);
    ClientCall call;
    call.method = req.method == "HEAD" ? "GET" : req.method;
    call.path = req.path;
    call.raw_path = req.raw_path;
    call.raw_query = req.raw_query;
    route.path.Match(req.path, &call.path_params);
    call.body = req.body;
    call.body_source = req.body_source;
    call.upstream_headers = UpstreamHeaders(req);
    call.request_headers = &req.headers;
    call.auth = auth;
    call.may_block = may_block;
    call.settings = settings;

    ClientAnswer answer = route.api->handler(call);
    if (answer.needs_worker) {
      if (may_block) throw std::logic_error("a handler on a worker thread asked for a worker thread");
      OnWorker(
          exchange,
          [this, exchange, &route, auth, settings, hold] { ServeApi(exchange, auth, settings, route, hold, true); },
          hold);
      return;
    }
    row.model = answer.model;
    row.operation = answer.operation;
    if (answer.stream) {
      ServeStream(exchange, answer.stream, std::move(row), logs, clock, hold);
      return;
    }
    if (answer.later) {
      // Called once (ClientAnswer::later): the row moves on.
      std::shared_ptr<ForwardCall> call =
          answer.later([this, exchange, row = std::move(row), hold](ClientAnswer finished) mutable {
            ReplyApi(*exchange, finished, std::move(row));
          });
      exchange->CancelOnDeparture(std::move(call));
      return;
    }
    ReplyApi(*exchange, answer, std::move(row));
  }

  void ReplyApi(Exchange& exchange, const ClientAnswer& answer, RequestLogRow row) {
    HttpResponse response = ToResponse(answer.reply);
    response.headers.insert(response.headers.end(), answer.headers.begin(), answer.headers.end());
    exchange.Reply(std::move(response));
    row.upstream_ms = answer.upstream_ms;
    row.SetUsage(answer.usage);
    row.Write(logs, clock, answer.reply.status, answer.attempts, answer.key_id, false);
  }

  Forwarder& forwarder;
  HealthChecker& health;
  RequestLogWriter& logs;
  const Clock& clock;
  EventLoop& loop;
  ElasticThreadPool& workers;
  const Options options;
  ConnectionAdmission admission;
  NativeHandler native;
  std::vector<RouteEntry> routes;
  // Verb and path of the API routes with stream_request_body (the Files API
  // uploads): the requests StreamsRequestBody looks at more closely.
  std::vector<std::pair<std::string, PathPattern>> streamed_paths;

  tcp::acceptor acceptor;
  boost::asio::steady_timer accept_backoff;
  std::atomic<bool> stopping{false};
  // Drain(): answers close their connections, /health says 503.
  std::atomic<bool> draining{false};
  InFlight in_flight;

  Mutex connections_mu;
  // Signalled when the last connection is forgotten.
  CondVar connections_gone;
  uint64_t next_connection_id = 0;  // Accept handler only.
  std::map<uint64_t, std::weak_ptr<Connection>> connections ABSL_GUARDED_BY(connections_mu);

  Mutex streams_mu;
  std::vector<std::weak_ptr<StreamResponse>> streams ABSL_GUARDED_BY(streams_mu);
  size_t streams_compacted_at ABSL_GUARDED_BY(streams_mu) = 0;
};

HttpServer::HttpServer(Forwarder& forwarder, HealthChecker& health, RequestLogWriter& logs, const Clock& clock,
                       EventLoop& loop, ElasticThreadPool& workers, Options options)
    : impl_(std::make_shared<Impl>(forwarder, health, logs, clock, loop, workers, std::move(options))) {}

HttpServer::~HttpServer() {
  StopAccepting();
  CancelStreams();
  Join(/*wait_ms=*/0);  // The owner joined already, before stopping the event loop.
}

absl::StatusOr<int> HttpServer::Start() {
  const Options& o = impl_->options;
  auto fail = [&](const boost::system::error_code& ec) {
    return absl::UnavailableError(absl::StrCat(
        "the gateway could not listen on ", o.host, ":", o.port, ": ", ec.message(),
        " (is another gempool running? set HOST/PORT in the environment or .env)"));
  };
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(o.host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("HOST='", o.host, "' is not an IP address to listen on (e.g. 0.0.0.0 or 127.0.0.1)"));
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(o.port));
  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail(ec);
  // SO_REUSEADDR only: a second gateway on the same port must be an error,
  // never a silent split of the traffic (SO_REUSEPORT).
  acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  acceptor.bind(endpoint, ec);
  if (ec) {
    acceptor.close();
    return fail(ec);
  }
  // A burst of clients connecting at once must not lose SYNs (a full
  // backlog costs a client a 1 s retransmit).
  acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor.close();
    return fail(ec);
  }
  const int port = acceptor.local_endpoint().port();
  boost::asio::post(acceptor.get_executor(), [impl = impl_] { impl->Accept(); });
  return port;
}

void HttpServer::StopAccepting() {
  if (impl_->stopping.exchange(true)) return;
  boost::asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->accept_backoff.cancel();
  });
}

void HttpServer::Drain() {
  impl_->draining.store(true);
  StopAccepting();
  std::vector<std::shared_ptr<Connection>> open;
  {
    MutexLock lock(&impl_->connections_mu);
    for (const auto& [id, weak] : impl_->connections) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  for (const auto& connection : open) connection->CloseIfIdle();
}

bool HttpServer::WaitIdle(int grace_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(grace_ms, 0));
  if (!impl_->in_flight.WaitIdle(deadline)) return false;
  {
    MutexLock lock(&impl_->connections_mu);
    while (!impl_->connections.empty()) {
      if (impl_->connections_gone.WaitWithTimeout(
              &impl_->connections_mu, absl::FromChrono(deadline - std::chrono::steady_clock::now()))) {
        if (!impl_->connections.empty()) return false;
        break;
      }
    }
  }
  // A request may have started on a connection that closed meanwhile.
  return impl_->in_flight.WaitIdle(deadline);
}

void HttpServer::CancelStreams() {
  std::vector<std::shared_ptr<StreamResponse>> open;
  {
    MutexLock lock(&impl_->streams_mu);
    for (const auto& weak : impl_->streams) {
      if (auto stream = weak.lock()) open.push_back(std::move(stream));
    }
    impl_->streams.clear();
  }
  for (const auto& stream : open) stream->Cancel();
}

size_t HttpServer::OpenStreams() const {
  MutexLock lock(&impl_->streams_mu);
  return static_cast<size_t>(std::count_if(impl_->streams.begin(), impl_->streams.end(),
                                           [](const std::weak_ptr<StreamResponse>& s) { return !s.expired(); }));
}

size_t HttpServer::OpenConnections() const {
  MutexLock lock(&impl_->connections_mu);
  return impl_->connections.size();
}

bool HttpServer::Join(int wait_ms) {
  std::vector<std::shared_ptr<Connection>> open;
  {
    MutexLock lock(&impl_->connections_mu);
    for (const auto& [id, weak] : impl_->connections) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  for (const auto& connection : open) connection->Abort();
  open.clear();  // The connections' last owners are their own handlers now.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(wait_ms, 0));
  MutexLock lock(&impl_->connections_mu);
  while (!impl_->connections.empty()) {
    if (impl_->connections_gone.WaitWithTimeout(&impl_->connections_mu,
                                                absl::FromChrono(deadline - std::chrono::steady_clock::now()))) {
      if (impl_->connections.empty()) break;
      if (wait_ms > 0) {
        GEMPOOL_LOG(WARNING) << "stopping: " << impl_->connections.size()
                             << " client connections still open after " << wait_ms << " ms";
      }
      return false;
    }
  }
  return true;
}

}  // namespace gempool::gateway
