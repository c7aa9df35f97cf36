#pragma once
// The key pool: which Gemini API key to hand out next, and what each
// upstream outcome does to a key. This is the broker's whole policy; the
// gRPC services and the persistence writer are thin layers over it.
//
// States (see issue "A key broker that never burns a good key"):
//   - ACTIVE: handed out.
//   - COOLING: a 429 cools a key for the model it was for (per-model
//     cooldowns: a key exhausted on gemini-2.5-pro keeps serving
//     gemini-2.5-flash), or for every model when the quota is not per model
//     or no model was given. For RetryInfo's delay, else a backoff with
//     jitter; a per-day quota until the next midnight Pacific time.
//   - FAILING: 5xx, timeouts and connection errors within a sliding window;
//     still handed out. max_failures of them within the window disable the
//     key ("MAX_FAILURES"); a success clears the count.
//   - DISABLED: at once on KEY_INVALID (400 API_KEY_INVALID, 401, 403), with
//     the reason and the redacted message kept.
//   - PAUSED: by an admin; never handed out until resumed.
// Client errors never count against a key.
//
// Hand-out is round-robin over the keys usable for the requested model, in
// O(log64 n) (flat in practice) per call: usable keys are members of an
// IndexBitset (one for "usable for any model", plus one per model that has
// cooldowns), a cursor walks them, and cooldowns expire lazily through
// min-heaps of expiry times. Nothing on the hand-out path scans all keys.
//
// Every state change marks the key dirty; a persistence writer drains the
// dirty set with TakeDirty() in batches, off the hand-out path.
//
// Memory: a key costs about 90 bytes while it is healthy: a 56-byte slot
// in one array of all keys (its secret inline, see CompactString), 24 bytes
// of times beside it (not in a gateway's replica: record_times), and an
// index entry by id and one by secret. What only keys that had trouble have
// (failures, reasons, last error, cooldowns) is allocated when a key first
// gets some, and dropped when it has none left. 100,000 keys are about 9 MB
// in the key broker, 7 MB in a replica (docs/benchmarks.md, idle memory).
//
// Thread-safe: every method locks one internal mutex for O(1)-ish work;
// admin calls (List, Summary) scan the pool under the lock. No I/O under the
// lock.

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/common/mutex.h"
#include "absl/types/span.h"
#include "gempool/common/clock.h"
#include "gempool/keypool/daily_quota_reset.h"
#include "gempool/keypool/index_bitset.h"
#include "gempool/keypool/key_info.h"
#include "gempool/keypool/outcome.h"

