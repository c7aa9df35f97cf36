#include "key_verifier.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include "gempool/common/logging.h"
#include "gempool/common/secrets.h"

namespace gempool::keybroker {

KeyVerifier::KeyVerifier(keypool::KeyPools& pools, std::shared_ptr<const KeyProber> prober, int concurrency,
                         ProxyFor proxy_for)
    : pools_(pools),
      concurrency_(std::max(concurrency, 1)),
      proxy_for_(std::move(proxy_for)),
      prober_(std::move(prober)) {}

std::shared_ptr<const KeyProber> KeyVerifier::prober() const {
  MutexLock lock(&mu_);
  return prober_;
}

void KeyVerifier::SetProber(std::shared_ptr<const KeyProber> prober) {
  if (prober == nullptr) return;
  MutexLock lock(&mu_);
  prober_ = std::move(prober);
}

std::optional<Verification> KeyVerifier::VerifyOne(int64_t id) {
  keypool::KeyPool* pool = pools_.Find(id);
  if (pool == nullptr) return std::nullopt;
  std::optional<keypool::KeyInfo> key = pool->Get(id);
  if (!key.has_value()) return std::nullopt;
  const std::shared_ptr<const KeyProber> prober = this->prober();
  const std::string proxy = proxy_for_ ? proxy_for_(key->secret) : std::string();
  const ProbeResult probe = prober->Probe(key->secret, pool->pool(), proxy);
  absl::StatusOr<keypool::KeyState> state = pool->ApplyProbe(id, prober->model(), probe.outcome);
  if (!state.ok()) return std::nullopt;  // Removed while it was probed.
  Verification v;
  v.id = id;
  v.masked = MaskKey(key->secret);
  v.passed = probe.passed;
  v.state = *state;
  v.message = probe.message;
  v.http_status = probe.http_status;
  v.outcome = probe.outcome.kind;
  return v;
}

std::vector<Verification> KeyVerifier::Verify(const std::vector<int64_t>& ids,
                                              const std::function<bool()>& cancelled) {
  std::vector<std::optional<Verification>> results(ids.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    while (true) {
      const size_t i = next.fetch_add(1);
      if (i >= ids.size() || (cancelled && cancelled())) return;
      results[i] = VerifyOne(ids[i]);
    }
  };
  const size_t workers = std::min(static_cast<size_t>(concurrency_), ids.size());
  if (workers <= 1) {
    work();
  } else {
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (size_t t = 0; t < workers; ++t) threads.emplace_back(work);
    for (std::thread& thread : threads) thread.join();
  }
  std::vector<Verification> out;
  out.reserve(ids.size());
  for (std::optional<Verification>& result : results) {
    if (result.has_value()) out.push_back(std::move(*result));
  }
  std::sort(out.begin(), out.end(), [](const Verification& a, const Verification& b) { return a.id < b.id; });
  return out;
}

std::vector<int64_t> KeyVerifier::DisabledForFailures() const {
  std::vector<int64_t> ids;
  for (keypool::Pool pool : keypool::kAllPools) {
    const std::vector<int64_t> disabled = pools_.Get(pool).DisabledForFailures();
    ids.insert(ids.end(), disabled.begin(), disabled.end());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<Verification> KeyVerifier::RevalidateOnce(const std::function<bool()>& cancelled) {
  keypool::KeyFilter filter;
  // States are effective ones: a paused key lists as PAUSED and is skipped.
  filter.states = {keypool::KeyState::kDisabled, keypool::KeyState::kFailing};
  filter.limit = static_cast<int>(std::min<size_t>(pools_.size(), 1u << 30));
  std::vector<int64_t> ids;
  for (keypool::Pool pool : keypool::kAllPools) {
    for (const keypool::KeyInfo& key : pools_.Get(pool).List(filter).keys) ids.push_back(key.id);
  }
  if (ids.empty()) {
    GEMPOOL_LOG(DEBUG) << "re-validation: no disabled or failing keys";
    return {};
  }
  GEMPOOL_LOG(INFO) << "re-validation: verifying " << ids.size() << " disabled or failing keys with "
                    << prober()->model();
  std::vector<Verification> results = Verify(ids, cancelled);
  int rejoined = 0;
  int still_out = 0;
  for (const Verification& v : results) {
    const bool usable = v.state != keypool::KeyState::kDisabled && v.state != keypool::KeyState::kPaused;
    usable ? ++rejoined : ++still_out;
    GEMPOOL_LOG(DEBUG) << "re-validation: key " << v.id << " (" << v.masked << ") is "
                       << keypool::KeyStateName(v.state) << ": " << v.message;
  }
  GEMPOOL_LOG(INFO) << "re-validation done: " << rejoined << " of " << results.size()
                    << " verified keys are usable now, " << still_out << " still disabled";
  return results;
}

}  // namespace gempool::keybroker
