#include "gateway.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "admin/admin_ui.h"
#include "anthropic/anthropic_routes.h"
#include "files/file_key_affinity.h"
#include "files/file_records_client.h"
#include "files/files_routes.h"
#include "vertex/vertex_routes.h"
#include "responses/responses_routes.h"
#include "gempool/common/logging.h"
#include "gempool/common/memory.h"
#include "gempool/gemini/upstream_url.h"
#include "gempool/rpc/channel.h"
#include "upstream/forwarder.h"
#include "health_checker.h"
#include "http/elastic_thread_pool.h"
#include "http/event_loop.h"
#include "http/http_server.h"
#include "pool/key_broker_client.h"
#include "pool/key_pool_replica.h"
#include "live_settings.h"
#include "openai/openai_routes.h"
#include "pool/outcome_reporter.h"
#include "tokens/client_token_replica.h"
#include "tokens/token_usage_observer.h"
#include "tokens/token_usage_reporter.h"
#include "logs/persistence_client.h"
#include "logs/request_log_writer.h"
#include "gempool/metrics/metrics_listener.h"
#include "gempool/metrics/registry.h"
#include "metrics/gateway_metrics.h"
#include "metrics/metrics_endpoint.h"
#include "metrics/timed_log_sink.h"
#include "upstream/upstream_client.h"

namespace gempool::gateway {

// Declared in dependency order: each part only refers to parts above it, and
// they are destroyed in reverse.
struct Gateway::Parts {
  Parts(const Config& c, const Clock& cl) : config(c), clock(cl) {}