namespace gempool::keypool {

struct KeyPoolOptions {
  // Transient failures within failure_window_ms that disable a key.
  int max_failures = 3;
  // The sliding window transient failures are counted in.
  int64_t failure_window_ms = 10 * 60 * 1000;
  // Cooldown after a 429 without a retry delay: base, doubled for each
  // further 429 without a success in between, capped at max.
  int64_t rate_limit_backoff_base_ms = 30 * 1000;
  int64_t rate_limit_backoff_max_ms = 30 * 60 * 1000;
  // Up to this fraction of the backoff is added at random, so keys cooled
  // together do not all come back in the same millisecond. 0 in tests.
  double rate_limit_jitter = 0.2;
  // Upper bound on a cooldown taken from a retry delay (bad input guard).
  int64_t max_retry_delay_ms = 48LL * 60 * 60 * 1000;
  // Whether changes are listed for TakeDirty and TakeChanges. False for a
  // gateway's replica of the pool, which nobody drains: the lists would grow
  // with every update the broker sends.
  bool record_changes = true;
  // Whether keys keep when they were created, last changed and last handed
  // out (KeyInfo's *_at_ms, 0 when false). False for a gateway's replica: it
  // never shows or stores them, and they are 24 of a key's 88 bytes.
  bool record_times = true;
  // The pool these keys belong to (KeyInfo::pool of every snapshot).
  Pool pool = Pool::kGemini;
};

// The answer to Acquire.
struct AcquireResult {
  // False when no key can be handed out now.
  bool available = false;
  int64_t key_id = 0;
  std::string secret;
  // When !available: earliest Unix ms at which a key becomes usable by
  // itself (0 when none will: every remaining key is disabled or paused).
  int64_t retry_at_ms = 0;
  // When !available: why, in words a user can act on.
  std::string unavailable_reason;
};

// Which keys an admin action applies to.
struct KeySelection {
  std::vector<int64_t> ids;
  // Every key (ids ignored).
  bool all = false;
};

// Filter and page for List.
struct KeyFilter {
  // Keys in any of these states (all when empty). kCooling also matches keys
  // that are otherwise usable but cooling for at least one model.
  std::vector<KeyState> states;
  // Only keys cooling for this model (per model, or for every model).
  std::string model;
  // Substring of the secret.
  std::string search;
  int limit = 100;
  int offset = 0;
  // Order before pagination; ties are broken by id (ascending).
  enum class Sort { kId, kState, kFailures, kLastUsed, kCoolingUntil };
  Sort sort = Sort::kId;
  bool descending = false;
};

struct KeyPage {
  // In KeyFilter::sort order (by id by default).
  std::vector<KeyInfo> keys;
  // Keys matching the filter before pagination.
  int total = 0;
};

// What changed in the pool since the last TakeChanges.
struct KeyChanges {
  // Keys added or changed, each once, in its current state.
  std::vector<KeyInfo> changed;
  // Ids of keys removed.
  std::vector<int64_t> removed;
};

struct PoolCounts {
  int total = 0;
  int active = 0;
  int cooling = 0;
  int failing = 0;
  int disabled = 0;
  int paused = 0;
  // Active or failing keys cooling for at least one model.
  int cooling_some_model = 0;
};

class KeyPool {
 public:
  KeyPool(KeyPoolOptions options, const Clock& clock, DailyQuotaReset daily_reset = DailyQuotaReset::Load());
  KeyPool(const KeyPool&) = delete;
  KeyPool& operator=(const KeyPool&) = delete;
  ~KeyPool();

  // Inserts keys with their stored state (ids assigned by persistence).
  // For each key, whether it was inserted: false when its id or secret is
  // already in the pool. Cooldowns already over are dropped. Fails without
  // inserting anything when a key has no id (<= 0) or an empty secret.
  absl::StatusOr<std::vector<bool>> Add(const std::vector<KeyInfo>& keys);

  // Makes room for `keys` keys in all, for a pool about to be filled in
  // several Add calls (a replica receiving a snapshot page by page): its
  // arrays are then sized once instead of grown by doubling.
  void Reserve(size_t keys);

  // Inserts keys, or replaces the state of keys already in the pool (by id,
  // or by secret), each keeping its place in the rotation: how a gateway's
  // replica of the pool applies the broker's updates. Fails without changing
  // anything when a key has no id or an empty secret.
  absl::Status Upsert(const std::vector<KeyInfo>& keys);

  // The next usable key for `model` ("" for calls that are not model
  // specific), never one of `exclude_key_ids`.
  AcquireResult Acquire(absl::string_view model, absl::Span<const int64_t> exclude_key_ids = {});

  // Key `key_id` and no other, for `model` (a call that must go out on the
  // key that owns an uploaded file). Usable: that key (a hand-out, as
  // Acquire). Cooling for `model` or for every model: unavailable with the
  // time it frees up. Disabled or paused: unavailable, retry_at_ms 0, the
  // reason saying so and what to do. Not in the pool: unavailable,
  // retry_at_ms 0.
  AcquireResult AcquirePinned(int64_t key_id, absl::string_view model);

