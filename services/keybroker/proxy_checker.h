#pragma once
// The health of each PROXIES entry: every 5 minutes (and at once when PROXIES
// change, or when an admin asks: gempoolctl proxies check, the admin page) a
// small call to BASE_URL goes through each proxy (KeyProber::ProbeProxy: the
// key probe's request without a key, at most 10 s). A proxy that gives no
// HTTP answer, or answers 407, 502 or 504 itself, is dead: `on_dead_changed`
// gets the new dead list, which the broker puts in its settings so every
// gateway's replica (and the broker's own hand-out) skips it
// (keypool::ProxyChooser) until a later check reaches it again. Up to 16
// proxies are checked at once.
//
// Threads: one checking thread (Start/Stop); Check() may also be called from
// gRPC threads. Checks are serialised (one round at a time; a caller that
// arrives during a round waits for it and for its own). No lock is held
// across a probe except the round lock, which only other rounds take.
// Thread-safe: mu_ guards the results and the checking thread's flags;
// thread_ is the owner's (Start, Stop).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"
#include "key_prober.h"

namespace gempool::keybroker {

struct ProxyStatus {
  std::string proxy;  // As in PROXIES (credentials and all: mask to show).
  bool alive = true;  // Until a check fails.
  int64_t checked_at_ms = 0;
  int64_t latency_ms = 0;
  std::string error;  // Why the last check failed.
};

// "http://user:pass@host:1" → "http://***@host:1"; unchanged without credentials.
std::string MaskProxyCredentials(const std::string& proxy);

class ProxyChecker {
 public:
  using ProberSource = std::function<std::shared_ptr<const KeyProber>()>;
  using ProxiesSource = std::function<std::vector<std::string>()>;
  using DeadListener = std::function<void(const std::vector<std::string>& dead)>;

  static constexpr int64_t kIntervalSeconds = 300;
  static constexpr int kTimeoutSeconds = 10;
  static constexpr size_t kParallelChecks = 16;

  // `prober` and `proxies` give what is in force at each round.
  ProxyChecker(ProberSource prober, ProxiesSource proxies, const Clock& clock, DeadListener on_dead_changed);
  ~ProxyChecker();

  // Starts the periodic checks (the first at once).
  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);
  // PROXIES changed: check the new list soon (the checking thread).
  void Wake() ABSL_LOCKS_EXCLUDED(mu_);

  // Checks every proxy now and returns the results, in PROXIES order.
  std::vector<ProxyStatus> Check() ABSL_LOCKS_EXCLUDED(round_mu_, mu_);
  // The last results for the current PROXIES (unchecked ones alive).
  std::vector<ProxyStatus> Last() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  const ProberSource prober_;
  const ProxiesSource proxies_;
  const Clock& clock_;
  const DeadListener on_dead_changed_;

  // One round at a time; guards no member (a round's state is its own).
  Mutex round_mu_;
  mutable Mutex mu_;
  std::vector<ProxyStatus> last_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> dead_ ABSL_GUARDED_BY(mu_);  // As last told.
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Signalled when woken_ or stopping_ is set.
  CondVar wake_;
  std::thread thread_;
};

}  // namespace gempool::keybroker
