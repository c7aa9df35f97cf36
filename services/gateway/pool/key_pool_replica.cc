#include "pool/key_pool_replica.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/logging.h"
#include "gempool/common/memory.h"
#include "gempool/common/secrets.h"
#include "gempool/common/thread_role.h"
#include "gempool/keypool/paid_key.h"
#include "gempool/keypool/proto_convert.h"
#include "gempool/keypool/proxy_chooser.h"

namespace gempool::gateway {

struct KeyPoolReplica::State {
  // Shared with the State that replaces this one when only the proxies'
  // health changes.
  std::shared_ptr<keypool::KeyPools> pools;
  keypool::ProxyChooser proxies;
  std::string paid_key;
};

namespace {

std::string WithoutModelsPrefix(const std::string& model) {
  return absl::StartsWith(model, "models/") ? model.substr(7) : model;
}

// How a replica chooses proxies under `settings`.
keypool::ProxyChooser ProxiesOf(const v1::PoolSettings& settings) {
  return keypool::ProxyChooser(std::vector<std::string>(settings.proxies().begin(), settings.proxies().end()),
                               std::vector<std::string>(settings.dead_proxies().begin(), settings.dead_proxies().end()),
                               !settings.proxies_random());
}

// Records the broker sent, minus any it should never have (no id or secret).
std::vector<keypool::KeyInfo> UsableKeys(const google::protobuf::RepeatedPtrField<v1::KeyRecord>& records) {
  std::vector<keypool::KeyInfo> keys;
  keys.reserve(records.size());
  for (const v1::KeyRecord& record : records) {
    if (record.id() <= 0 || record.secret().empty()) {
      GEMPOOL_LOG(WARNING) << "key pool replica: ignoring a key without id or secret (id " << record.id() << ")";
      continue;
    }
    keys.push_back(keypool::FromRecord(record));
  }
  return keys;
}

}  // namespace

KeyPoolReplica::KeyPoolReplica(std::shared_ptr<grpc::Channel> channel, std::string address, const Clock& clock,
                               Options options)
    : KeyPoolReplica(v1::KeyBroker::NewStub(std::move(channel)), std::move(address), clock, std::move(options)) {}

KeyPoolReplica::KeyPoolReplica(std::unique_ptr<v1::KeyBroker::StubInterface> stub, std::string address,
                               const Clock& clock, Options options)
    : address_(std::move(address)), clock_(clock), options_(std::move(options)), stub_(std::move(stub)) {}

KeyPoolReplica::~KeyPoolReplica() { Stop(); }

void KeyPoolReplica::Start() {
  MutexLock lock(&mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] {
    SetThreadName("gw-key-replica");
    Run();
  });
}

void KeyPoolReplica::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    if (open_context_ != nullptr) open_context_->TryCancel();
  }
  changed_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<KeyPoolReplica::State> KeyPoolReplica::Current() const {
  MutexLock lock(&mu_);
  return state_;
}

bool KeyPoolReplica::synced() const { return Current() != nullptr; }

std::vector<KeyPoolReplica::PoolCounts> KeyPoolReplica::Counts() const {
  const std::shared_ptr<State> state = Current();
  std::vector<PoolCounts> counts;
  if (state == nullptr) return counts;
  for (keypool::Pool pool : keypool::kAllPools) counts.push_back({pool, state->pools->Get(pool).Summary()});
  return counts;
}

std::vector<KeyPoolReplica::PoolCooling> KeyPoolReplica::CoolingByModel() const {
  const std::shared_ptr<State> state = Current();
  std::vector<PoolCooling> cooling;
  if (state == nullptr) return cooling;
  for (keypool::Pool pool : keypool::kAllPools) cooling.push_back({pool, state->pools->Get(pool).CoolingByModel()});
  return cooling;
}

bool KeyPoolReplica::connected() const {
  MutexLock lock(&mu_);
  return connected_;
}

int KeyPoolReplica::snapshots() const {
  MutexLock lock(&mu_);
  return snapshots_;
}

int KeyPoolReplica::snapshot_pages() const {
  MutexLock lock(&mu_);
  return snapshot_pages_;
}

bool KeyPoolReplica::WaitUntilSynced(int timeout_ms) const {
  MutexLock lock(&mu_);
  const absl::Time deadline = absl::Now() + absl::Milliseconds(timeout_ms);
  while (state_ == nullptr) {
    if (changed_.WaitWithDeadline(&mu_, deadline)) break;
  }
  return state_ != nullptr;
}

