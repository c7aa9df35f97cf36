#include "gempool/keypool/key_pool.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/common/secrets.h"
#include "gempool/common/status_macros.h"
#include "gempool/keypool/compact_string.h"

namespace gempool::keypool {
namespace {

constexpr size_t kNone = IndexBitset::kNone;
// Upstream messages are kept for admins, not archived: bound their size.
constexpr size_t kMaxErrorChars = 2048;
// A hand-out alone writes the key's last-used time at most this often, so
// persistence writes follow state changes, not traffic.
constexpr int64_t kLastUsedSaveIntervalMs = 60 * 1000;
// Distinct models remembered by the "no key available" cache.
constexpr size_t kMaxCachedModels = 256;

int Index(KeyState state) { return static_cast<int>(state); }

bool IsServable(KeyState state) { return state == KeyState::kActive || state == KeyState::kFailing; }

std::string Plural(int64_t n, absl::string_view noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

// "12 s", "5 min", "7 h 3 min": how long until a key frees up.
std::string FormatDelay(int64_t ms) {
  const int64_t seconds = (std::max<int64_t>(ms, 0) + 999) / 1000;
  if (seconds < 120) return absl::StrCat(seconds, " s");
  const int64_t minutes = (seconds + 59) / 60;
  if (minutes < 120) return absl::StrCat(minutes, " min");
  return absl::StrCat(minutes / 60, " h ", minutes % 60, " min");
}

bool IsExcluded(int64_t id, absl::Span<const int64_t> exclude) {
  return std::find(exclude.begin(), exclude.end(), id) != exclude.end();
}

}  // namespace

// What only a key that has had trouble has: allocated when a key first gets
// some, so a healthy key costs no more than its Key.
struct KeyPool::Trouble {
  // Times of transient failures, ascending, within the window (frozen while
  // the key is disabled, to show what disabled it).
  std::vector<int64_t> failure_times;
  // The reason of the last transient failure, the state reason while FAILING.
  std::string failure_reason;
  std::string state_reason;
  std::string last_error;
  // Until when the key cools for every model (0: it does not). Kept while
  // the key is disabled: the cooldown still holds if a probe revives it.
  int64_t cooling_until_ms = 0;
  absl::flat_hash_map<std::string, ModelCooldown> cooldowns;
  // 429s without a success since: the backoff exponent.
  int rate_limit_streak = 0;

  bool empty() const {
    return failure_times.empty() && failure_reason.empty() && state_reason.empty() && last_error.empty() &&
           cooling_until_ms == 0 && cooldowns.empty() && rate_limit_streak == 0;
  }
};

// One slot of the pool, 56 bytes. Kept small: the rotation walks these in
// order, and 100,000 of them are the bulk of the pool's memory.
struct KeyPool::Key {
  // 0 while the slot is free (keys have ids > 0).
  int64_t id = 0;
  // Null while the key has had no trouble (see Trouble).
  std::unique_ptr<Trouble> trouble;
  CompactString secret;
  // last_used_at_ms as of the last snapshot TakeDirty took, in whole seconds
  // (it only throttles how often a hand-out alone marks the key dirty).
  uint32_t last_used_saved_s = 0;
  // ACTIVE, COOLING, FAILING or DISABLED, as a KeyState; pausing is a
  // separate flag so a paused key keeps its health for when it is resumed.
  uint8_t health_value = static_cast<uint8_t>(KeyState::kActive);
  bool paused = false;
  // Whether the key is in dirty_ids_ (changed since last taken).
  bool dirty = false;
  // Whether the key is in watched_ids_ (changed since TakeChanges took it).
  bool watched = false;

  bool occupied() const { return id != 0; }
  KeyState health() const { return static_cast<KeyState>(health_value); }
  void set_health(KeyState state) { health_value = static_cast<uint8_t>(state); }
  void set_last_used_saved(int64_t ms) {
    last_used_saved_s = static_cast<uint32_t>(std::clamp<int64_t>(ms / 1000, 0, UINT32_MAX));
  }
  // Whether a hand-out at `now_ms` is worth saving (the stored last-used
  // time is a minute or more old; up to a second early).
  bool last_used_stale(int64_t now_ms) const {
    return now_ms - static_cast<int64_t>(last_used_saved_s) * 1000 >= kLastUsedSaveIntervalMs;
  }

