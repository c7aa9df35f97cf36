#pragma once
// The settings a running key broker takes from the admin UI without a
// restart (MAX_FAILURES, PROXIES, PAID_KEY, TEST_MODEL, CHECK_INTERVAL_HOURS,
// MAX_FAILURES_RECHECK_SECONDS),
// as one immutable snapshot swapped atomically: a call reads the snapshot
// once and uses it throughout. A consumer that keeps derived state (the key
// watch hub's view of PROXIES and PAID_KEY sent to gateways) tells it must
// refresh from two counters: `proxy_health_generation` grows with a Set that
// changes only the proxies' health (dead_proxies, the proxy check's verdict,
// or PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY), `generation` with every other
// Set (gateways start over with a snapshot; a proxy flapping must not cost
// that). Thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gempool/common/mutex.h"
#include "gempool/keypool/proxy_chooser.h"

namespace gempool::keybroker {

struct BrokerSettings {
  int max_failures = 3;                // MAX_FAILURES.
  std::vector<std::string> proxies;    // PROXIES.
  std::string paid_key;                // PAID_KEY ("" when unset).
  std::string test_model;              // TEST_MODEL.
  double check_interval_hours = 1;     // CHECK_INTERVAL_HOURS (0: never).
  int max_failures_recheck_seconds = 60;  // MAX_FAILURES_RECHECK_SECONDS (0: never).
  bool proxies_consistent_hash = true;  // PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY.
  // Not a setting: the PROXIES entries the last proxy check could not reach
  // (proxy_checker.h), kept here so gateways get them with the settings.
  std::vector<std::string> dead_proxies;
  // From the three above (RebuildProxyChooser after changing them).
  keypool::ProxyChooser proxy_chooser;

  void RebuildProxyChooser() { proxy_chooser = keypool::ProxyChooser(proxies, dead_proxies, proxies_consistent_hash); }

  // Whether `other` differs from this in the proxies' health alone.
  bool OnlyProxyHealthDiffers(const BrokerSettings& other) const {
    const bool health = dead_proxies != other.dead_proxies || proxies_consistent_hash != other.proxies_consistent_hash;
    return health && max_failures == other.max_failures && proxies == other.proxies && paid_key == other.paid_key &&
           test_model == other.test_model && check_interval_hours == other.check_interval_hours &&
           max_failures_recheck_seconds == other.max_failures_recheck_seconds;
  }
};

class BrokerSettingsHolder {
 public:
  explicit BrokerSettingsHolder(BrokerSettings initial)
      : current_(std::make_shared<const BrokerSettings>(std::move(initial))) {}

  std::shared_ptr<const BrokerSettings> Get() const ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return current_;
  }
  uint64_t generation() const ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return generation_;
  }
  uint64_t proxy_health_generation() const ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return proxy_health_generation_;
  }
  void Set(BrokerSettings next) ABSL_LOCKS_EXCLUDED(mu_) {
    auto snapshot = std::make_shared<const BrokerSettings>(std::move(next));
    MutexLock lock(&mu_);
    ++(current_->OnlyProxyHealthDiffers(*snapshot) ? proxy_health_generation_ : generation_);
    current_ = std::move(snapshot);
  }

 private:
  mutable Mutex mu_;
  std::shared_ptr<const BrokerSettings> current_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t proxy_health_generation_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace gempool::keybroker
