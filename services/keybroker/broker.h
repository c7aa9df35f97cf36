#pragma once
// One key broker process: the key pool, its two gRPC services, the start-up
// load from persistence and the state writer, wired together.
//
// Start() listens at once (so health checks and signals work) and loads the
// pool in the background: LoadKeys from persistence, retried with a backoff
// ("waiting for persistence at ...") until it answers, then the API_KEYS not
// stored yet are added through persistence to the Gemini pool, and the
// VERTEX_API_KEYS to the Vertex AI Express pool (keys stored but not in
// either list stay: they may have been added by an admin; a stored key keeps
// its pool). Until then the health status
// is NOT_SERVING and calls answer UNAVAILABLE. Then the writer starts, and
// re-validation of disabled and failing keys every CHECK_INTERVAL_HOURS, and
// of keys MAX_FAILURES disabled soon after (MAX_FAILURES_RECHECK_SECONDS).
// Shutdown() stops serving and probing and flushes pending key states.
//
// Settings saved in the admin UI (BrokerOptions::environment set): read with
// the keys at start-up, before any key is handed out, then followed while
// the broker runs (config::SettingsFollower, as the gateways do), so a save
// of MAX_FAILURES, PROXIES, PAID_KEY, TEST_MODEL, CHECK_INTERVAL_HOURS or
// MAX_FAILURES_RECHECK_SECONDS (and
// of BASE_URL, CUSTOM_HEADERS, TIME_OUT for key probes) takes effect without
// a restart; settings() holds those in force.
//
// Thread-safe.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "gempool/common/notification.h"
#include "absl/time/time.h"
#include "gempool/common/backoff.h"
#include "gempool/common/clock.h"
#include "gempool/common/environment.h"
#include "gempool/common/mutex.h"
#include "gempool/config/config.h"
#include "gempool/config/settings_follower.h"
#include "gempool/keypool/key_pools.h"
#include "gempool/rpc/server.h"
#include "client_token_admin.h"
#include "client_token_registry.h"
#include "client_token_watch_hub.h"
#include "key_admin_service.h"
#include "broker_settings.h"
#include "key_broker_service.h"
#include "key_prober.h"
#include "key_revalidator.h"
#include "key_state_writer.h"
#include "key_verifier.h"
#include "key_watch_hub.h"
#include "broker_metrics.h"
#include "gempool/metrics/metrics_listener.h"
#include "persistence_client.h"
#include "probe_transport.h"
#include "proxy_checker.h"

namespace gempool::keybroker {

struct BrokerOptions {
  KeyStateWriterOptions writer;
  // Tests drive KeyStateWriter::Flush() themselves when false.
  bool run_writer_thread = true;
  // Backoff between LoadKeys attempts while persistence does not answer
  // (with up to this jitter share off each wait; 0 for exact waits).
  int load_retry_initial_ms = 200;
  int load_retry_max_ms = 5000;
  double load_retry_jitter = kDefaultBackoffJitter;
  // Where key probes go (re-validation, VerifyKeys); null for real HTTP
  // (HttplibProbeTransport). Tests inject a fake.
  std::shared_ptr<ProbeTransport> probe_transport;
  // Keys probed at once.
  int probe_concurrency = 4;
  // Tests run KeyVerifier::RevalidateOnce() themselves when false; when
  // true, re-validation runs every CHECK_INTERVAL_HOURS (never when 0) and
  // keys MAX_FAILURES disabled are re-checked (MAX_FAILURES_RECHECK_SECONDS).
  bool run_revalidator = true;
  // The environment the config was loaded from (environment over .env).
  // When set, the broker follows the settings saved in the admin UI (laid
  // over it, see gempool/config/ui_settings.h); unset, the config alone.
  // Only the settings follower keeps it (without API_KEYS).
  std::optional<Environment> environment;
  // How often the settings table is read while the broker runs.
  int settings_poll_ms = 2000;
  // Tests poll with Broker::PollSettings() themselves when false.
  bool run_settings_thread = true;
  // Proxy health checks every 5 minutes (ProxyChecker); tests call
  // proxy_checker().Check() themselves when false.
  bool run_proxy_checks = true;
};

// The settings a config asks for that may change while the broker runs.
BrokerSettings BrokerSettingsFrom(const Config& config);

// The pool settings a config asks for.
keypool::KeyPoolOptions PoolOptionsFrom(const Config& config);

class Broker {
 public:
  Broker(const Config& config, const Clock& clock, BrokerOptions options = {});
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;
  ~Broker();