  // Applies the outcome of an attempt with key `key_id` for `model`; returns
  // the key's state afterwards, and sets `*previous` (when not null) to its
  // state before. NotFound for an unknown key (it may have been removed
  // since it was handed out).
  absl::StatusOr<KeyState> Report(int64_t key_id, absl::string_view model, const Outcome& outcome,
                                  KeyState* previous = nullptr);

  // Applies the answer to a verification probe of key `key_id` (a minimal
  // request for `model`, sent by re-validation or an admin's verify), which
  // may bring a disabled or failing key back:
  //   kSuccess: the key works: failures and disablement are cleared and it
  //     rejoins (ACTIVE, or COOLING while a cooldown for every model is
  //     still in force).
  //   kRateLimited: the key works but is rate-limited: it rejoins as for
  //     kSuccess, then cools down as Report does for a 429.
  //   kKeyInvalid: disabled with the new reason, as Report does.
  //   Anything else (5xx, timeouts, connection and client errors): no change;
  //     a probe that could not get through says nothing new about the key.
  // A paused key stays paused (the answer applies to the state underneath).
  // Returns the key's state afterwards; NotFound for an unknown key.
  absl::StatusOr<KeyState> ApplyProbe(int64_t key_id, absl::string_view model, const Outcome& outcome);

  // The ids a selection names, sorted. NotFound naming every unknown id;
  // InvalidArgument when the selection is empty.
  absl::StatusOr<std::vector<int64_t>> Resolve(const KeySelection& selection) const;

  // Admin actions; each returns the number of keys it changed. They validate
  // the selection first (see Resolve) and change nothing when it fails.
  // Pause: never handed out until resumed. Resume: paused keys come back with
  // the failures and cooldowns still in force. Reset: failures, cooldowns,
  // disablement and pause are cleared; keys become ACTIVE.
  absl::StatusOr<int> Pause(const KeySelection& selection);
  absl::StatusOr<int> Resume(const KeySelection& selection);
  absl::StatusOr<int> Reset(const KeySelection& selection);
  // Removes keys by id (unknown ids ignored); returns how many were removed.
  int Remove(absl::Span<const int64_t> ids);

  // Keys matching `filter`, in its order, paginated.
  KeyPage List(const KeyFilter& filter);
  PoolCounts Summary();
  // For each model some key is cooling for now, how many keys are, sorted
  // by model (the metrics' keys cooling per model).
  std::vector<std::pair<std::string, int>> CoolingByModel();
  // The snapshot of one key, if present (its cooldowns that are over ended).
  std::optional<KeyInfo> Get(int64_t key_id);
  // The id of the key with this secret, if present.
  std::optional<int64_t> FindBySecret(absl::string_view secret) const;
  size_t size() const;
  // Whether key `key_id` is in the pool.
  bool Contains(int64_t key_id) const;
  // The pool these keys belong to.
  Pool pool() const { return options_.pool; }

  // Snapshots of up to `max` keys in rotation order, from position `*cursor`
  // on (0 to begin), advancing `*cursor` past them; empty once every key was
  // listed. For sending the whole pool in pages without a copy of all of it
  // at once (the key broker's WatchKeys snapshot). A key added, changed or
  // removed between two calls may be missed or listed as it was: follow the
  // pages with the changes TakeChanges reports from before the first call.
  std::vector<KeyInfo> ListPage(size_t* cursor, size_t max);

  // Why MAX_FAILURES disabled a key (its KeyInfo::state_reason).
  static constexpr absl::string_view kMaxFailuresReason = "MAX_FAILURES";
  // Ids of the keys MAX_FAILURES disabled (not paused ones), sorted: the keys
  // the key broker probes again soon, since repeated transient failures are
  // as often the upstream's fault as the key's (recovery_schedule.h). O(1)
  // while no key is disabled, a scan of the pool otherwise.
  std::vector<int64_t> DisabledForFailures() const;