  const Config& config;
  const Clock& clock;
  // The metrics (GET /metrics), fed by the parts below.
  metrics::Registry metrics_registry;
  std::unique_ptr<GatewayMetrics> metrics;
  HeaderList custom_headers;
  std::unique_ptr<LiveSettingsHolder> live;
  // Runs every client connection and upstream call; stopped last.
  std::unique_ptr<EventLoop> loop;
  // Blocking work: the OpenAI handlers, /health, the admin UI, key
  // acquisitions only the broker can answer.
  DeferredMemoryRelease memory_release;
  std::unique_ptr<ElasticThreadPool> workers;
  std::unique_ptr<KeyBrokerClient> broker;
  // The pool in-process; `broker` hands keys out from it once it is fed.
  std::unique_ptr<KeyPoolReplica> replica;
  std::unique_ptr<PersistenceClient> persistence;
  std::unique_ptr<UpstreamClient> upstream;
  std::unique_ptr<OutcomeReporter> reporter;
  // Times the log writer's batches to persistence for the metrics.
  std::unique_ptr<TimedLogSink> timed_log_sink;
  // Managed client tokens in-process, their use reported in batches, and
  // the observer that counts finished requests' tokens.
  std::unique_ptr<ClientTokenReplica> client_tokens;
  std::unique_ptr<TokenUsageReporter> token_usage;
  std::unique_ptr<TokenUsageObserver> token_observer;
  std::unique_ptr<RequestLogWriter> logs;
  // The Files API's records, and the key affinity the forwarder asks.
  std::unique_ptr<FileRecordsClient> file_records;
  std::unique_ptr<FileKeyAffinity> file_affinity;
  std::unique_ptr<Forwarder> forwarder;
  std::unique_ptr<HealthChecker> health;
  std::unique_ptr<OpenAIRoutes> openai;
  std::unique_ptr<AnthropicRoutes> anthropic;
  std::unique_ptr<ResponsesRoutes> responses;
  std::unique_ptr<FilesRoutes> files;
  std::unique_ptr<VertexRoutes> vertex;
  std::unique_ptr<admin::AdminUi> admin;
  std::unique_ptr<HttpServer> http;
  // GATEWAY_METRICS_LISTEN: GET /metrics without a token, on its own port.
  std::unique_ptr<metrics::MetricsListener> metrics_listener;
  bool started = false;
  bool stopped = false;
};

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Create(const Config& config,
                                                         const Clock& clock) {
  for (const std::string& proxy : config.proxies) {
    absl::Status valid = gemini::ParseProxyUrl(proxy).status();
    if (!valid.ok()) return absl::InvalidArgumentError(absl::StrCat("PROXIES: ", valid.message()));
  }
  absl::StatusOr<HeaderList> custom_headers = UpstreamCustomHeaders(config);
  if (!custom_headers.ok()) return custom_headers.status();

  absl::StatusOr<std::shared_ptr<const LiveSettings>> live = MakeLiveSettings(config, config.AdminToken());
  if (!live.ok()) return live.status();
  // The admin UI shows where each setting came from: the environment and
  // .env as this process read them.
  absl::StatusOr<Environment> env = Environment::Load(DotEnvPath());
  if (!env.ok()) return env.status();

  auto parts = std::make_unique<Parts>(config, clock);
  parts->live = std::make_unique<LiveSettingsHolder>(*std::move(live));
  parts->custom_headers = *std::move(custom_headers);
  parts->loop = std::make_unique<EventLoop>(static_cast<size_t>(std::max(config.gateway_io_threads, 0)));
  ElasticThreadPool::Options worker_options;
  worker_options.thread_name = "gw-work";
  worker_options.max_threads = static_cast<size_t>(std::max(config.gateway_threads, 1));
  worker_options.min_threads = 0;
  worker_options.idle_timeout = std::chrono::seconds(3);
  // The buffers of a burst of blocking calls go back to the OS once it is over.
  DeferredMemoryRelease& release = parts->memory_release;
  worker_options.on_shrunk = [&release] { release.Request(); };
  parts->workers = std::make_unique<ElasticThreadPool>(worker_options);
  parts->broker = std::make_unique<KeyBrokerClient>(rpc::MakeChannel(config.keybroker_addr),
                                                    config.keybroker_addr, config.rpc_timeout_ms);
  parts->persistence = std::make_unique<PersistenceClient>(
      rpc::MakeChannel(config.persistence_addr), config.persistence_addr, config.rpc_timeout_ms);
  UpstreamClient::Options upstream_options;
  upstream_options.timeout_seconds = config.time_out_seconds;
  parts->upstream = std::make_unique<UpstreamClient>(parts->loop->context(), upstream_options);
  KeyBrokerClient& broker = *parts->broker;
  KeyPoolReplica::Options replica_options;
  replica_options.watcher = absl::StrCat(config.host, ":", config.port);
  parts->replica = std::make_unique<KeyPoolReplica>(rpc::MakeChannel(config.keybroker_addr), config.keybroker_addr,
                                                    clock, replica_options);
  broker.UseReplica(parts->replica.get());
  parts->reporter = std::make_unique<OutcomeReporter>(
      [&broker](const v1::ReportOutcomesRequest& request) { return broker.ReportOutcomes(request); },
      OutcomeReporter::Options());
  parts->metrics = std::make_unique<GatewayMetrics>(parts->metrics_registry);
  parts->timed_log_sink = std::make_unique<TimedLogSink>(*parts->persistence, parts->metrics->request_log_write(),
                                                         parts->metrics->error_log_write());
  parts->logs = std::make_unique<RequestLogWriter>(*parts->timed_log_sink, RequestLogWriter::Options());
  parts->logs->AddObserver(parts->metrics.get());
  {
    ClientTokenReplica::Options token_options;
    token_options.gateway = replica_options.watcher;
    // TIMEZONE from the snapshot (and from each one applied later, below).
    parts->client_tokens = std::make_unique<ClientTokenReplica>(rpc::MakeChannel(config.keybroker_addr),
                                                                config.keybroker_addr, clock,
                                                                parts->live->Get()->time_zone, token_options);
    parts->token_usage = std::make_unique<TokenUsageReporter>(
        *parts->client_tokens,
        [&broker](const v1::ReportTokenUsageRequest& request) { return broker.ReportTokenUsage(request); },
        TokenUsageReporter::Options());
    parts->token_observer = std::make_unique<TokenUsageObserver>(*parts->client_tokens);
    parts->logs->AddObserver(parts->token_observer.get());
  }
  Forwarder::Options forwarder_options;
  forwarder_options.max_attempts = config.max_retries;
  forwarder_options.max_key_wait_ms = config.max_key_wait_ms;
  forwarder_options.custom_headers = parts->custom_headers;
  forwarder_options.live = parts->live.get();
  parts->file_records = std::make_unique<FileRecordsClient>(rpc::MakeChannel(config.persistence_addr),
                                                            config.persistence_addr, config.rpc_timeout_ms);
  parts->file_affinity = std::make_unique<FileKeyAffinity>(*parts->file_records, clock);
  forwarder_options.key_affinity = parts->file_affinity.get();
  forwarder_options.attempt_observer = parts->metrics.get();
  forwarder_options.client_tokens = parts->client_tokens.get();
  ElasticThreadPool& workers = *parts->workers;
  parts->forwarder = std::make_unique<Forwarder>(
      *parts->broker, *parts->reporter, *parts->upstream, *parts->logs, clock, parts->loop->context(),
      [&workers](std::function<void()> task) { workers.Submit(std::move(task)); }, forwarder_options);
  parts->health = std::make_unique<HealthChecker>(
      *parts->broker, *parts->persistence, std::min(config.rpc_timeout_ms, 2000),
      [&workers](std::function<void()> task) { workers.Submit(std::move(task)); });
  // The routes take every live setting from the request's snapshot
  // (ClientCall::settings), which the HTTP server reads once per request.
  parts->openai = OpenAIRoutes::Create(config, *parts->forwarder, clock);
  parts->anthropic = AnthropicRoutes::Create(config, *parts->forwarder, clock);
  parts->responses = ResponsesRoutes::Create(config, *parts->forwarder, clock, [&workers](std::function<void()> task) {
    workers.Submit(std::move(task));
  });
  parts->files = std::make_unique<FilesRoutes>(*parts->forwarder, *parts->file_records, parts->file_affinity.get(),
                                               clock);
  HttpServer::Options http_options;
  // Anthropic's entries first: its GET /v1/models (with anthropic-version)
  // goes ahead of the OpenAI one.
  http_options.api_routes = parts->anthropic->Routes();
  for (ApiRoute& route : parts->responses->Routes()) http_options.api_routes.push_back(std::move(route));
  for (ApiRoute& route : parts->openai->Routes()) http_options.api_routes.push_back(std::move(route));
  for (ApiRoute& route : parts->files->Routes()) http_options.api_routes.push_back(std::move(route));
  parts->vertex = std::make_unique<VertexRoutes>(*parts->forwarder);
  for (ApiRoute& route : parts->vertex->Routes()) http_options.api_routes.push_back(std::move(route));
  http_options.host = config.host;
  http_options.port = config.port;
  http_options.max_connections = static_cast<size_t>(config.max_connections);
  http_options.max_connections_per_ip = static_cast<size_t>(config.max_connections_per_ip);
  http_options.limits.head_timeout = std::chrono::seconds(config.request_head_timeout_seconds);
  http_options.limits.body_timeout = std::chrono::seconds(config.request_body_timeout_seconds);
  http_options.limits.keep_alive_timeout = std::chrono::seconds(config.keep_alive_timeout_seconds);
  http_options.limits.max_body_bytes = static_cast<uint64_t>(config.max_request_body_mb) << 20;
  // Settings saved in the admin UI: the live ones take effect here at once
  // (the snapshot requests read, GATEWAY_THREADS, ADMIN_SESSION_EXPIRE and
  // TIMEZONE in the admin UI, LOG_LEVEL process-wide); the rest wait for a
  // restart (the page says which and why).
  LiveSettingsHolder* holder = parts->live.get();
  ElasticThreadPool* worker_pool = parts->workers.get();
  ClientTokenReplica* client_tokens = parts->client_tokens.get();
  const std::string admin_token = config.AdminToken();
  parts->admin = admin::AdminUi::Create(
      config, *std::move(env), clock,
      [holder, worker_pool, client_tokens, admin_token](std::shared_ptr<const Config> next) {
        // Parts whose inputs did not change are shared with the snapshot in
        // force, not rebuilt.
        const std::shared_ptr<const LiveSettings> previous = holder->Get();
        absl::StatusOr<std::shared_ptr<const LiveSettings>> applied =
            MakeLiveSettings(*next, admin_token, previous.get());
        if (!applied.ok()) {
          GEMPOOL_LOG(WARNING) << "settings: not applied: " << applied.status().message();
          return;
        }
        if ((*applied)->time_zone != previous->time_zone) client_tokens->SetZone((*applied)->time_zone);
        holder->Set(*std::move(applied));
        worker_pool->SetMaxThreads(static_cast<size_t>(std::max(next->gateway_threads, 1)));
        SetLogLevel(next->log_level);
      },
      admin::AdminUi::Options());
  http_options.admin = parts->admin.get();
  http_options.live = parts->live.get();
  http_options.client_tokens = parts->client_tokens.get();
  if (!config.metrics_token.empty()) {
    const metrics::Registry& registry = parts->metrics_registry;
    const std::string token = config.metrics_token;
    http_options.metrics = [&registry, token](const HttpRequest& request) {
      return ServeMetrics(request, token, registry);
    };
  }
  parts->http = std::make_unique<HttpServer>(*parts->forwarder, *parts->health, *parts->logs, clock, *parts->loop,
                                             *parts->workers, http_options);
  HttpServer* http = parts->http.get();
  parts->metrics->WatchOpenStreams([http] { return http->OpenStreams(); });
  parts->metrics->WatchReplica(*parts->replica);
  parts->metrics->WatchLogWriter(*parts->logs);
  parts->metrics->WatchOutcomeReporter(*parts->reporter);
  return std::unique_ptr<Gateway>(new Gateway(std::move(parts)));
}

Gateway::Gateway(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Gateway::~Gateway() { Stop(/*grace_ms=*/0); }

absl::StatusOr<int> Gateway::Start() {
  parts_->replica->Start();
  parts_->reporter->Start();
  parts_->client_tokens->Start();
  parts_->token_usage->Start();
  parts_->logs->Start();
  parts_->admin->Start();
  parts_->started = true;
  if (!parts_->config.gateway_metrics_listen.empty()) {
    const metrics::Registry& registry = parts_->metrics_registry;
    parts_->metrics_listener = std::make_unique<metrics::MetricsListener>([&registry] { return registry.Render(); });
    absl::StatusOr<int> metrics_port =
        parts_->metrics_listener->Start("GATEWAY_METRICS_LISTEN", parts_->config.gateway_metrics_listen);
    if (!metrics_port.ok()) return metrics_port.status();
    GEMPOOL_LOG(INFO) << "metrics on http://" << parts_->config.gateway_metrics_listen << "/metrics (port "
                      << *metrics_port << ")";
  }
  absl::StatusOr<int> port = parts_->http->Start();
  parts_->loop->Start();
  return port;
}

void Gateway::Stop(int grace_ms) {
  if (parts_->stopped) return;
  parts_->stopped = true;
  if (parts_->metrics_listener != nullptr) parts_->metrics_listener->Stop();
  parts_->http->Drain();
  if (grace_ms > 0) {
    const auto drain_start = std::chrono::steady_clock::now();
    const size_t open_streams = parts_->http->OpenStreams();
    GEMPOOL_LOG(INFO) << "draining: no new connections; " << parts_->http->OpenConnections()
                      << " client connections open (" << open_streams << " streams), waiting up to " << grace_ms
                      << " ms (SHUTDOWN_GRACE_SECONDS) for them to finish";
    const bool drained = parts_->http->WaitIdle(grace_ms);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                            drain_start);
    if (drained) {
      GEMPOOL_LOG(INFO) << "drained in " << took.count() << " ms";
    } else {
      GEMPOOL_LOG(WARNING) << "drain deadline (" << grace_ms << " ms) reached: cutting "
                           << parts_->http->OpenConnections() << " connections (" << parts_->http->OpenStreams()
                           << " streams) still open";
    }
  }
  parts_->http->CancelStreams();
  parts_->upstream->AbortAll();
  parts_->http->Join();
  parts_->workers->Shutdown();
  // The queues flush on Stop: key outcomes to the broker, the client
  // tokens' use, then the log rows to persistence.
  parts_->reporter->Stop();
  parts_->token_usage->Stop();
  parts_->client_tokens->Stop();
  parts_->replica->Stop();
  parts_->logs->Stop();
  parts_->admin->Stop();
  parts_->loop->Stop();
}

}  // namespace gempool::gateway