  // Listens on config.keybroker_listen and starts loading keys. Fails when
  // the address cannot be bound, or (before listening) when BASE_URL,
  // TEST_MODEL or CUSTOM_HEADERS cannot be used for key probes.
  absl::Status Start();
  // The bound port (after Start).
  int port() const { return server_.port; }
  // Whether the pool was loaded (and health says SERVING) within `timeout`.
  bool WaitUntilReady(absl::Duration timeout) const;
  // Stops the loader and the server, then flushes key states. Idempotent.
  void Shutdown();

  // The Gemini API pool, and every pool.
  keypool::KeyPool& pool() { return pools_.Get(keypool::Pool::kGemini); }
  keypool::KeyPools& pools() { return pools_; }
  KeyStateWriter& writer() { return writer_; }
  KeyVerifier& verifier() { return verifier_; }
  BrokerSettingsHolder& settings() { return settings_; }
  ProxyChecker& proxy_checker() { return proxy_checker_; }
  // Null unless BrokerOptions::run_revalidator (after the load).
  KeyRevalidator* revalidator() { return revalidator_.get(); }
  // Reads the settings table now and applies what changed (what the settings
  // thread does every settings_poll_ms). FailedPrecondition without
  // BrokerOptions::environment.
  absl::Status PollSettings();

 private:
  void LoadLoop();
  // One attempt: load, read the UI's settings, add API_KEYS, fill the pool.
  absl::Status LoadOnce();
  // Reads today's tokens per managed client token back from persistence's
  // usage table (tokens_per_day across a broker restart).
  void SeedTokensToday();
  // Puts the settings of `merged` (environment and UI) in force.
  void ApplySettings(const Config& merged) ABSL_LOCKS_EXCLUDED(settings_update_mu_);
  // Puts the proxy check's verdict in the settings (and so on the stream).
  void SetDeadProxies(const std::vector<std::string>& dead) ABSL_LOCKS_EXCLUDED(settings_update_mu_);

  // API_KEYS and VERTEX_API_KEYS, until the load has added them to their
  // pools; config_ has neither.
  std::vector<std::string> api_keys_;
  std::vector<std::string> vertex_api_keys_;
  const Config config_;
  // Without the environment (the settings follower has what it needs).
  const BrokerOptions options_;
  const Clock& clock_;
  keypool::KeyPools pools_;
  PersistenceClient persistence_;
  KeyStateWriter writer_;
  std::shared_ptr<ProbeTransport> probe_transport_;
  // The prober the broker started with (the verifier's may be newer).
  std::shared_ptr<const KeyProber> prober_;
  KeyVerifier verifier_;
  std::unique_ptr<KeyRevalidator> revalidator_;
  // The pool is loaded (services answer), then health says SERVING too.
  Notification ready_;
  Notification serving_;
  Notification stop_;
  BrokerSettingsHolder settings_;
  KeyWatchHub hub_;
  // Managed client tokens: loaded with the keys, served to gateways by the
  // hub, changed through KeyAdmin.
  ClientTokenRegistry token_registry_;
  ClientTokenWatchHub token_hub_;
  ClientTokenAdmin token_admin_;
  KeyBrokerService broker_service_;
  KeyAdminService admin_service_;
  // ApplySettings and SetDeadProxies each read, change and set settings_
  // (thread-safe itself: the lock guards no member, it makes each
  // read-change-set one step).
  Mutex settings_update_mu_;
  ProxyChecker proxy_checker_;
  // KEYBROKER_METRICS_LISTEN; the metrics outlive the server (its
  // interceptor counts into them).
  std::unique_ptr<BrokerMetrics> metrics_;
  rpc::RunningServer server_;
  std::unique_ptr<metrics::MetricsListener> metrics_listener_;
  std::thread loader_;
  std::atomic<bool> shut_down_{false};
  // Null without BrokerOptions::environment.
  std::unique_ptr<config::SettingsFollower> settings_follower_;
};

}  // namespace gempool::keybroker
