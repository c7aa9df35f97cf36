#include "broker.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <map>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "gempool/common/logging.h"
#include "gempool/common/memory.h"
#include "gempool/common/secrets.h"
#include "gempool/common/time_zone.h"
#include "httplib_probe_transport.h"

namespace gempool::keybroker {

BrokerSettings BrokerSettingsFrom(const Config& config) {
  BrokerSettings settings;
  settings.max_failures = config.max_failures;
  settings.proxies = config.proxies;
  settings.paid_key = config.paid_key;
  settings.test_model = config.test_model;
  settings.check_interval_hours = config.check_interval_hours;
  settings.max_failures_recheck_seconds = config.max_failures_recheck_seconds;
  settings.proxies_consistent_hash = config.proxies_use_consistency_hash_by_api_key;
  settings.RebuildProxyChooser();
  return settings;
}

namespace {

// CHECK_INTERVAL_HOURS as a duration (zero: off).
absl::Duration RevalidationInterval(double hours) {
  return hours > 0 ? absl::Milliseconds(hours * 3600.0 * 1000.0) : absl::ZeroDuration();
}

// What differs between `from` and `to`, for the log: values of the plain
// settings, only counts or set/unset for the secret ones.
std::vector<std::string> Changes(const BrokerSettings& from, const BrokerSettings& to) {
  std::vector<std::string> changes;
  if (from.max_failures != to.max_failures) changes.push_back(absl::StrCat("MAX_FAILURES=", to.max_failures));
  if (from.test_model != to.test_model) changes.push_back(absl::StrCat("TEST_MODEL=", to.test_model));
  if (from.check_interval_hours != to.check_interval_hours) {
    changes.push_back(absl::StrCat("CHECK_INTERVAL_HOURS=", to.check_interval_hours));
  }
  if (from.max_failures_recheck_seconds != to.max_failures_recheck_seconds) {
    changes.push_back(absl::StrCat("MAX_FAILURES_RECHECK_SECONDS=", to.max_failures_recheck_seconds));
  }
  if (from.proxies != to.proxies) {
    changes.push_back(absl::StrCat("PROXIES (", to.proxies.size(), to.proxies.size() == 1 ? " entry)" : " entries)"));
  }
  if (from.proxies_consistent_hash != to.proxies_consistent_hash) {
    changes.push_back(absl::StrCat("PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY=",
                                   to.proxies_consistent_hash ? "true" : "false"));
  }
  if (from.dead_proxies != to.dead_proxies) {
    changes.push_back(absl::StrCat("dead proxies: ", to.dead_proxies.size()));
  }
  if (from.paid_key != to.paid_key) {
    changes.push_back(to.paid_key.empty() ? "PAID_KEY (unset)" : absl::StrCat("PAID_KEY (", MaskKey(to.paid_key), ")"));
  }
  return changes;
}

Config WithoutApiKeys(const Config& config) {
  Config kept = config;
  std::vector<std::string>().swap(kept.api_keys);  // Its memory too (`= {}` would keep it).
  std::vector<std::string>().swap(kept.vertex_api_keys);
  return kept;
}

BrokerOptions WithoutEnvironment(const BrokerOptions& options) {
  BrokerOptions kept = options;
  kept.environment.reset();
  return kept;
}

}  // namespace

keypool::KeyPoolOptions PoolOptionsFrom(const Config& config) {
  keypool::KeyPoolOptions options;
  options.max_failures = config.max_failures;
  return options;
}

Broker::Broker(const Config& config, const Clock& clock, BrokerOptions options)
    : api_keys_(config.api_keys),
      vertex_api_keys_(config.vertex_api_keys),
      config_(WithoutApiKeys(config)),
      options_(WithoutEnvironment(options)),
      clock_(clock),
      pools_(PoolOptionsFrom(config), clock),
      persistence_(config.persistence_addr, config.rpc_timeout_ms),
      writer_(pools_, persistence_, options.writer),
      probe_transport_(options.probe_transport != nullptr ? options.probe_transport
                                                          : std::make_shared<HttplibProbeTransport>()),
      prober_(std::make_shared<const KeyProber>(ProbeSettings::FromConfig(config), *probe_transport_, clock)),
      // Probes go through the proxy a key is handed out with (dead ones skipped).
      verifier_(pools_, prober_, options.probe_concurrency,
                [this](const std::string& secret) { return settings_.Get()->proxy_chooser.Choose(secret); }),
      settings_(BrokerSettingsFrom(config)),
      hub_(pools_, settings_),
      // TIMEZONE: the zone tokens_per_day counts days in.
      token_registry_(LoadTimeZoneOrUtc(config.timezone)),
      token_hub_(token_registry_),
      token_admin_(token_registry_, token_hub_, persistence_, clock),
      broker_service_(pools_, settings_, hub_, ready_, config.persistence_addr),
      admin_service_(pools_, persistence_, config.AdminToken(), ready_, verifier_, clock, settings_, hub_),
      proxy_checker_([this] { return verifier_.prober(); }, [this] { return settings_.Get()->proxies; }, clock,
                     [this](const std::vector<std::string>& dead) { SetDeadProxies(dead); }) {
  admin_service_.SetProxyChecker(&proxy_checker_);
  admin_service_.SetClientTokenAdmin(&token_admin_);
  broker_service_.SetClientTokens(&token_registry_, &token_hub_);
  if (options.environment.has_value()) {
    config::SettingsFollower::Options follow;
    follow.poll_ms = options_.settings_poll_ms;
    // Only start-up reads API_KEYS; a 100,000-key list is not parsed again.
    follow.ignore = {"API_KEYS", "VERTEX_API_KEYS"};
    settings_follower_ = std::make_unique<config::SettingsFollower>(
        *options.environment, [this] { return persistence_.GetSettings(); },
        [this](std::shared_ptr<const Config> merged) { ApplySettings(*merged); }, std::move(follow));
  }
}

Broker::~Broker() { Shutdown(); }

absl::Status Broker::Start() {
  if (!prober_->status().ok()) {
    return absl::Status(prober_->status().code(),
                        absl::StrCat(prober_->status().message(), " (needed to verify keys)"));
  }
  metrics_ = std::make_unique<BrokerMetrics>(pools_, hub_, writer_);
  broker_service_.CountOutcomesWith([metrics = metrics_.get()](v1::OutcomeKind kind) { metrics->OnOutcome(kind); });
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(metrics_->rpcs().MakeInterceptorFactory());
  absl::StatusOr<rpc::RunningServer> server =
      rpc::StartServer("gempool-keybroker", config_.keybroker_listen, {&broker_service_, &admin_service_},
                       /*max_receive_message_bytes=*/0, std::move(interceptors));
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  if (!config_.keybroker_metrics_listen.empty()) {
    metrics::Registry& registry = metrics_->registry();
    metrics_listener_ = std::make_unique<metrics::MetricsListener>([&registry] { return registry.Render(); });
    absl::StatusOr<int> metrics_port =
        metrics_listener_->Start("KEYBROKER_METRICS_LISTEN", config_.keybroker_metrics_listen);
    if (!metrics_port.ok()) return metrics_port.status();
    GEMPOOL_LOG(INFO) << "metrics on http://" << config_.keybroker_metrics_listen << "/metrics";
  }
  // Not serving until the pool is loaded: gateways wait for a real pool.
  server_.server->GetHealthCheckService()->SetServingStatus(false);
  if (config_.AdminToken().empty()) {
    GEMPOOL_LOG(WARNING) << "no AUTH_TOKEN (or ALLOWED_TOKENS) set: the KeyAdmin service rejects every call";
  }
  loader_ = std::thread([this] { LoadLoop(); });
  return absl::OkStatus();
}

bool Broker::WaitUntilReady(absl::Duration timeout) const {
  return serving_.WaitForNotificationWithTimeout(timeout);
}

void Broker::LoadLoop() {
  Backoff backoff({options_.load_retry_initial_ms, options_.load_retry_max_ms, options_.load_retry_jitter});
  while (true) {
    absl::Status status = LoadOnce();
    if (status.ok()) break;
    const int64_t backoff_ms = backoff.NextMs();
    // The message names the address: "persistence at host:port: LoadKeys failed: ...".
    GEMPOOL_LOG(WARNING) << "waiting for " << status.message() << "; retrying in " << backoff_ms << " ms";
    if (stop_.WaitForNotificationWithTimeout(absl::Milliseconds(backoff_ms))) return;
  }
  if (stop_.HasBeenNotified()) return;
  // The load is no news to anyone: a gateway that connects gets a snapshot.
  for (keypool::Pool pool : keypool::kAllPools) pools_.Get(pool).ClearChanges();
  std::vector<std::string>().swap(api_keys_);  // In the pools (and the database) now.
  std::vector<std::string>().swap(vertex_api_keys_);
  ReleaseFreeMemory();  // What loading the stored keys left behind.
  for (keypool::Pool pool : keypool::kAllPools) {
    const keypool::PoolCounts counts = pools_.Get(pool).Summary();
    if (pool == keypool::Pool::kVertex && counts.total == 0) continue;  // Most deployments have none.
    GEMPOOL_LOG(INFO) << "ready: " << counts.total << " " << keypool::PoolName(pool) << " keys (" << counts.active
                      << " active, " << counts.cooling << " cooling, " << counts.failing << " failing, "
                      << counts.disabled << " disabled, " << counts.paused << " paused)";
  }
  if (options_.run_writer_thread) writer_.Start();
  if (options_.run_revalidator) {
    // Created when off too: CHECK_INTERVAL_HOURS may be saved in the UI later.
    const std::shared_ptr<const BrokerSettings> settings = settings_.Get();
    const absl::Duration interval = RevalidationInterval(settings->check_interval_hours);
    const absl::Duration recheck = absl::Seconds(settings->max_failures_recheck_seconds);
    revalidator_ = std::make_unique<KeyRevalidator>(verifier_, clock_, interval, recheck);
    revalidator_->Start();
    if (interval > absl::ZeroDuration()) {
      GEMPOOL_LOG(INFO) << "re-validating disabled and failing keys every " << absl::FormatDuration(interval)
                        << " with " << verifier_.prober()->model();
    } else {
      GEMPOOL_LOG(INFO) << "re-validation of disabled and failing keys is off (CHECK_INTERVAL_HOURS=0)";
    }
    if (recheck > absl::ZeroDuration()) {
      GEMPOOL_LOG(INFO) << "re-checking keys disabled by MAX_FAILURES " << absl::FormatDuration(recheck)
                        << " after, doubling up to " << absl::FormatDuration(KeyRevalidator::kRecheckMaxFactor * recheck);
    }
  }
  if (settings_follower_ != nullptr && options_.run_settings_thread) settings_follower_->Start();
  if (options_.run_proxy_checks) proxy_checker_.Start();
  hub_.Start();
  token_hub_.Start();
  ready_.Notify();
  server_.server->GetHealthCheckService()->SetServingStatus(true);
  serving_.Notify();
}

absl::Status Broker::LoadOnce() {
  absl::StatusOr<std::vector<keypool::KeyInfo>> stored = persistence_.LoadKeys();
  if (!stored.ok()) return stored.status();
  // Managed client tokens: gateways refuse them all until these are in.
  absl::StatusOr<std::vector<v1::ClientToken>> tokens = persistence_.LoadClientTokens();
  if (absl::IsUnimplemented(tokens.status())) {
    // An older persistence: no managed tokens (ALLOWED_TOKENS still work).
    GEMPOOL_LOG(WARNING) << "persistence at " << config_.persistence_addr
                         << " does not store client tokens (an older version?): no managed client tokens";
    tokens = std::vector<v1::ClientToken>();
  }
  if (!tokens.ok()) return tokens.status();
  const size_t token_count = tokens->size();
  token_registry_.Load(*std::move(tokens));
  GEMPOOL_LOG(INFO) << "loaded " << token_count << " managed client tokens";
  if (token_count > 0) SeedTokensToday();

  // The settings saved in the admin UI, in force before any key is handed
  // out. Persistence going away again means waiting; a table that does not
  // load (or a persistence without settings) leaves the environment's.
  if (settings_follower_ != nullptr) {
    absl::Status polled = settings_follower_->PollOnce();
    if (absl::IsUnavailable(polled) || absl::IsDeadlineExceeded(polled)) return polled;
    if (!polled.ok()) {
      GEMPOOL_LOG(WARNING) << "settings saved in the admin UI not applied at start-up: " << polled.message();
    }
  }

  // API_KEYS and VERTEX_API_KEYS not stored yet, once each (a key in both
  // lists is a Gemini key; a stored key keeps its pool).
  std::vector<std::string> fresh[2];
  {
    absl::flat_hash_set<absl::string_view> known;
    known.reserve(stored->size() + api_keys_.size() + vertex_api_keys_.size());
    for (const keypool::KeyInfo& key : *stored) known.insert(key.secret);
    const std::vector<std::string>* lists[2] = {&api_keys_, &vertex_api_keys_};
    for (int i = 0; i < 2; ++i) {
      for (const std::string& raw : *lists[i]) {
        const absl::string_view secret = absl::StripAsciiWhitespace(raw);
        if (!secret.empty() && known.insert(secret).second) fresh[i].emplace_back(secret);
      }
    }
  }
  std::vector<keypool::KeyInfo> added;
  size_t added_vertex = 0;
  for (int i = 0; i < 2; ++i) {
    if (fresh[i].empty()) continue;
    absl::StatusOr<PersistenceClient::StoredKeys> result =
        persistence_.AddKeys(fresh[i], i == 0 ? keypool::Pool::kGemini : keypool::Pool::kVertex);
    if (!result.ok()) return result.status();
    if (i == 1) added_vertex = result->keys.size();
    std::move(result->keys.begin(), result->keys.end(), std::back_inserter(added));
  }

  // A broken row must not keep the broker from starting: skip and say so.
  std::vector<keypool::KeyInfo> usable[2];
  for (std::vector<keypool::KeyInfo>* keys : {&*stored, &added}) {
    for (keypool::KeyInfo& key : *keys) {
      if (key.id <= 0 || key.secret.empty()) {
        GEMPOOL_LOG(ERROR) << "skipping stored key id " << key.id << " (" << MaskKey(key.secret)
                           << "): it has no id or no secret";
        continue;
      }
      usable[key.pool == keypool::Pool::kVertex ? 1 : 0].push_back(std::move(key));
    }
  }
  for (keypool::Pool pool : keypool::kAllPools) {
    absl::StatusOr<std::vector<bool>> inserted = pools_.Get(pool).Add(usable[pool == keypool::Pool::kVertex ? 1 : 0]);
    if (!inserted.ok()) return inserted.status();
  }
  GEMPOOL_LOG(INFO) << "loaded " << stored->size() << " stored keys from persistence at "
                    << config_.persistence_addr << "; added " << added.size() - added_vertex
                    << " new keys from API_KEYS and " << added_vertex << " from VERTEX_API_KEYS";
  return absl::OkStatus();
}

void Broker::SeedTokensToday() {
  // tokens_per_day survives a broker restart: today's use per client token
  // from persistence's usage table (kept per UTC hour, so a TIMEZONE with a
  // half-hour offset counts from the hour before its midnight).
  const int64_t day = StartOfDayMs(clock_.NowUnixMs(), token_registry_.zone());
  v1::UsageQuery query;
  query.set_since_ms(day);
  query.set_group_by(v1::USAGE_GROUP_BY_TOKEN);
  // QueryUsage's most groups: only the 1000 tokens that used most today are
  // seeded; any others count today from zero after a restart.
  query.set_limit(1000);
  absl::StatusOr<v1::UsageReport> report = persistence_.QueryUsage(query);
  if (!report.ok()) {
    GEMPOOL_LOG(WARNING) << "today's client token usage not read back (" << report.status().message()
                         << "): tokens_per_day counts from zero";
    return;
  }
  std::map<std::string, int64_t> tokens;
  for (const v1::UsageGroup& group : report->groups()) tokens[group.group()] = group.count().usage().total_tokens();
  token_registry_.SeedDayTokens(tokens, day);
}

absl::Status Broker::PollSettings() {
  if (settings_follower_ == nullptr) {
    return absl::FailedPreconditionError("the broker does not follow UI settings (no environment given)");
  }
  return settings_follower_->PollOnce();
}

void Broker::ApplySettings(const Config& merged) {
  BrokerSettings next = BrokerSettingsFrom(merged);
  // Key probes: TEST_MODEL, BASE_URL, VERTEX_EXPRESS_BASE_URL,
  // CUSTOM_HEADERS, TIME_OUT (the proxy comes from settings_ per probe).
  const std::shared_ptr<const KeyProber> prober = verifier_.prober();
  const ProbeSettings probe = ProbeSettings::FromConfig(merged);
  if (probe != prober->settings()) {
    auto replacement = std::make_shared<const KeyProber>(probe, *probe_transport_, clock_);
    if (replacement->status().ok()) {
      verifier_.SetProber(std::move(replacement));
    } else {
      GEMPOOL_LOG(WARNING) << "settings: key probes keep their settings: " << replacement->status().message();
      next.test_model = prober->settings().test_model;
    }
  }
  pools_.SetMaxFailures(next.max_failures);
  SetLogLevel(merged.log_level);
  if (revalidator_ != nullptr) {
    revalidator_->SetInterval(RevalidationInterval(next.check_interval_hours));
    revalidator_->SetRecheck(absl::Seconds(next.max_failures_recheck_seconds));
  }
  MutexLock lock(&settings_update_mu_);
  const std::shared_ptr<const BrokerSettings> current = settings_.Get();
  // The last check's verdicts stay for the proxies still listed; new ones
  // are alive until the check PROXIES changes start says otherwise.
  for (const std::string& dead : current->dead_proxies) {
    if (std::find(next.proxies.begin(), next.proxies.end(), dead) != next.proxies.end()) {
      next.dead_proxies.push_back(dead);
    }
  }
  next.RebuildProxyChooser();
  const bool proxies_changed = next.proxies != current->proxies;
  const std::vector<std::string> changes = Changes(*current, next);
  if (changes.empty()) return;  // generation() only grows on a real change.
  settings_.Set(std::move(next));
  GEMPOOL_LOG(INFO) << "settings in force changed: " << absl::StrJoin(changes, ", ");
  if (proxies_changed) proxy_checker_.Wake();
}

void Broker::SetDeadProxies(const std::vector<std::string>& dead) {
  MutexLock lock(&settings_update_mu_);
  BrokerSettings next = *settings_.Get();
  next.dead_proxies.clear();
  // Only entries still listed: PROXIES may have changed during the round.
  for (const std::string& proxy : dead) {
    if (std::find(next.proxies.begin(), next.proxies.end(), proxy) != next.proxies.end()) {
      next.dead_proxies.push_back(proxy);
    }
  }
  if (next.dead_proxies == settings_.Get()->dead_proxies) return;
  next.RebuildProxyChooser();
  settings_.Set(std::move(next));
}

void Broker::Shutdown() {
  if (shut_down_.exchange(true)) return;
  stop_.Notify();
  if (metrics_listener_ != nullptr) metrics_listener_->Stop();
  if (loader_.joinable()) loader_.join();
  if (settings_follower_ != nullptr) settings_follower_->Stop();
  // End probes in flight (re-validation, VerifyKeys) instead of waiting out
  // TIME_OUT; their keys stay as they were.
  probe_transport_->CancelAll();
  proxy_checker_.Stop();
  if (revalidator_ != nullptr) revalidator_->Stop();
  // Ends the gateways' WatchKeys and WatchClientTokens streams first: they
  // never end by themselves, and gRPC's Shutdown would wait out its whole
  // deadline for them (the gateways reconnect to the next broker).
  hub_.Stop();
  token_hub_.Stop();
  if (server_.server != nullptr) {
    // Unary calls in flight (outcome reports, token usage, admin calls)
    // finish; new ones are refused.
    server_.server->Shutdown(std::chrono::system_clock::now() +
                             std::chrono::seconds(std::max(config_.shutdown_grace_seconds, 0)));
  }
  writer_.Stop();  // Last flush of what the final calls changed.
  if (server_.server != nullptr) server_.server->Wait();
}

}  // namespace gempool::keybroker