  // MAX_FAILURES while the pool runs (the admin UI changes it without a
  // restart; values below 1 count as 1). It applies from the next failure:
  // a key already failing with that many failures or more is disabled by its
  // next one, not at once.
  void SetMaxFailures(int max_failures);
  int max_failures() const;

  // Snapshots of up to `max` keys changed since they were last taken, each
  // once, in no particular order. State changes always count; a hand-out
  // counts when the stored last-used time is a minute or more old.
  std::vector<KeyInfo> TakeDirty(size_t max = std::numeric_limits<size_t>::max());
  // Keys added, changed (any state change, not a hand-out) or removed since
  // the previous call, up to `max` of them: what the key broker streams to
  // gateways' replicas. Independent of TakeDirty.
  KeyChanges TakeChanges(size_t max = std::numeric_limits<size_t>::max());
  // Keys waiting in the dirty list (an upper bound: removed keys count until
  // the next TakeDirty).
  size_t dirty_count() const;
  // Forgets the changes TakeChanges would report, e.g. the start-up load,
  // which nobody watches yet (a watcher starts from a snapshot).
  void ClearChanges();

 private:
  struct Key;
  struct KeyTimes;
  struct Trouble;
  struct ModelIndex;
  // Hashes and compares the entries of secret_slots_ (slots) by the secret
  // of the key in the slot, and secrets looked up by their text.
  struct SlotSecretHash {
    using is_transparent = void;
    const std::vector<Key>* slots;
    size_t operator()(uint32_t slot) const;
    size_t operator()(absl::string_view secret) const;
  };
  struct SlotSecretEq {
    using is_transparent = void;
    const std::vector<Key>* slots;
    bool operator()(uint32_t a, uint32_t b) const;
    bool operator()(uint32_t slot, absl::string_view secret) const;
    bool operator()(absl::string_view secret, uint32_t slot) const;
  };
  static constexpr uint32_t kNoSlot = ~uint32_t{0};
  struct Expiry {
    int64_t until_ms;
    int64_t key_id;
    bool operator>(const Expiry& other) const { return until_ms > other.until_ms; }
  };
  using ExpiryHeap = std::priority_queue<Expiry, std::vector<Expiry>, std::greater<Expiry>>;
  struct UnavailableCache {
    uint64_t version = 0;
    int64_t retry_at_ms = 0;
  };

