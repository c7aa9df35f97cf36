#include "broker.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gempool/common/logging.h"
#include "gempool/common/secrets.h"
#include "httplib_probe_transport.h"

namespace gempool::keybroker {

keypool::KeyPoolOptions PoolOptionsFrom(const Config& config) {
  keypool::KeyPoolOptions options;
  options.max_failures = config.max_failures;
  return options;
}

Broker::Broker(const Config& config, const Clock& clock, BrokerOptions options)
    : config_(config),
      options_(options),
      pool_(PoolOptionsFrom(config), clock),
      persistence_(config.persistence_addr, config.rpc_timeout_ms),
      writer_(pool_, persistence_, options.writer),
      probe_transport_(options.probe_transport != nullptr ? options.probe_transport
                                                          : std::make_shared<HttplibProbeTransport>()),
      prober_(ProbeSettings::FromConfig(config), *probe_transport_, clock),
      verifier_(pool_, prober_, options.probe_concurrency),
      broker_service_(pool_, config_.proxies, ready_, config.persistence_addr, config.paid_key),
      admin_service_(pool_, persistence_, config.AdminToken(), ready_, verifier_, clock, config.paid_key) {}

Broker::~Broker() { Shutdown(); }

absl::Status Broker::Start() {
  if (!prober_.status().ok()) {
    return absl::Status(prober_.status().code(),
                        absl::StrCat(prober_.status().message(), " (needed to verify keys)"));
  }
  absl::StatusOr<rpc::RunningServer> server =
      rpc::StartServer("gempool-keybroker", config_.keybroker_listen, {&broker_service_, &admin_service_});
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
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
  int backoff_ms = options_.load_retry_initial_ms;
  while (true) {
    absl::Status status = LoadOnce();
    if (status.ok()) break;
    // The message names the address: "persistence at host:port: LoadKeys failed: ...".
    GEMPOOL_LOG(WARNING) << "waiting for " << status.message() << "; retrying in " << backoff_ms << " ms";
    if (stop_.WaitForNotificationWithTimeout(absl::Milliseconds(backoff_ms))) return;
    backoff_ms = std::min(backoff_ms * 2, options_.load_retry_max_ms);
  }
  if (stop_.HasBeenNotified()) return;
  const keypool::PoolCounts counts = pool_.Summary();
  GEMPOOL_LOG(INFO) << "ready: " << counts.total << " keys (" << counts.active << " active, "
                    << counts.cooling << " cooling, " << counts.failing << " failing, " << counts.disabled
                    << " disabled, " << counts.paused << " paused)";
  if (options_.run_writer_thread) writer_.Start();
  if (options_.run_revalidator && config_.check_interval_hours > 0) {
    const absl::Duration interval = absl::Milliseconds(config_.check_interval_hours * 3600.0 * 1000.0);
    revalidator_ = std::make_unique<KeyRevalidator>(verifier_, interval);
    revalidator_->Start();
    GEMPOOL_LOG(INFO) << "re-validating disabled and failing keys every " << absl::FormatDuration(interval)
                      << " with " << prober_.model();
  }
  ready_.Notify();
  server_.server->GetHealthCheckService()->SetServingStatus(true);
  serving_.Notify();
}

absl::Status Broker::LoadOnce() {
  absl::StatusOr<std::vector<keypool::KeyInfo>> stored = persistence_.LoadKeys();
  if (!stored.ok()) return stored.status();

  // API_KEYS not stored yet, once each.
  absl::flat_hash_set<std::string> known;
  for (const keypool::KeyInfo& key : *stored) known.insert(key.secret);
  std::vector<std::string> fresh;
  for (const std::string& raw : config_.api_keys) {
    std::string secret(absl::StripAsciiWhitespace(raw));
    if (!secret.empty() && known.insert(secret).second) fresh.push_back(std::move(secret));
  }
  std::vector<keypool::KeyInfo> added;
  if (!fresh.empty()) {
    absl::StatusOr<PersistenceClient::StoredKeys> result = persistence_.AddKeys(fresh);
    if (!result.ok()) return result.status();
    added = std::move(result->keys);
  }

  // A broken row must not keep the broker from starting: skip and say so.
  std::vector<keypool::KeyInfo> usable;
  usable.reserve(stored->size() + added.size());
  for (std::vector<keypool::KeyInfo>* keys : {&*stored, &added}) {
    for (keypool::KeyInfo& key : *keys) {
      if (key.id <= 0 || key.secret.empty()) {
        GEMPOOL_LOG(ERROR) << "skipping stored key id " << key.id << " (" << MaskKey(key.secret)
                           << "): it has no id or no secret";
        continue;
      }
      usable.push_back(std::move(key));
    }
  }
  absl::StatusOr<std::vector<bool>> inserted = pool_.Add(usable);
  if (!inserted.ok()) return inserted.status();
  GEMPOOL_LOG(INFO) << "loaded " << stored->size() << " stored keys from persistence at "
                    << config_.persistence_addr << "; added " << added.size() << " new keys from API_KEYS";
  return absl::OkStatus();
}

void Broker::Shutdown() {
  if (shut_down_.exchange(true)) return;
  stop_.Notify();
  if (loader_.joinable()) loader_.join();
  // End probes in flight (re-validation, VerifyKeys) instead of waiting out
  // TIME_OUT; their keys stay as they were.
  probe_transport_->CancelAll();
  if (revalidator_ != nullptr) revalidator_->Stop();
  if (server_.server != nullptr) {
    server_.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }
  writer_.Stop();  // Last flush of what the final calls changed.
  if (server_.server != nullptr) server_.server->Wait();
}

}  // namespace gempool::keybroker