  // The trouble fields to read (empty ones for a key without trouble).
  const Trouble& seen() const {
    static const Trouble* const kNone = new Trouble();
    return trouble != nullptr ? *trouble : *kNone;
  }
  // The trouble fields to change, allocated on first use.
  Trouble& edit() {
    if (trouble == nullptr) trouble = std::make_unique<Trouble>();
    return *trouble;
  }
  // Drops the trouble fields once none is set any more.
  void Tidy() {
    if (trouble != nullptr && trouble->empty()) trouble.reset();
  }
  bool has_failures() const { return trouble != nullptr && !trouble->failure_times.empty(); }
  int64_t cooling_until_ms() const { return trouble != nullptr ? trouble->cooling_until_ms : 0; }
  bool has_cooldowns() const { return trouble != nullptr && !trouble->cooldowns.empty(); }
  bool cooling_for(absl::string_view model) const {
    return trouble != nullptr && trouble->cooldowns.contains(model);
  }
  void clear_state_reason() {
    if (trouble != nullptr) trouble->state_reason.clear();
  }
};

// When a key was created, last changed and last handed out; beside the slots
// rather than in them, so that a pool without times (a gateway's replica)
// does not pay for them.
struct KeyPool::KeyTimes {
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  int64_t last_used_at_ms = 0;
};

struct KeyPool::ModelIndex {
  // Servable keys that are not cooling for this model.
  IndexBitset usable;
  ExpiryHeap expiries;
  // Keys with a cooldown entry for this model.
  int cooling = 0;
};

size_t KeyPool::SlotSecretHash::operator()(uint32_t slot) const {
  CompactString::Buffer buffer;
  return absl::Hash<absl::string_view>()((*slots)[slot].secret.view(buffer));
}

size_t KeyPool::SlotSecretHash::operator()(absl::string_view secret) const {
  return absl::Hash<absl::string_view>()(secret);
}

bool KeyPool::SlotSecretEq::operator()(uint32_t a, uint32_t b) const {
  if (a == b) return true;
  CompactString::Buffer buffer_a, buffer_b;
  return (*slots)[a].secret.view(buffer_a) == (*slots)[b].secret.view(buffer_b);
}

bool KeyPool::SlotSecretEq::operator()(uint32_t slot, absl::string_view secret) const {
  CompactString::Buffer buffer;
  return (*slots)[slot].secret.view(buffer) == secret;
}

bool KeyPool::SlotSecretEq::operator()(absl::string_view secret, uint32_t slot) const {
  CompactString::Buffer buffer;
  return (*slots)[slot].secret.view(buffer) == secret;
}

KeyPool::KeyPool(KeyPoolOptions options, const Clock& clock, DailyQuotaReset daily_reset)
    : options_(options),
      clock_(clock),
      daily_reset_(daily_reset),
      max_failures_(std::max(options.max_failures, 1)),
      secret_slots_(0, SlotSecretHash{&slots_}, SlotSecretEq{&slots_}) {
  // docs/benchmarks.md counts on this for the idle memory of 100,000 keys.
  static_assert(sizeof(Key) <= 56, "keep KeyPool::Key small: it is most of the pool's memory");
}

KeyPool::~KeyPool() = default;

KeyState KeyPool::Effective(const Key& key) { return key.paused ? KeyState::kPaused : key.health(); }

KeyPool::Key* KeyPool::FindKey(int64_t id) {
  const size_t slot = SlotOf(id);
  return slot == kNone ? nullptr : &slots_[slot];
}

const KeyPool::Key* KeyPool::FindKey(int64_t id) const {
  const size_t slot = SlotOf(id);
  return slot == kNone ? nullptr : &slots_[slot];
}

size_t KeyPool::SlotOf(int64_t id) const {
  if (id >= 0 && static_cast<uint64_t>(id) < dense_slots_.size()) {
    const uint32_t slot = dense_slots_[static_cast<size_t>(id)];
    return slot == kNoSlot ? kNone : slot;
  }
  auto it = sparse_slots_.find(id);
  return it == sparse_slots_.end() ? kNone : it->second;
}

size_t KeyPool::SlotOf(const Key& key) const { return static_cast<size_t>(&key - slots_.data()); }

KeyPool::KeyTimes KeyPool::TimesOf(const Key& key) const {
  return options_.record_times ? times_[SlotOf(key)] : KeyTimes();
}

KeyPool::KeyTimes* KeyPool::MutableTimesOf(const Key& key) {
  return options_.record_times ? &times_[SlotOf(key)] : nullptr;
}

void KeyPool::MarkUsed(Key& key, int64_t now_ms) {
  KeyTimes* times = MutableTimesOf(key);
  if (times == nullptr) return;
  times->last_used_at_ms = std::max(times->last_used_at_ms, now_ms);
  if (key.last_used_stale(now_ms)) MarkDirty(key);
}

size_t KeyPool::SlotOfSecret(absl::string_view secret) const {
  auto it = secret_slots_.find(secret);
  return it == secret_slots_.end() ? kNone : *it;
}

void KeyPool::IndexId(int64_t id, size_t slot) {
  // Persistence hands out ids in sequence, so they are mostly dense: index
  // them by position (no hashing, and the rotation walks the index in
  // order). Ids far beyond the pool size go to the hash map.
  const uint64_t dense_limit = 4 * static_cast<uint64_t>(key_count_) + 65536;
  if (id >= 0 && static_cast<uint64_t>(id) < dense_limit) {
    if (static_cast<uint64_t>(id) >= dense_slots_.size()) {
      dense_slots_.resize(std::max<size_t>(static_cast<size_t>(id) + 1, dense_slots_.size() * 2), kNoSlot);
      // Ids the dense range now covers move over, so each id lives in one place.
      for (auto it = sparse_slots_.begin(); it != sparse_slots_.end();) {
        if (it->first >= 0 && static_cast<uint64_t>(it->first) < dense_slots_.size()) {
          dense_slots_[static_cast<size_t>(it->first)] = it->second;
          sparse_slots_.erase(it++);
        } else {
          ++it;
        }
      }
    }
    dense_slots_[static_cast<size_t>(id)] = static_cast<uint32_t>(slot);
  } else {
    sparse_slots_[id] = static_cast<uint32_t>(slot);
  }
  ++key_count_;
}

void KeyPool::UnindexId(int64_t id) {
  if (id >= 0 && static_cast<uint64_t>(id) < dense_slots_.size()) {
    dense_slots_[static_cast<size_t>(id)] = kNoSlot;
  } else {
    sparse_slots_.erase(id);
  }
  --key_count_;
}

void KeyPool::SetState(Key& key, KeyState health, bool paused) {
  const KeyState before = Effective(key);
  key.set_health(health);
  key.paused = paused;
  const KeyState after = Effective(key);
  if (before == after) return;
  --state_counts_[Index(before)];
  ++state_counts_[Index(after)];
  const bool servable = IsServable(after);
  if (IsServable(before) == servable) return;
  const size_t slot = SlotOf(key);
  servable_.Assign(slot, servable);
  for (auto& [model, index] : models_) {
    index->usable.Assign(slot, servable && !key.cooling_for(model));
  }
}

void KeyPool::MarkChanged(Key& key, int64_t now_ms) {
  if (KeyTimes* times = MutableTimesOf(key)) times->updated_at_ms = now_ms;
  MarkDirty(key);
  MarkWatched(key);
  ++version_;
}

void KeyPool::MarkWatched(Key& key) {
  if (key.watched || !options_.record_changes) return;
  key.watched = true;
  watched_ids_.push_back(key.id);
}

void KeyPool::MarkDirty(Key& key) {
  if (key.dirty || !options_.record_changes) return;
  key.dirty = true;
  dirty_ids_.push_back(key.id);
}

KeyPool::ModelIndex& KeyPool::GetOrCreateModel(const std::string& model) {
  std::unique_ptr<ModelIndex>& index = models_[model];
  if (index == nullptr) {
    index = std::make_unique<ModelIndex>();
    index->usable = servable_;  // No key cools for a new model yet.
  }
  return *index;
}

void KeyPool::SetModelCooldown(Key& key, const std::string& model, int64_t until_ms, std::string reason) {
  ModelIndex& index = GetOrCreateModel(model);
  auto [it, inserted] = key.edit().cooldowns.try_emplace(model);
  if (inserted) {
    it->second.model = model;
    ++index.cooling;
    index.usable.Clear(SlotOf(key));
  }
  it->second.until_ms = std::max(it->second.until_ms, until_ms);
  it->second.reason = std::move(reason);
  index.expiries.push({it->second.until_ms, key.id});
}

void KeyPool::ClearModelCooldowns(Key& key) {
  if (!key.has_cooldowns()) return;
  const bool servable = IsServable(Effective(key));
  for (const auto& [model, cooldown] : key.trouble->cooldowns) {
    auto it = models_.find(model);
    if (it == models_.end()) continue;
    if (--it->second->cooling == 0) {
      models_.erase(it);
    } else {
      it->second->usable.Assign(SlotOf(key), servable);
    }
  }
  key.trouble->cooldowns.clear();
}

void KeyPool::SetGlobalCooling(Key& key, int64_t until_ms, std::string reason) {
  if (key.health() == KeyState::kDisabled) return;  // Dead keys do not cool.
  Trouble& trouble = key.edit();
  trouble.cooling_until_ms = std::max(trouble.cooling_until_ms, until_ms);
  cooling_expiries_.push({trouble.cooling_until_ms, key.id});
  trouble.state_reason = std::move(reason);
  if (key.health() != KeyState::kCooling) SetState(key, KeyState::kCooling, key.paused);
}

void KeyPool::PruneFailures(Key& key, int64_t now_ms) const {
  if (!key.has_failures()) return;
  std::vector<int64_t>& times = key.trouble->failure_times;
  const int64_t cutoff = now_ms - options_.failure_window_ms;
  times.erase(times.begin(), std::upper_bound(times.begin(), times.end(), cutoff));
}

void KeyPool::ExpireGlobal(int64_t now_ms) {
  while (!cooling_expiries_.empty() && cooling_expiries_.top().until_ms <= now_ms) {
    const Expiry expiry = cooling_expiries_.top();
    cooling_expiries_.pop();
    Key* key = FindKey(expiry.key_id);
    // Stale entries: key removed, reset, or its cooldown extended since.
    if (key == nullptr || key->cooling_until_ms() == 0 || key->cooling_until_ms() > now_ms) continue;
    key->trouble->cooling_until_ms = 0;
    if (key->health() == KeyState::kCooling) {
      PruneFailures(*key, now_ms);
      const bool failing = key->has_failures();
      if (key->trouble != nullptr) key->trouble->state_reason = failing ? key->trouble->failure_reason : "";
      SetState(*key, failing ? KeyState::kFailing : KeyState::kActive, key->paused);
      key->Tidy();
    }
    MarkChanged(*key, now_ms);
  }
}

void KeyPool::ExpireModel(const std::string& model, int64_t now_ms) {
  auto it = models_.find(model);
  if (it == models_.end()) return;
  ModelIndex& index = *it->second;
  while (!index.expiries.empty() && index.expiries.top().until_ms <= now_ms) {
    const Expiry expiry = index.expiries.top();
    index.expiries.pop();
    Key* key = FindKey(expiry.key_id);
    if (key == nullptr || !key->has_cooldowns()) continue;
    auto& cooldowns = key->trouble->cooldowns;
    auto cooldown = cooldowns.find(model);
    if (cooldown == cooldowns.end() || cooldown->second.until_ms > now_ms) continue;
    cooldowns.erase(cooldown);
    key->Tidy();
    --index.cooling;
    if (IsServable(Effective(*key))) index.usable.Set(SlotOf(*key));
    MarkChanged(*key, now_ms);
  }
  if (index.cooling == 0) models_.erase(it);
}

void KeyPool::Refresh(int64_t now_ms) {
  ExpireGlobal(now_ms);
  std::vector<std::string> models;
  models.reserve(models_.size());
  for (const auto& [model, index] : models_) models.push_back(model);
  for (const std::string& model : models) ExpireModel(model, now_ms);
  for (Key& key : slots_) {
    if (!key.occupied() || key.health() == KeyState::kDisabled || !key.has_failures()) continue;
    PruneFailures(key, now_ms);
    if (key.health() == KeyState::kFailing && !key.has_failures()) {
      key.clear_state_reason();
      SetState(key, KeyState::kActive, key.paused);
      key.Tidy();
      MarkChanged(key, now_ms);
    }
  }
}

absl::Status KeyPool::ValidateNewKeys(const std::vector<KeyInfo>& keys) {
  for (const KeyInfo& info : keys) {
    if (info.id <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("key ", MaskKey(info.secret), " has no id (", info.id,
                       "): keys must be stored through the persistence service first"));
    }
    if (info.secret.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("key id ", info.id, " has an empty secret"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<bool>> KeyPool::Add(const std::vector<KeyInfo>& keys) {
  GEMPOOL_RETURN_IF_ERROR(ValidateNewKeys(keys));
  MutexLock lock(&mu_);
  const int64_t now = clock_.NowUnixMs();
  // A pool loaded in one call gets exactly the room it needs (no unused
  // capacity, which could hold pages left dirty by the load); later calls
  // grow it by doubling.
  const size_t needed = key_count_ + keys.size();
  if (needed > slots_.capacity()) {
    slots_.reserve(std::max(needed, 2 * slots_.capacity()));
    if (options_.record_times) times_.reserve(slots_.capacity());
  }
  secret_slots_.reserve(needed);
  std::vector<bool> inserted;
  inserted.reserve(keys.size());
  for (const KeyInfo& info : keys) inserted.push_back(InsertLocked(info, now));
  return inserted;
}

void KeyPool::Reserve(size_t keys) {
  MutexLock lock(&mu_);
  if (keys > slots_.capacity()) {
    slots_.reserve(keys);
    if (options_.record_times) times_.reserve(keys);
  }
  secret_slots_.reserve(keys);
}

absl::Status KeyPool::Upsert(const std::vector<KeyInfo>& keys) {
  GEMPOOL_RETURN_IF_ERROR(ValidateNewKeys(keys));
  MutexLock lock(&mu_);
  const int64_t now = clock_.NowUnixMs();
  for (const KeyInfo& info : keys) {
    // The same slot comes back (free_slots_ is a stack), so the key keeps its
    // place in the rotation.
    RemoveLocked(info.id);
    if (const size_t slot = SlotOfSecret(info.secret); slot != kNone) RemoveLocked(slots_[slot].id);
    InsertLocked(info, now);
  }
  return absl::OkStatus();
}

bool KeyPool::InsertLocked(const KeyInfo& info, int64_t now) {
  if (SlotOf(info.id) != kNone || SlotOfSecret(info.secret) != kNone) return false;
  if (slots_.size() >= kNoSlot && free_slots_.empty()) return false;  // 4 billion keys.
  size_t slot;
  if (free_slots_.empty()) {
    slot = slots_.size();
    slots_.emplace_back();
    if (options_.record_times) times_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  Key& added = slots_[slot];
  added.id = info.id;
  added.secret.assign(info.secret);
  if (!info.state_reason.empty()) added.edit().state_reason = info.state_reason;
  if (!info.last_error.empty()) added.edit().last_error = info.last_error;
  const int64_t updated_at_ms = info.updated_at_ms > 0 ? info.updated_at_ms : now;
  if (KeyTimes* times = MutableTimesOf(added)) {
    times->created_at_ms = info.created_at_ms > 0 ? info.created_at_ms : now;
    times->updated_at_ms = updated_at_ms;
    times->last_used_at_ms = info.last_used_at_ms;
  }
  added.set_last_used_saved(info.last_used_at_ms);
  // The stored count stands for failures at the last state change.
  const int failures = std::clamp(info.failure_count, 0, max_failures_);
  if (failures > 0) added.edit().failure_times.assign(failures, std::min(updated_at_ms, now));
  // A paused key's own state is the one underneath the pause.
  const KeyState stored = info.state == KeyState::kPaused ? info.underlying_state : info.state;
  if (stored == KeyState::kFailing && !info.state_reason.empty()) added.edit().failure_reason = info.state_reason;

  KeyState health;
  if (stored == KeyState::kDisabled) {
    health = KeyState::kDisabled;
  } else if (info.cooling_until_ms > now) {
    health = KeyState::kCooling;
    added.edit().cooling_until_ms = info.cooling_until_ms;
    cooling_expiries_.push({info.cooling_until_ms, added.id});
  } else {
    PruneFailures(added, now);
    health = added.has_failures() ? KeyState::kFailing : KeyState::kActive;
    if (health == KeyState::kActive && info.state != KeyState::kPaused) added.clear_state_reason();
  }
  added.set_health(health);
  added.paused = info.state == KeyState::kPaused;
  added.Tidy();

  IndexId(added.id, slot);
  secret_slots_.insert(static_cast<uint32_t>(slot));
  const KeyState effective = Effective(added);
  ++state_counts_[Index(effective)];
  if (IsServable(effective)) {
    servable_.Set(slot);
    for (auto& [model, index] : models_) index->usable.Set(slot);
  } else {
    servable_.Clear(slot);
    for (auto& [model, index] : models_) index->usable.Clear(slot);
  }
  for (const ModelCooldown& cooldown : info.model_cooldowns) {
    if (cooldown.until_ms > now && !cooldown.model.empty()) {
      SetModelCooldown(added, cooldown.model, cooldown.until_ms, cooldown.reason);
    }
  }
  // Persist what restoring changed (a cooldown that ended while stopped).
  if (effective != info.state || added.seen().cooldowns.size() != info.model_cooldowns.size()) {
    MarkDirty(added);
  }
  ++version_;
  MarkWatched(added);
  return true;
}

size_t KeyPool::NextSlot(const IndexBitset& usable, absl::Span<const int64_t> exclude) const {
  if (usable.count() == 0) return kNone;
  const size_t start = cursor_;
  size_t pos = start;
  bool wrapped = false;
  while (true) {
    const size_t slot = usable.FindNext(pos);
    if (wrapped && (slot == kNone || slot >= start)) return kNone;
    if (slot == kNone) {
      wrapped = true;
      pos = 0;
      continue;
    }
    if (exclude.empty() || !IsExcluded(slots_[slot].id, exclude)) return slot;
    pos = slot + 1;
  }
}

AcquireResult KeyPool::Acquire(absl::string_view model, absl::Span<const int64_t> exclude_key_ids) {
  MutexLock lock(&mu_);
  const int64_t now = clock_.NowUnixMs();
  ExpireGlobal(now);
  const IndexBitset* usable = &servable_;
  if (!model.empty()) {
    const std::string model_name(model);
    ExpireModel(model_name, now);
    auto it = models_.find(model_name);
    if (it != models_.end()) usable = &it->second->usable;
  }
  const size_t slot = NextSlot(*usable, exclude_key_ids);
  if (slot == kNone) return Unavailable(model, exclude_key_ids, now);
  Key& key = slots_[slot];
  cursor_ = slot + 1;
  MarkUsed(key, now);
  AcquireResult result;
  result.available = true;
  result.key_id = key.id;
  CompactString::Buffer buffer;
  const absl::string_view secret = key.secret.view(buffer);
  result.secret.assign(secret.data(), secret.size());
  return result;
}

AcquireResult KeyPool::AcquirePinned(int64_t key_id, absl::string_view model) {
  MutexLock lock(&mu_);
  const int64_t now = clock_.NowUnixMs();
  AcquireResult result;
  Key* key = FindKey(key_id);
  if (key == nullptr) {
    result.unavailable_reason = absl::StrCat("key ", key_id, " is no longer in the ", PoolName(options_.pool),
                                             " pool (an admin removed it)");
    return result;
  }
  ExpireGlobal(now);
  const std::string model_name(model);
  if (!model.empty()) ExpireModel(model_name, now);
  // ExpireGlobal and ExpireModel do not move keys: `key` is still valid.
  if (key->paused) {
    result.unavailable_reason =
        absl::StrCat("key ", key_id, " is paused by an admin: resume it with `gempoolctl keys resume ", key_id,
                     "` or the admin UI");
    return result;
  }
  const Trouble& seen = key->seen();
  if (key->health() == KeyState::kDisabled) {
    result.unavailable_reason = absl::StrCat(
        "key ", key_id, " is disabled", seen.state_reason.empty() ? "" : absl::StrCat(" (", seen.state_reason, ")"),
        ": see why with `gempoolctl keys list --state disabled`, and reset it with `gempoolctl keys reset ", key_id,
        "` if it works again");
    return result;
  }
  int64_t until = key->health() == KeyState::kCooling ? key->cooling_until_ms() : 0;
  if (!model.empty()) {
    auto it = seen.cooldowns.find(model_name);
    if (it != seen.cooldowns.end()) until = std::max(until, it->second.until_ms);
  }
  if (until > now) {
    result.retry_at_ms = until;
    result.unavailable_reason = absl::StrCat("key ", key_id, " is cooling",
                                             model.empty() ? "" : absl::StrCat(" for ", model), "; it frees up in ",
                                             FormatDelay(until - now));
    return result;
  }
  MarkUsed(*key, now);
  result.available = true;
  result.key_id = key->id;
  CompactString::Buffer buffer;
  const absl::string_view secret = key->secret.view(buffer);
  result.secret.assign(secret.data(), secret.size());
  return result;
}

int64_t KeyPool::EarliestUsable(absl::string_view model, int64_t now_ms) {
  if (unavailable_cache_.size() >= kMaxCachedModels) unavailable_cache_.clear();
  UnavailableCache& cache = unavailable_cache_[std::string(model)];
  if (cache.version == version_ && (cache.retry_at_ms == 0 || cache.retry_at_ms > now_ms)) {
    return cache.retry_at_ms;
  }
  // O(n), but only when nothing is usable, and cached until the pool changes.
  int64_t earliest = 0;
  for (const Key& key : slots_) {
    if (!key.occupied() || key.paused || key.health() == KeyState::kDisabled) continue;
    int64_t at = now_ms;
    if (key.health() == KeyState::kCooling) at = std::max(at, key.cooling_until_ms());
    if (!model.empty() && key.has_cooldowns()) {
      auto it = key.trouble->cooldowns.find(model);
      if (it != key.trouble->cooldowns.end()) at = std::max(at, it->second.until_ms);
    }
    if (at > now_ms && (earliest == 0 || at < earliest)) earliest = at;
  }
  cache.version = version_;
  cache.retry_at_ms = earliest;
  return earliest;
}

AcquireResult KeyPool::Unavailable(absl::string_view model, absl::Span<const int64_t> exclude,
                                   int64_t now_ms) {
  AcquireResult result;
  const int total = static_cast<int>(key_count_);
  if (total == 0) {
    result.unavailable_reason =
        options_.pool == Pool::kVertex
            ? "the pool has no keys: add keys with VERTEX_API_KEYS, gempoolctl keys add --pool vertex, or the admin "
              "UI (the Vertex switch on the keys page)"
            : "the pool has no keys: add keys with API_KEYS, gempoolctl keys add, or the admin UI";
    return result;
  }
  const int paused = state_counts_[Index(KeyState::kPaused)];
  const int disabled = state_counts_[Index(KeyState::kDisabled)];
  const int cooling_all = state_counts_[Index(KeyState::kCooling)];
  const int servable = static_cast<int>(servable_.count());
  int usable_now = servable;
  if (!model.empty()) {
    auto it = models_.find(model);
    if (it != models_.end()) usable_now = static_cast<int>(it->second->usable.count());
  }
  const int cooling_model = servable - usable_now;
  // Nothing usable was found, so every usable key was excluded.
  const int tried = exclude.empty() ? 0 : usable_now;
  result.retry_at_ms = EarliestUsable(model, now_ms);

  const std::string for_model = model.empty() ? "" : absl::StrCat(" for ", model);
  const std::string when = result.retry_at_ms > 0 ? absl::StrCat("; the first frees up in ",
                                                                 FormatDelay(result.retry_at_ms - now_ms))
                                                  : "";
  const std::string all = total == 1 ? "the only key is" : absl::StrCat("all ", total, " keys are");
  if (paused == total) {
    result.unavailable_reason =
        absl::StrCat(all, " paused by an admin: resume keys with `gempoolctl keys resume` or the admin UI");
  } else if (disabled == total) {
    result.unavailable_reason =
        absl::StrCat(all,
                     " disabled (invalid, suspended or failing): see why with `gempoolctl keys list --state "
                     "disabled`, then reset them with `gempoolctl keys reset` or add new keys");
  } else if (cooling_all + cooling_model == total) {
    result.unavailable_reason = absl::StrCat(all, " cooling", for_model, when);
  } else {
    std::vector<std::string> parts;
    if (cooling_model > 0) parts.push_back(absl::StrCat(cooling_model, " cooling", for_model));
    if (cooling_all > 0) parts.push_back(absl::StrCat(cooling_all, " cooling for every model"));
    if (disabled > 0) parts.push_back(absl::StrCat(disabled, " disabled"));
    if (paused > 0) parts.push_back(absl::StrCat(paused, " paused by an admin"));
    if (tried > 0) parts.push_back(absl::StrCat(tried, " already tried for this request"));
    result.unavailable_reason = absl::StrCat("no key is available", for_model, ": of ", Plural(total, "key"),
                                             ", ", absl::StrJoin(parts, ", "), when);
    if (result.retry_at_ms == 0 && tried == 0) {
      absl::StrAppend(&result.unavailable_reason,
                      "; none will become usable by itself: resume or reset keys with gempoolctl, "
                      "or add keys");
    }
  }
  return result;
}

int64_t KeyPool::RateLimitUntil(Key& key, const Outcome& outcome, int64_t now_ms) {
  if (absl::StrContains(outcome.quota_id, "PerDay")) return daily_reset_.NextResetMs(now_ms);
  if (outcome.retry_delay_ms > 0) {
    return now_ms + std::min(outcome.retry_delay_ms, options_.max_retry_delay_ms);
  }
  int64_t delay = std::max<int64_t>(options_.rate_limit_backoff_base_ms, 1);
  const int streak = key.seen().rate_limit_streak;
  for (int i = 0; i < streak && delay < options_.rate_limit_backoff_max_ms; ++i) {
    delay *= 2;
  }
  delay = std::min(delay, std::max(options_.rate_limit_backoff_max_ms, options_.rate_limit_backoff_base_ms));
  if (options_.rate_limit_jitter > 0) {
    const auto spread = static_cast<int64_t>(static_cast<double>(delay) * options_.rate_limit_jitter);
    delay += absl::Uniform<int64_t>(absl::IntervalClosed, bitgen_, 0, spread);
  }
  return now_ms + delay;
}

absl::StatusOr<KeyState> KeyPool::Report(int64_t key_id, absl::string_view model, const Outcome& outcome,
                                         KeyState* previous) {
  MutexLock lock(&mu_);
  Key* key = FindKey(key_id);
  if (key == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no key with id ", key_id, " in the pool (it may have been removed)"));
  }
  if (previous != nullptr) *previous = Effective(*key);
  const int64_t now = clock_.NowUnixMs();
  // Gateways with a replica of the pool hand keys out themselves, so an
  // outcome is the broker's news that the key was used.
  MarkUsed(*key, now);
  GEMPOOL_RETURN_IF_ERROR(ApplyOutcome(*key, model, outcome, now));
  return Effective(*key);
}

absl::StatusOr<KeyState> KeyPool::ApplyProbe(int64_t key_id, absl::string_view model, const Outcome& outcome) {
  MutexLock lock(&mu_);
  Key* key = FindKey(key_id);
  if (key == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no key with id ", key_id, " in the pool (it may have been removed)"));
  }
  const int64_t now = clock_.NowUnixMs();
  switch (outcome.kind) {
    case OutcomeKind::kSuccess:
    case OutcomeKind::kRateLimited: {
      // The key works: whatever disabled it or counted against it is over.
      bool changed = key->has_failures() || key->seen().rate_limit_streak != 0;
      if (key->trouble != nullptr) {
        key->trouble->failure_times.clear();
        key->trouble->failure_reason.clear();
        key->trouble->rate_limit_streak = 0;
      }
      if (key->health() == KeyState::kDisabled || key->health() == KeyState::kFailing) {
        changed = true;
        key->clear_state_reason();
        KeyState health = KeyState::kActive;
        if (key->cooling_until_ms() > now) {
          // A cooldown from before it was disabled is still in force.
          health = KeyState::kCooling;
          cooling_expiries_.push({key->cooling_until_ms(), key->id});
        }
        SetState(*key, health, key->paused);
      }
      key->Tidy();
      if (changed) MarkChanged(*key, now);
      if (outcome.kind == OutcomeKind::kRateLimited) {
        GEMPOOL_RETURN_IF_ERROR(ApplyOutcome(*key, model, outcome, now));
      }
      break;
    }
    case OutcomeKind::kKeyInvalid:
      GEMPOOL_RETURN_IF_ERROR(ApplyOutcome(*key, model, outcome, now));
      break;
    default:
      break;
  }
  return Effective(*key);
}

absl::Status KeyPool::ApplyOutcome(Key& key, absl::string_view model, const Outcome& outcome, int64_t now) {
  auto redacted = [&](absl::string_view fallback) {
    if (outcome.message.empty()) return std::string(fallback);
    std::string text = RedactSecrets(outcome.message, {key.secret.str()});
    if (text.size() > kMaxErrorChars) text.resize(kMaxErrorChars);
    return text;
  };
  switch (outcome.kind) {
    case OutcomeKind::kSuccess: {
      // The common case: no failures, no streak (a FAILING key has failures).
      if (key.trouble == nullptr) break;
      Trouble& trouble = *key.trouble;
      bool changed = !trouble.failure_times.empty() || trouble.rate_limit_streak != 0;
      trouble.failure_times.clear();
      trouble.rate_limit_streak = 0;
      if (key.health() == KeyState::kFailing) {
        trouble.state_reason.clear();
        SetState(key, KeyState::kActive, key.paused);
        changed = true;
      }
      key.Tidy();
      if (changed) MarkChanged(key, now);
      break;
    }
    case OutcomeKind::kRateLimited: {
      const int64_t until = RateLimitUntil(key, outcome, now);
      std::string reason = outcome.error_reason.empty() ? "RESOURCE_EXHAUSTED" : outcome.error_reason;
      if (!outcome.quota_id.empty()) absl::StrAppend(&reason, " ", outcome.quota_id);
      key.edit().last_error = redacted(reason);
      // Google's quotas are per model (quota ids say "PerModel"); a quota that
      // names no model, or a 429 without a model, cools the key for all.
      const bool per_model =
          !model.empty() && (outcome.quota_id.empty() || absl::StrContains(outcome.quota_id, "PerModel"));
      if (per_model) {
        SetModelCooldown(key, std::string(model), until, std::move(reason));
      } else {
        SetGlobalCooling(key, until, std::move(reason));
      }
      ++key.edit().rate_limit_streak;
      MarkChanged(key, now);
      break;
    }
    case OutcomeKind::kKeyInvalid: {
      std::string reason = outcome.error_reason;
      if (reason.empty()) {
        reason = outcome.http_status > 0 ? absl::StrCat("HTTP_", outcome.http_status) : "KEY_INVALID";
      }
      key.edit().last_error = redacted(reason);
      key.edit().state_reason = std::move(reason);
      SetState(key, KeyState::kDisabled, key.paused);
      MarkChanged(key, now);
      break;
    }
    case OutcomeKind::kServerError:
    case OutcomeKind::kTimeout:
    case OutcomeKind::kConnectionError: {
      std::string fallback = outcome.http_status > 0 ? absl::StrCat("HTTP ", outcome.http_status)
                                                     : std::string(OutcomeKindName(outcome.kind));
      Trouble& trouble = key.edit();
      trouble.last_error = redacted(fallback);
      if (key.health() != KeyState::kDisabled) {
        PruneFailures(key, now);
        trouble.failure_times.push_back(now);
        trouble.failure_reason =
            outcome.error_reason.empty() ? OutcomeKindName(outcome.kind) : outcome.error_reason;
        if (static_cast<int>(trouble.failure_times.size()) >= max_failures_) {
          trouble.state_reason = std::string(kMaxFailuresReason);
          SetState(key, KeyState::kDisabled, key.paused);
        } else if (key.health() != KeyState::kCooling) {
          // A cooling key stays cooling; its failures count when it returns.
          trouble.state_reason = trouble.failure_reason;
          SetState(key, KeyState::kFailing, key.paused);
        }
      }
      MarkChanged(key, now);
      break;
    }
    case OutcomeKind::kClientError:
      break;  // The client's fault: never counts against the key.
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown outcome kind ", static_cast<int>(outcome.kind)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> KeyPool::Resolve(const KeySelection& selection) const {
  MutexLock lock(&mu_);
  return ResolveLocked(selection);
}

absl::StatusOr<std::vector<int64_t>> KeyPool::ResolveLocked(const KeySelection& selection) const {
  std::vector<int64_t> ids;
  if (selection.all) {
    ids.reserve(key_count_);
    for (const Key& key : slots_) {
      if (key.occupied()) ids.push_back(key.id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  if (selection.ids.empty()) {
    return absl::InvalidArgumentError("no keys selected: give key ids, or select all keys");
  }
  ids = selection.ids;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<int64_t> unknown;
  for (int64_t id : ids) {
    if (SlotOf(id) == kNone) unknown.push_back(id);
  }
  if (!unknown.empty()) {
    return absl::NotFoundError(absl::StrCat(unknown.size() == 1 ? "no key with id " : "no keys with ids ",
                                            absl::StrJoin(unknown, ", "),
                                            " in the pool: see the ids with `gempoolctl keys list`"));
  }
  return ids;
}

template <typename Action>
absl::StatusOr<int> KeyPool::ForSelection(const KeySelection& selection, Action action) {
  // Resolve and act under one lock so a concurrent Remove cannot slip in.
  MutexLock lock(&mu_);
  absl::StatusOr<std::vector<int64_t>> ids = ResolveLocked(selection);
  if (!ids.ok()) return ids.status();
  const int64_t now = clock_.NowUnixMs();
  int affected = 0;
  for (int64_t id : *ids) {
    Key* key = FindKey(id);
    if (key != nullptr && action(*key, now)) {
      MarkChanged(*key, now);
      ++affected;
    }
  }
  return affected;
}

absl::StatusOr<int> KeyPool::Pause(const KeySelection& selection) {
  return ForSelection(selection, [this](Key& key, int64_t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (key.paused) return false;
    SetState(key, key.health(), true);
    return true;
  });
}

absl::StatusOr<int> KeyPool::Resume(const KeySelection& selection) {
  return ForSelection(selection, [this](Key& key, int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!key.paused) return false;
    KeyState health = key.health();
    if (health == KeyState::kFailing) {
      PruneFailures(key, now);
      if (!key.has_failures()) {
        health = KeyState::kActive;
        key.clear_state_reason();
      }
    }
    SetState(key, health, false);
    key.Tidy();
    return true;
  });
}

absl::StatusOr<int> KeyPool::Reset(const KeySelection& selection) {
  return ForSelection(selection, [this](Key& key, int64_t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const Trouble& seen = key.seen();
    const bool clean = !key.paused && key.health() == KeyState::kActive && seen.failure_times.empty() &&
                       seen.cooldowns.empty() && seen.cooling_until_ms == 0 && seen.state_reason.empty() &&
                       seen.rate_limit_streak == 0;
    if (clean) return false;
    ClearModelCooldowns(key);
    if (key.trouble != nullptr) {
      key.trouble->failure_times.clear();
      key.trouble->failure_reason.clear();
      key.trouble->rate_limit_streak = 0;
      key.trouble->state_reason.clear();
      key.trouble->cooling_until_ms = 0;  // Its heap entry is now stale and skipped.
    }
    SetState(key, KeyState::kActive, false);
    key.Tidy();  // The last error stays, for admins.
    return true;
  });
}

int KeyPool::Remove(absl::Span<const int64_t> ids) {
  MutexLock lock(&mu_);
  int removed = 0;
  for (int64_t id : ids) removed += RemoveLocked(id) ? 1 : 0;
  return removed;
}

bool KeyPool::RemoveLocked(int64_t id) {
  Key* key = FindKey(id);
  if (key == nullptr) return false;
  ClearModelCooldowns(*key);
  --state_counts_[Index(Effective(*key))];
  const size_t slot = SlotOf(*key);
  servable_.Clear(slot);
  for (auto& [model, index] : models_) index->usable.Clear(slot);
  secret_slots_.erase(static_cast<uint32_t>(slot));
  UnindexId(id);
  // The id may linger in dirty_ids_ (TakeDirty skips it); in watched_ids_ it
  // stands for the removal.
  slots_[slot] = Key();
  free_slots_.push_back(slot);
  if (options_.record_changes) watched_ids_.push_back(id);
  ++version_;
  return true;
}

KeyInfo KeyPool::Snapshot(const Key& key) const {
  KeyInfo info;
  info.id = key.id;
  info.secret = key.secret.str();
  info.state = Effective(key);
  const Trouble& seen = key.seen();
  info.failure_count = static_cast<int>(seen.failure_times.size());
  info.state_reason = seen.state_reason;
  info.last_error = seen.last_error;
  info.cooling_until_ms = seen.cooling_until_ms;
  info.model_cooldowns.reserve(seen.cooldowns.size());
  for (const auto& [model, cooldown] : seen.cooldowns) info.model_cooldowns.push_back(cooldown);
  std::sort(info.model_cooldowns.begin(), info.model_cooldowns.end(),
            [](const ModelCooldown& a, const ModelCooldown& b) { return a.model < b.model; });
  const KeyTimes times = TimesOf(key);
  info.created_at_ms = times.created_at_ms;
  info.updated_at_ms = times.updated_at_ms;
  info.last_used_at_ms = times.last_used_at_ms;
  if (key.paused) info.underlying_state = key.health();
  info.pool = options_.pool;
  return info;
}

KeyPage KeyPool::List(const KeyFilter& filter) {
  MutexLock lock(&mu_);
  Refresh(clock_.NowUnixMs());
  auto wants = [&filter](KeyState state) {
    return std::find(filter.states.begin(), filter.states.end(), state) != filter.states.end();
  };
  std::vector<const Key*> matches;
  for (const Key& slot : slots_) {
    if (!slot.occupied()) continue;
    const Key* key = &slot;
    const KeyState state = Effective(*key);
    if (!filter.states.empty() && !wants(state) &&
        !(wants(KeyState::kCooling) && IsServable(state) && key->has_cooldowns())) {
      continue;
    }
    if (!filter.model.empty() && key->health() != KeyState::kCooling && !key->cooling_for(filter.model)) {
      continue;
    }
    CompactString::Buffer buffer;
    if (!filter.search.empty() && !absl::StrContains(key->secret.view(buffer), filter.search)) continue;
    matches.push_back(key);
  }
  // The sort key of a key for filter.sort; ties are broken by id.
  auto rank = [this, &filter](const Key& key) ABSL_NO_THREAD_SAFETY_ANALYSIS -> int64_t {
    switch (filter.sort) {
      case KeyFilter::Sort::kId:
        return key.id;
      case KeyFilter::Sort::kState:
        return static_cast<int64_t>(Effective(key));
      case KeyFilter::Sort::kFailures:
        return static_cast<int64_t>(key.seen().failure_times.size());
      case KeyFilter::Sort::kLastUsed:
        return TimesOf(key).last_used_at_ms;
      case KeyFilter::Sort::kCoolingUntil: {
        int64_t until = key.cooling_until_ms();
        for (const auto& [model, cooldown] : key.seen().cooldowns) until = std::max(until, cooldown.until_ms);
        return until;
      }
    }
    return 0;
  };
  std::vector<std::pair<int64_t, const Key*>> ranked;
  ranked.reserve(matches.size());
  for (const Key* key : matches) ranked.emplace_back(rank(*key), key);
  const bool descending = filter.descending;
  std::sort(ranked.begin(), ranked.end(), [descending](const auto& a, const auto& b) {
    if (a.first != b.first) return descending ? a.first > b.first : a.first < b.first;
    return a.second->id < b.second->id;
  });
  for (size_t i = 0; i < ranked.size(); ++i) matches[i] = ranked[i].second;
  KeyPage page;
  page.total = static_cast<int>(matches.size());
  const size_t begin = std::min<size_t>(std::max(filter.offset, 0), matches.size());
  const size_t end = std::min<size_t>(begin + std::max(filter.limit, 0), matches.size());
  for (size_t i = begin; i < end; ++i) page.keys.push_back(Snapshot(*matches[i]));
  return page;
}

PoolCounts KeyPool::Summary() {
  MutexLock lock(&mu_);
  Refresh(clock_.NowUnixMs());
  PoolCounts counts;
  counts.total = static_cast<int>(key_count_);
  counts.active = state_counts_[Index(KeyState::kActive)];
  counts.cooling = state_counts_[Index(KeyState::kCooling)];
  counts.failing = state_counts_[Index(KeyState::kFailing)];
  counts.disabled = state_counts_[Index(KeyState::kDisabled)];
  counts.paused = state_counts_[Index(KeyState::kPaused)];
  for (const Key& key : slots_) {
    if (key.occupied() && IsServable(Effective(key)) && key.has_cooldowns()) {
      ++counts.cooling_some_model;
    }
  }
  return counts;
}

std::vector<std::pair<std::string, int>> KeyPool::CoolingByModel() {
  MutexLock lock(&mu_);
  const int64_t now = clock_.NowUnixMs();
  std::vector<std::string> models;
  models.reserve(models_.size());
  for (const auto& [model, index] : models_) models.push_back(model);
  for (const std::string& model : models) ExpireModel(model, now);
  std::vector<std::pair<std::string, int>> cooling;
  for (const auto& [model, index] : models_) {
    if (index->cooling > 0) cooling.emplace_back(model, index->cooling);
  }
  std::sort(cooling.begin(), cooling.end());
  return cooling;
}

std::optional<KeyInfo> KeyPool::Get(int64_t key_id) {
  MutexLock lock(&mu_);
  const int64_t now = clock_.NowUnixMs();
  ExpireGlobal(now);
  Key* key = FindKey(key_id);
  if (key == nullptr) return std::nullopt;
  std::vector<std::string> models;
  for (const auto& [model, cooldown] : key->seen().cooldowns) models.push_back(model);
  for (const std::string& model : models) ExpireModel(model, now);
  // ExpireModel does not move keys: `key` still points at the same slot.
  return Snapshot(*key);
}

std::optional<int64_t> KeyPool::FindBySecret(absl::string_view secret) const {
  MutexLock lock(&mu_);
  const size_t slot = SlotOfSecret(secret);
  if (slot == kNone) return std::nullopt;
  return slots_[slot].id;
}

size_t KeyPool::size() const {
  MutexLock lock(&mu_);
  return key_count_;
}

bool KeyPool::Contains(int64_t key_id) const {
  MutexLock lock(&mu_);
  return SlotOf(key_id) != kNone;
}

std::vector<int64_t> KeyPool::DisabledForFailures() const {
  MutexLock lock(&mu_);
  std::vector<int64_t> ids;
  if (state_counts_[Index(KeyState::kDisabled)] == 0) return ids;
  for (const Key& key : slots_) {
    if (key.occupied() && !key.paused && key.health() == KeyState::kDisabled &&
        key.seen().state_reason == kMaxFailuresReason) {
      ids.push_back(key.id);
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

void KeyPool::SetMaxFailures(int max_failures) {
  MutexLock lock(&mu_);
  max_failures_ = std::max(max_failures, 1);
}

int KeyPool::max_failures() const {
  MutexLock lock(&mu_);
  return max_failures_;
}

std::vector<KeyInfo> KeyPool::TakeDirty(size_t max) {
  MutexLock lock(&mu_);
  std::vector<KeyInfo> out;
  out.reserve(std::min(max, dirty_ids_.size()));
  while (!dirty_ids_.empty() && out.size() < max) {
    const int64_t id = dirty_ids_.back();
    dirty_ids_.pop_back();
    Key* key = FindKey(id);
    if (key == nullptr || !key->dirty) continue;  // Removed since.
    key->dirty = false;
    key->set_last_used_saved(TimesOf(*key).last_used_at_ms);
    out.push_back(Snapshot(*key));
  }
  return out;
}

KeyChanges KeyPool::TakeChanges(size_t max) {
  MutexLock lock(&mu_);
  KeyChanges changes;
  absl::flat_hash_set<int64_t> removed;
  const int64_t now = clock_.NowUnixMs();
  ExpireGlobal(now);
  while (!watched_ids_.empty() && changes.changed.size() + changes.removed.size() < max) {
    const int64_t id = watched_ids_.back();
    watched_ids_.pop_back();
    Key* key = FindKey(id);
    if (key == nullptr) {
      if (removed.insert(id).second) changes.removed.push_back(id);
      continue;
    }
    if (!key->watched) continue;  // Listed again after a removal and re-insert.
    key->watched = false;
    changes.changed.push_back(Snapshot(*key));
  }
  return changes;
}

size_t KeyPool::dirty_count() const {
  MutexLock lock(&mu_);
  return dirty_ids_.size();
}

void KeyPool::ClearChanges() {
  MutexLock lock(&mu_);
  for (int64_t id : watched_ids_) {
    if (Key* key = FindKey(id); key != nullptr) key->watched = false;
  }
  std::vector<int64_t>().swap(watched_ids_);  // Its memory too: it held every key after a load.
}

std::vector<KeyInfo> KeyPool::ListPage(size_t* cursor, size_t max) {
  MutexLock lock(&mu_);
  const int64_t now = clock_.NowUnixMs();
  // States as of now, as List shows them: the first page takes the O(n)
  // refresh, later ones only the cooldowns that ended since (O(1) when none).
  if (*cursor == 0) {
    Refresh(now);
  } else {
    ExpireGlobal(now);
    std::vector<std::string> models;
    models.reserve(models_.size());
    for (const auto& [model, index] : models_) models.push_back(model);
    for (const std::string& model : models) ExpireModel(model, now);
  }
  std::vector<KeyInfo> page;
  page.reserve(std::min(max, key_count_));
  size_t slot = *cursor;
  for (; slot < slots_.size() && page.size() < max; ++slot) {
    if (slots_[slot].occupied()) page.push_back(Snapshot(slots_[slot]));
  }
  *cursor = slot;
  return page;
}

}  // namespace gempool::keypool