  // The slot of key `id`, or IndexBitset::kNone.
  size_t SlotOf(int64_t id) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The slot `key` (an element of slots_) is in.
  size_t SlotOf(const Key& key) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The slot of the key with this secret, or IndexBitset::kNone.
  size_t SlotOfSecret(absl::string_view secret) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void IndexId(int64_t id, size_t slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UnindexId(int64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Key* FindKey(int64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const Key* FindKey(int64_t id) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  KeyInfo Snapshot(const Key& key) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The times of `key` (zeros unless options_.record_times), and the ones to
  // change (null unless options_.record_times).
  KeyTimes TimesOf(const Key& key) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  KeyTimes* MutableTimesOf(const Key& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records a hand-out of `key` at `now_ms` (marks it dirty when the stored
  // last-used time is stale).
  void MarkUsed(Key& key, int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static KeyState Effective(const Key& key);
  // Moves `key` to `health`/`paused`, keeping counters and bitsets in step.
  void SetState(Key& key, KeyState health, bool paused) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MarkChanged(Key& key, int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MarkDirty(Key& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MarkWatched(Key& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static absl::Status ValidateNewKeys(const std::vector<KeyInfo>& keys);
  // Inserts one key with its stored state; false when its id or secret is
  // already in the pool.
  bool InsertLocked(const KeyInfo& info, int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Removes one key; false when it is not in the pool.
  bool RemoveLocked(int64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  ModelIndex& GetOrCreateModel(const std::string& model) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetModelCooldown(Key& key, const std::string& model, int64_t until_ms, std::string reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ClearModelCooldowns(Key& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetGlobalCooling(Key& key, int64_t until_ms, std::string reason) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Lazily ends cooldowns that are over.
  void ExpireGlobal(int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ExpireModel(const std::string& model, int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends every cooldown that is over and drops failures that left the
  // window (FAILING keys with none left become ACTIVE). O(n), admin paths.
  void Refresh(int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PruneFailures(Key& key, int64_t now_ms) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t RateLimitUntil(Key& key, const Outcome& outcome, int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // What Report does to `key` for `outcome`.
  absl::Status ApplyOutcome(Key& key, absl::string_view model, const Outcome& outcome, int64_t now_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  size_t NextSlot(const IndexBitset& usable, absl::Span<const int64_t> exclude) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  AcquireResult Unavailable(absl::string_view model, absl::Span<const int64_t> exclude, int64_t now_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t EarliestUsable(absl::string_view model, int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::vector<int64_t>> ResolveLocked(const KeySelection& selection) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  template <typename Action>
  absl::StatusOr<int> ForSelection(const KeySelection& selection, Action action);

  const KeyPoolOptions options_;
  const Clock& clock_;
  const DailyQuotaReset daily_reset_;

  mutable Mutex mu_;
  // options_.max_failures until SetMaxFailures.
  int max_failures_ ABSL_GUARDED_BY(mu_);
  // Keys by slot, stored contiguously so the rotation walks memory in order;
  // a slot's position is its place in the rotation. Removed keys leave an
  // empty slot that the next Add reuses.
  std::vector<Key> slots_ ABSL_GUARDED_BY(mu_);
  // Each slot's times, by slot (empty unless options_.record_times).
  std::vector<KeyTimes> times_ ABSL_GUARDED_BY(mu_);
  std::vector<size_t> free_slots_ ABSL_GUARDED_BY(mu_);
  // Slot of each key id: by position for ids up to a few times the pool size
  // (kNoSlot: none), in the hash map beyond.
  std::vector<uint32_t> dense_slots_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<int64_t, uint32_t> sparse_slots_ ABSL_GUARDED_BY(mu_);
  size_t key_count_ ABSL_GUARDED_BY(mu_) = 0;
  // The slots of all keys, found by secret: each secret is stored once, in
  // its key (4 bytes an entry here instead of a copy of the secret).
  absl::flat_hash_set<uint32_t, SlotSecretHash, SlotSecretEq> secret_slots_ ABSL_GUARDED_BY(mu_);
  // Slots of keys that are ACTIVE or FAILING (usable unless cooling for the
  // requested model).
  IndexBitset servable_ ABSL_GUARDED_BY(mu_);
  // Per model that has keys cooling for it: the servable keys not cooling for
  // it, and the cooldown expiries. Dropped when no key cools for the model.
  absl::flat_hash_map<std::string, std::unique_ptr<ModelIndex>> models_ ABSL_GUARDED_BY(mu_);
  // Expiries of keys cooling for every model.
  ExpiryHeap cooling_expiries_ ABSL_GUARDED_BY(mu_);
  // Where the rotation continues.
  size_t cursor_ ABSL_GUARDED_BY(mu_) = 0;
  // Keys per effective state, indexed by KeyState.
  int state_counts_[5] ABSL_GUARDED_BY(mu_) = {0, 0, 0, 0, 0};
  // Ids of keys changed since TakeDirty last took them (each once: Key::dirty
  // says whether it is listed).
  std::vector<int64_t> dirty_ids_ ABSL_GUARDED_BY(mu_);
  // Ids of keys added, changed or removed since TakeChanges last took them
  // (a present key once: Key::watched says whether it is listed).
  std::vector<int64_t> watched_ids_ ABSL_GUARDED_BY(mu_);
  // Bumped on every state change; keys the "no key available" cache.
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 1;
  absl::flat_hash_map<std::string, UnavailableCache> unavailable_cache_ ABSL_GUARDED_BY(mu_);
  absl::BitGen bitgen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::keypool
