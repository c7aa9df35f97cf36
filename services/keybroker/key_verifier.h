#pragma once
// Verifies pool keys with KeyProber, a few at a time, and applies each answer
// to the pool (KeyPool::ApplyProbe): keys that work rejoin, dead keys are
// disabled with the reason, and keys whose probe could not get through stay
// as they are. Serves the admin's VerifyKeys and the periodic re-validation
// of disabled and failing keys (KeyRevalidator). The prober can be replaced
// while the broker runs (TEST_MODEL, BASE_URL, ... saved in the admin UI); a
// probe uses the one in force when it starts. A key is probed through the
// proxy the broker would hand it out with (ProxyFor: the proxy chooser, so
// dead proxies are skipped and PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY holds).
// Thread-safe: mu_ guards the prober; the rest is set at construction.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gempool/common/mutex.h"
#include "gempool/keypool/key_pools.h"
#include "key_prober.h"

namespace gempool::keybroker {

// How one key fared.
struct Verification {
  int64_t id = 0;
  // The key, masked.
  std::string masked;
  // Whether the key works (2xx, or 429: valid but rate-limited).
  bool passed = false;
  // The key's state after the answer was applied.
  keypool::KeyState state = keypool::KeyState::kActive;
  // What happened; keys redacted.
  std::string message;
  // Upstream HTTP status; 0 when no answer came.
  int http_status = 0;
  // The probe's outcome as the pool took it (kSuccess, kRateLimited and
  // kKeyInvalid are verdicts on the key; the others say the probe could not
  // tell).
  keypool::OutcomeKind outcome = keypool::OutcomeKind::kSuccess;
};

class KeyVerifier {
 public:
  // The proxy a probe with `secret` goes through ("" direct); called from
  // the probing threads.
  using ProxyFor = std::function<std::string(const std::string& secret)>;

  // Probes up to `concurrency` keys at once, each as a key of the pool that
  // holds it (a Vertex AI Express key on VERTEX_EXPRESS_BASE_URL), through
  // `proxy_for`'s proxy (null: direct). `pools` must outlive the verifier;
  // `prober` must not be null.
  KeyVerifier(keypool::KeyPools& pools, std::shared_ptr<const KeyProber> prober, int concurrency,
              ProxyFor proxy_for = nullptr);

  // The prober in force, and its replacement (not null) for the next probes.
  std::shared_ptr<const KeyProber> prober() const ABSL_LOCKS_EXCLUDED(mu_);
  void SetProber(std::shared_ptr<const KeyProber> prober) ABSL_LOCKS_EXCLUDED(mu_);

  // Probes the keys `ids` and applies the answers. Ids no longer in the pool
  // (removed meanwhile) are skipped. Once `cancelled` returns true no further
  // probe starts; keys not probed are left out of the result. Sorted by id.
  std::vector<Verification> Verify(const std::vector<int64_t>& ids,
                                   const std::function<bool()>& cancelled = nullptr);

  // One re-validation pass: verifies every DISABLED and FAILING key of
  // every pool (paused keys are left alone, whatever their state underneath)
  // and logs a summary.
  std::vector<Verification> RevalidateOnce(const std::function<bool()>& cancelled = nullptr);

  // The keys MAX_FAILURES disabled in every pool (not paused ones), sorted.
  std::vector<int64_t> DisabledForFailures() const;
  // How many keys Verify probes at once.
  int concurrency() const { return concurrency_; }

 private:
  // Nothing when the key is not in the pool.
  std::optional<Verification> VerifyOne(int64_t id) ABSL_LOCKS_EXCLUDED(mu_);

  keypool::KeyPools& pools_;
  const int concurrency_;
  const ProxyFor proxy_for_;
  mutable Mutex mu_;
  std::shared_ptr<const KeyProber> prober_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::keybroker