std::optional<v1::AcquireKeyResponse> KeyPoolReplica::Acquire(v1::Pool pool, const std::string& model,
                                                              const std::vector<int64_t>& exclude,
                                                              int64_t pinned_key_id) {
  const std::shared_ptr<State> state = Current();
  if (state == nullptr) return std::nullopt;
  const std::string name = WithoutModelsPrefix(model);
  keypool::KeyPool& keys = state->pools->Get(keypool::FromProto(pool));
  keypool::AcquireResult result;
  if (pinned_key_id > 0) {
    result = keys.AcquirePinned(pinned_key_id, name);
  } else {
    std::optional<keypool::AcquireResult> paid =
        pool == v1::POOL_GEMINI ? keypool::AcquirePaidKey(state->paid_key, name, exclude) : std::nullopt;
    result = paid.has_value() ? *std::move(paid) : keys.Acquire(name, exclude);
  }
  v1::AcquireKeyResponse response;
  response.set_available(result.available);
  if (result.available) {
    response.set_key_id(result.key_id);
    response.set_proxy(state->proxies.Choose(result.secret));
    response.set_secret(std::move(result.secret));
  } else {
    response.set_retry_at_ms(result.retry_at_ms);
    response.set_unavailable_reason(std::move(result.unavailable_reason));
  }
  return response;
}

namespace {

// Outcomes that give the same state when applied twice, so they can be
// applied again to a snapshot that may already hold them.
bool IsIdempotent(v1::OutcomeKind kind) {
  return kind == v1::OUTCOME_KIND_RATE_LIMITED || kind == v1::OUTCOME_KIND_KEY_INVALID;
}

void ApplyTo(keypool::KeyPools& pools, const v1::ReportOutcomeRequest& report) {
  absl::StatusOr<keypool::Outcome> outcome = keypool::FromProto(report);
  if (!outcome.ok()) return;
  // Not found (removed meanwhile) is fine: the broker says what is true.
  keypool::KeyPool* pool = pools.Find(report.key_id());
  if (pool == nullptr) return;
  pool->Report(report.key_id(), WithoutModelsPrefix(report.model()), *outcome).IgnoreError();
}

}  // namespace

void KeyPoolReplica::Apply(const v1::ReportOutcomeRequest& report) {
  if (report.key_id() == keypool::kPaidKeyId) return;  // Not health-tracked.
  std::shared_ptr<State> state;
  {
    MutexLock lock(&mu_);
    state = state_;
    if (IsIdempotent(report.kind())) {
      const int64_t now = clock_.NowUnixMs();
      while (!recent_.empty() && (recent_.size() >= kMaxRecent || recent_.front().at_ms < now - kRecentMs)) {
        recent_.pop_front();
      }
      recent_.push_back({report, now});
    }
  }
  if (state != nullptr) ApplyTo(*state->pools, report);
}

void KeyPoolReplica::ReapplyRecent(keypool::KeyPools& pools,
                                   const std::function<std::optional<int64_t>(int64_t key_id)>& updated_at) {
  std::vector<v1::ReportOutcomeRequest> again;
  {
    MutexLock lock(&mu_);
    for (const Recent& recent : recent_) {
      const std::optional<int64_t> sent = updated_at(recent.report.key_id());
      if (sent.has_value() && recent.at_ms >= *sent) again.push_back(recent.report);
    }
  }
  for (const v1::ReportOutcomeRequest& report : again) ApplyTo(pools, report);
}

grpc::Status KeyPoolReplica::ReadStream() {
  grpc::ClientContext context;
  {
    MutexLock lock(&mu_);
    if (stopping_) return grpc::Status::CANCELLED;
    open_context_ = &context;
  }
  v1::WatchKeysRequest request;
  request.set_watcher(options_.watcher);
  std::unique_ptr<grpc::ClientReaderInterface<v1::KeyPoolUpdate>> reader = stub_->WatchKeys(&context, request);

  v1::KeyPoolUpdate update;
  // The snapshot being received, filled page by page; null between snapshots.
  std::shared_ptr<State> next;
  // Its keys' updated_at_ms as the broker sent them, by id.
  std::vector<std::pair<int64_t, int64_t>> next_updated_at;
  while (reader->Read(&update)) {
    if (update.snapshot()) {
      if (next == nullptr) {
        const v1::PoolSettings& settings = update.settings();
        next = std::make_shared<State>();
        keypool::KeyPoolOptions pool_options;
        if (settings.max_failures() > 0) pool_options.max_failures = settings.max_failures();
        pool_options.record_changes = false;
        pool_options.record_times = false;
        next->pools = std::make_unique<keypool::KeyPools>(pool_options, clock_);
        next->proxies = ProxiesOf(settings);
        next->paid_key = settings.paid_key();
        if (update.snapshot_size() > 0) {
          // Bounded: the hint only sizes arrays the keys will fill anyway.
          const size_t size = static_cast<size_t>(std::min<int64_t>(update.snapshot_size(), 10'000'000));
          // Most keys are Gemini keys (sized once; the Vertex pool grows).
          next->pools->Get(keypool::Pool::kGemini).Reserve(size);
          next_updated_at.reserve(size);
        }
      }
      const std::vector<keypool::KeyInfo> page = UsableKeys(update.keys());
      for (keypool::Pool pool : keypool::kAllPools) {
        std::vector<keypool::KeyInfo> of_pool;
        for (const keypool::KeyInfo& key : page) {
          if (key.pool == pool) of_pool.push_back(key);
        }
        if (of_pool.empty()) continue;
        if (absl::Status added = next->pools->Get(pool).Add(of_pool).status(); !added.ok()) {
          GEMPOOL_LOG(WARNING) << "key pool replica: " << added.message();
        }
      }
      for (const keypool::KeyInfo& key : page) next_updated_at.emplace_back(key.id, key.updated_at_ms);
      if (!update.snapshot_complete()) {
        MutexLock lock(&mu_);
        ++snapshot_pages_;
        continue;
      }
      std::sort(next_updated_at.begin(), next_updated_at.end());
      ReapplyRecent(*next->pools, [&next_updated_at](int64_t id) -> std::optional<int64_t> {
        auto it = std::lower_bound(next_updated_at.begin(), next_updated_at.end(),
                                   std::make_pair(id, std::numeric_limits<int64_t>::min()));
        if (it == next_updated_at.end() || it->first != id) return std::nullopt;
        return it->second;
      });
      std::vector<std::pair<int64_t, int64_t>>().swap(next_updated_at);
      const size_t keys = next->pools->size();
      {
        MutexLock lock(&mu_);
        state_ = std::move(next);
        connected_ = true;
        ++snapshots_;
        ++snapshot_pages_;
      }
      next = nullptr;
      changed_.SignalAll();
      update = v1::KeyPoolUpdate();  // Its pages' records, kept for reuse otherwise.
      ReleaseFreeMemory();  // The previous pool and the snapshot's messages.
      GEMPOOL_LOG(INFO) << "key pool replica: " << keys << " keys from the key broker at " << address_
                        << "; handing keys out in-process";
      continue;
    }
    std::shared_ptr<State> state = Current();
    if (state == nullptr) continue;  // Not expected: updates follow a snapshot.
    if (update.has_settings()) {
      // Only the proxies' health changed: the same keys, a new proxy choice.
      auto swapped = std::make_shared<State>(*state);
      swapped->proxies = ProxiesOf(update.settings());
      {
        MutexLock lock(&mu_);
        if (state_ == state) state_ = swapped;
      }
      state = std::move(swapped);
      GEMPOOL_LOG(INFO) << "key pool replica: " << update.settings().dead_proxies_size() << " of "
                        << update.settings().proxies_size() << " proxies dead, proxies chosen "
                        << (update.settings().proxies_random() ? "at random" : "by key");
    }
    if (update.keys_size() > 0) {
      const std::vector<keypool::KeyInfo> keys = UsableKeys(update.keys());
      for (keypool::Pool pool : keypool::kAllPools) {
        std::vector<keypool::KeyInfo> of_pool;
        for (const keypool::KeyInfo& key : keys) {
          if (key.pool == pool) of_pool.push_back(key);
        }
        if (of_pool.empty()) continue;
        if (absl::Status upserted = state->pools->Get(pool).Upsert(of_pool); !upserted.ok()) {
          GEMPOOL_LOG(WARNING) << "key pool replica: " << upserted.message();
        }
      }
      // Built on the first lookup: only when there are recent reports.
      std::optional<absl::flat_hash_map<int64_t, int64_t>> sent;
      ReapplyRecent(*state->pools, [&keys, &sent](int64_t id) -> std::optional<int64_t> {
        if (!sent.has_value()) {
          sent.emplace();
          for (const keypool::KeyInfo& key : keys) (*sent)[key.id] = key.updated_at_ms;
        }
        auto it = sent->find(id);
        if (it == sent->end()) return std::nullopt;
        return it->second;
      });
    }
    if (update.removed_key_ids_size() > 0) {
      const std::vector<int64_t> removed(update.removed_key_ids().begin(), update.removed_key_ids().end());
      for (keypool::Pool pool : keypool::kAllPools) state->pools->Get(pool).Remove(removed);
    }
  }
  grpc::Status status = reader->Finish();
  {
    MutexLock lock(&mu_);
    open_context_ = nullptr;
    connected_ = false;
  }
  return status;
}

void KeyPoolReplica::Run() {
  Backoff backoff({options_.reconnect_initial_ms, options_.reconnect_max_ms, options_.reconnect_jitter});
  std::string last_logged;  // One line per kind of failure, not per retry.
  while (true) {
    const int snapshots_before = snapshots();
    const grpc::Status status = ReadStream();
    {
      MutexLock lock(&mu_);
      if (stopping_) return;
    }
    if (snapshots() > snapshots_before) {
      // The stream worked for a while: reconnect quickly, and say so again.
      backoff.Reset();
      last_logged.clear();
    }
    std::string what;
    if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      what = "does not offer WatchKeys (an older version?); asking it for a key per attempt";
    } else {
      what = absl::StrCat("ended the key stream (", status.error_message(), "); ",
                          synced() ? "serving the keys as last known" : "asking the broker per attempt",
                          " and reconnecting");
    }
    if (what != last_logged) {
      GEMPOOL_LOG(WARNING) << "key pool replica: the key broker at " << address_ << " " << what;
      last_logged = what;
    }
    {
      MutexLock lock(&mu_);
      const absl::Time deadline = absl::Now() + absl::Milliseconds(backoff.NextMs());
      while (!stopping_) {
        if (changed_.WaitWithDeadline(&mu_, deadline)) break;
      }
      if (stopping_) return;
    }
  }
}

}  // namespace gempool::gateway
