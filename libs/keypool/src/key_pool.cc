#include "gempool/keypool/key_pool.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/common/secrets.h"
#include "gempool/common/status_macros.h"

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

struct KeyPool::Key {
  int64_t id = 0;
  std::string secret;
  size_t slot = 0;
  // ACTIVE, COOLING, FAILING or DISABLED; pausing is a separate flag so a
  // paused key keeps its health for when it is resumed.
  KeyState health = KeyState::kActive;
  bool paused = false;
  // Times of transient failures, ascending, within the window (frozen while
  // the key is disabled, to show what disabled it).
  std::vector<int64_t> failure_times;
  // The reason of the last transient failure, the state reason while FAILING.
  std::string failure_reason;
  std::string state_reason;
  std::string last_error;
  int64_t cooling_until_ms = 0;
  absl::flat_hash_map<std::string, ModelCooldown> cooldowns;
  // 429s without a success since: the backoff exponent.
  int rate_limit_streak = 0;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  int64_t last_used_at_ms = 0;
  // Whether the slot holds a key.
  bool occupied = false;
  // Whether the key is in dirty_ids_ (changed since last taken).
  bool dirty = false;
  // last_used_at_ms as of the last snapshot TakeDirty took.
  int64_t last_used_saved_ms = 0;
  // Whether the key is in watched_ids_ (changed since TakeChanges took it).
  bool watched = false;
};

struct KeyPool::ModelIndex {
  // Servable keys that are not cooling for this model.
  IndexBitset usable;
  ExpiryHeap expiries;
  // Keys with a cooldown entry for this model.
  int cooling = 0;
};

KeyPool::KeyPool(KeyPoolOptions options, const Clock& clock, DailyQuotaReset daily_reset)
    : options_(options), clock_(clock), daily_reset_(daily_reset), max_failures_(std::max(options.max_failures, 1)) {}

KeyPool::~KeyPool() = default;

KeyState KeyPool::Effective(const Key& key) { return key.paused ? KeyState::kPaused : key.health; }

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
    const int64_t slot = dense_slots_[static_cast<size_t>(id)];
    return slot < 0 ? kNone : static_cast<size_t>(slot);
  }
  auto it = sparse_slots_.find(id);
  return it == sparse_slots_.end() ? kNone : it->second;
}

void KeyPool::IndexId(int64_t id, size_t slot) {
  // Persistence hands out ids in sequence, so they are mostly dense: index
  // them by position (no hashing, and the rotation walks the index in
  // order). Ids far beyond the pool size go to the hash map.
  const uint64_t dense_limit = 4 * static_cast<uint64_t>(key_count_) + 65536;
  if (id >= 0 && static_cast<uint64_t>(id) < dense_limit) {
    if (static_cast<uint64_t>(id) >= dense_slots_.size()) {
      dense_slots_.resize(std::max<size_t>(static_cast<size_t>(id) + 1, dense_slots_.size() * 2), -1);
      // Ids the dense range now covers move over, so each id lives in one place.
      for (auto it = sparse_slots_.begin(); it != sparse_slots_.end();) {
        if (it->first >= 0 && static_cast<uint64_t>(it->first) < dense_slots_.size()) {
          dense_slots_[static_cast<size_t>(it->first)] = static_cast<int64_t>(it->second);
          sparse_slots_.erase(it++);
        } else {
          ++it;
        }
      }
    }
    dense_slots_[static_cast<size_t>(id)] = static_cast<int64_t>(slot);
  } else {
    sparse_slots_[id] = slot;
  }
  ++key_count_;
}

void KeyPool::UnindexId(int64_t id) {
  if (id >= 0 && static_cast<uint64_t>(id) < dense_slots_.size()) {
    dense_slots_[static_cast<size_t>(id)] = -1;
  } else {
    sparse_slots_.erase(id);
  }
  --key_count_;
}

void KeyPool::SetState(Key& key, KeyState health, bool paused) {
  const KeyState before = Effective(key);
  key.health = health;
  key.paused = paused;
  const KeyState after = Effective(key);
  if (before == after) return;
  --state_counts_[Index(before)];
  ++state_counts_[Index(after)];
  const bool servable = IsServable(after);
  if (IsServable(before) == servable) return;
  servable_.Assign(key.slot, servable);
  for (auto& [model, index] : models_) {
    index->usable.Assign(key.slot, servable && !key.cooldowns.contains(model));
  }
}

void KeyPool::MarkChanged(Key& key, int64_t now_ms) {
  key.updated_at_ms = now_ms;
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
  auto [it, inserted] = key.cooldowns.try_emplace(model);
  if (inserted) {
    it->second.model = model;
    ++index.cooling;
    index.usable.Clear(key.slot);
  }
  it->second.until_ms = std::max(it->second.until_ms, until_ms);
  it->second.reason = std::move(reason);
  index.expiries.push({it->second.until_ms, key.id});
}

void KeyPool::ClearModelCooldowns(Key& key) {
  const bool servable = IsServable(Effective(key));
  for (const auto& [model, cooldown] : key.cooldowns) {
    auto it = models_.find(model);
    if (it == models_.end()) continue;
    if (--it->second->cooling == 0) {
      models_.erase(it);
    } else {
      it->second->usable.Assign(key.slot, servable);
    }
  }
  key.cooldowns.clear();
}

void KeyPool::SetGlobalCooling(Key& key, int64_t until_ms, std::string reason) {
  if (key.health == KeyState::kDisabled) return;  // Dead keys do not cool.
  key.cooling_until_ms = std::max(key.cooling_until_ms, until_ms);
  cooling_expiries_.push({key.cooling_until_ms, key.id});
  key.state_reason = std::move(reason);
  if (key.health != KeyState::kCooling) SetState(key, KeyState::kCooling, key.paused);
}

void KeyPool::PruneFailures(Key& key, int64_t now_ms) const {
  const int64_t cutoff = now_ms - options_.failure_window_ms;
  auto first_kept = std::upper_bound(key.failure_times.begin(), key.failure_times.end(), cutoff);
  key.failure_times.erase(key.failure_times.begin(), first_kept);
}

void KeyPool::ExpireGlobal(int64_t now_ms) {
  while (!cooling_expiries_.empty() && cooling_expiries_.top().until_ms <= now_ms) {
    const Expiry expiry = cooling_expiries_.top();
    cooling_expiries_.pop();
    Key* key = FindKey(expiry.key_id);
    // Stale entries: key removed, reset, or its cooldown extended since.
    if (key == nullptr || key->cooling_until_ms == 0 || key->cooling_until_ms > now_ms) continue;
    key->cooling_until_ms = 0;
    if (key->health == KeyState::kCooling) {
      PruneFailures(*key, now_ms);
      const bool failing = !key->failure_times.empty();
      key->state_reason = failing ? key->failure_reason : "";
      SetState(*key, failing ? KeyState::kFailing : KeyState::kActive, key->paused);
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
    if (key == nullptr) continue;
    auto cooldown = key->cooldowns.find(model);
    if (cooldown == key->cooldowns.end() || cooldown->second.until_ms > now_ms) continue;
    key->cooldowns.erase(cooldown);
    --index.cooling;
    if (IsServable(Effective(*key))) index.usable.Set(key->slot);
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
    if (!key.occupied || key.health == KeyState::kDisabled || key.failure_times.empty()) continue;
    PruneFailures(key, now_ms);
    if (key.health == KeyState::kFailing && key.failure_times.empty()) {
      key.state_reason.clear();
      SetState(key, KeyState::kActive, key.paused);
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
  absl::MutexLock lock(&mu_);
  const int64_t now = clock_.NowUnixMs();
  std::vector<bool> inserted;
  inserted.reserve(keys.size());
  for (const KeyInfo& info : keys) inserted.push_back(InsertLocked(info, now));
  return inserted;
}

absl::Status KeyPool::Upsert(const std::vector<KeyInfo>& keys) {
  GEMPOOL_RETURN_IF_ERROR(ValidateNewKeys(keys));
  absl::MutexLock lock(&mu_);
  const int64_t now = clock_.NowUnixMs();
  for (const KeyInfo& info : keys) {
    // The same slot comes back (free_slots_ is a stack), so the key keeps its
    // place in the rotation.
    RemoveLocked(info.id);
    if (auto it = id_of_secret_.find(info.secret); it != id_of_secret_.end()) RemoveLocked(it->second);
    InsertLocked(info, now);
  }
  return absl::OkStatus();
}

bool KeyPool::InsertLocked(const KeyInfo& info, int64_t now) {
  if (SlotOf(info.id) != kNone || id_of_secret_.contains(info.secret)) return false;
  size_t slot;
  if (free_slots_.empty()) {
    slot = slots_.size();
    slots_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  Key& added = slots_[slot];
  added.occupied = true;
  added.slot = slot;
  added.id = info.id;
  added.secret = info.secret;
  added.state_reason = info.state_reason;
  added.last_error = info.last_error;
  added.created_at_ms = info.created_at_ms > 0 ? info.created_at_ms : now;
  added.updated_at_ms = info.updated_at_ms > 0 ? info.updated_at_ms : now;
  added.last_used_at_ms = info.last_used_at_ms;
  added.last_used_saved_ms = info.last_used_at_ms;
  // The stored count stands for failures at the last state change.
  const int failures = std::clamp(info.failure_count, 0, max_failures_);
  added.failure_times.assign(failures, std::min(added.updated_at_ms, now));
  // A paused key's own state is the one underneath the pause.
  const KeyState stored = info.state == KeyState::kPaused ? info.underlying_state : info.state;
  if (stored == KeyState::kFailing) added.failure_reason = info.state_reason;

  KeyState health;
  if (stored == KeyState::kDisabled) {
    health = KeyState::kDisabled;
  } else if (info.cooling_until_ms > now) {
    health = KeyState::kCooling;
    added.cooling_until_ms = info.cooling_until_ms;
    cooling_expiries_.push({added.cooling_until_ms, added.id});
  } else {
    PruneFailures(added, now);
    health = added.failure_times.empty() ? KeyState::kActive : KeyState::kFailing;
    if (health == KeyState::kActive && info.state != KeyState::kPaused) added.state_reason.clear();
  }
  added.health = health;
  added.paused = info.state == KeyState::kPaused;

  IndexId(added.id, added.slot);
  id_of_secret_[added.secret] = added.id;
  const KeyState effective = Effective(added);
  ++state_counts_[Index(effective)];
  if (IsServable(effective)) {
    servable_.Set(added.slot);
    for (auto& [model, index] : models_) index->usable.Set(added.slot);
  } else {
    servable_.Clear(added.slot);
    for (auto& [model, index] : models_) index->usable.Clear(added.slot);
  }
  for (const ModelCooldown& cooldown : info.model_cooldowns) {
    if (cooldown.until_ms > now && !cooldown.model.empty()) {
      SetModelCooldown(added, cooldown.model, cooldown.until_ms, cooldown.reason);
    }
  }
  // Persist what restoring changed (a cooldown that ended while stopped).
  if (effective != info.state || added.cooldowns.size() != info.model_cooldowns.size()) {
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
  absl::MutexLock lock(&mu_);
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
  key.last_used_at_ms = now;
  if (now - key.last_used_saved_ms >= kLastUsedSaveIntervalMs) MarkDirty(key);
  AcquireResult result;
  result.available = true;
  result.key_id = key.id;
  result.secret = key.secret;
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
    if (!key.occupied || key.paused || key.health == KeyState::kDisabled) continue;
    int64_t at = now_ms;
    if (key.health == KeyState::kCooling) at = std::max(at, key.cooling_until_ms);
    if (!model.empty()) {
      auto it = key.cooldowns.find(model);
      if (it != key.cooldowns.end()) at = std::max(at, it->second.until_ms);
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
        "the pool has no keys: add keys with API_KEYS, gempoolctl keys add, or the admin UI";
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
  for (int i = 0; i < key.rate_limit_streak && delay < options_.rate_limit_backoff_max_ms; ++i) {
    delay *= 2;
  }
  delay = std::min(delay, std::max(options_.rate_limit_backoff_max_ms, options_.rate_limit_backoff_base_ms));
  if (options_.rate_limit_jitter > 0) {
    const auto spread = static_cast<int64_t>(static_cast<double>(delay) * options_.rate_limit_jitter);
    delay += absl::Uniform<int64_t>(absl::IntervalClosed, bitgen_, 0, spread);
  }
  return now_ms + delay;
}

absl::StatusOr<KeyState> KeyPool::Report(int64_t key_id, absl::string_view model, const Outcome& outcome) {
  absl::MutexLock lock(&mu_);
  Key* key = FindKey(key_id);
  if (key == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no key with id ", key_id, " in the pool (it may have been removed)"));
  }
  const int64_t now = clock_.NowUnixMs();
  // Gateways with a replica of the pool hand keys out themselves, so an
  // outcome is the broker's news that the key was used.
  if (now > key->last_used_at_ms) {
    key->last_used_at_ms = now;
    if (now - key->last_used_saved_ms >= kLastUsedSaveIntervalMs) MarkDirty(*key);
  }
  GEMPOOL_RETURN_IF_ERROR(ApplyOutcome(*key, model, outcome, now));
  return Effective(*key);
}

absl::StatusOr<KeyState> KeyPool::ApplyProbe(int64_t key_id, absl::string_view model, const Outcome& outcome) {
  absl::MutexLock lock(&mu_);
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
      bool changed = !key->failure_times.empty() || key->rate_limit_streak != 0;
      key->failure_times.clear();
      key->failure_reason.clear();
      key->rate_limit_streak = 0;
      if (key->health == KeyState::kDisabled || key->health == KeyState::kFailing) {
        changed = true;
        key->state_reason.clear();
        KeyState health = KeyState::kActive;
        if (key->cooling_until_ms > now) {
          // A cooldown from before it was disabled is still in force.
          health = KeyState::kCooling;
          cooling_expiries_.push({key->cooling_until_ms, key->id});
        }
        SetState(*key, health, key->paused);
      }
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
    std::string text = RedactSecrets(outcome.message, {key.secret});
    if (text.size() > kMaxErrorChars) text.resize(kMaxErrorChars);
    return text;
  };
  switch (outcome.kind) {
    case OutcomeKind::kSuccess: {
      bool changed = !key.failure_times.empty() || key.rate_limit_streak != 0;
      key.failure_times.clear();
      key.rate_limit_streak = 0;
      if (key.health == KeyState::kFailing) {
        key.state_reason.clear();
        SetState(key, KeyState::kActive, key.paused);
        changed = true;
      }
      if (changed) MarkChanged(key, now);
      break;
    }
    case OutcomeKind::kRateLimited: {
      const int64_t until = RateLimitUntil(key, outcome, now);
      std::string reason = outcome.error_reason.empty() ? "RESOURCE_EXHAUSTED" : outcome.error_reason;
      if (!outcome.quota_id.empty()) absl::StrAppend(&reason, " ", outcome.quota_id);
      key.last_error = redacted(reason);
      // Google's quotas are per model (quota ids say "PerModel"); a quota that
      // names no model, or a 429 without a model, cools the key for all.
      const bool per_model =
          !model.empty() && (outcome.quota_id.empty() || absl::StrContains(outcome.quota_id, "PerModel"));
      if (per_model) {
        SetModelCooldown(key, std::string(model), until, std::move(reason));
      } else {
        SetGlobalCooling(key, until, std::move(reason));
      }
      ++key.rate_limit_streak;
      MarkChanged(key, now);
      break;
    }
    case OutcomeKind::kKeyInvalid: {
      std::string reason = outcome.error_reason;
      if (reason.empty()) {
        reason = outcome.http_status > 0 ? absl::StrCat("HTTP_", outcome.http_status) : "KEY_INVALID";
      }
      key.last_error = redacted(reason);
      key.state_reason = std::move(reason);
      SetState(key, KeyState::kDisabled, key.paused);
      MarkChanged(key, now);
      break;
    }
    case OutcomeKind::kServerError:
    case OutcomeKind::kTimeout:
    case OutcomeKind::kConnectionError: {
      std::string fallback = outcome.http_status > 0 ? absl::StrCat("HTTP ", outcome.http_status)
                                                     : std::string(OutcomeKindName(outcome.kind));
      key.last_error = redacted(fallback);
      if (key.health != KeyState::kDisabled) {
        PruneFailures(key, now);
        key.failure_times.push_back(now);
        key.failure_reason =
            outcome.error_reason.empty() ? OutcomeKindName(outcome.kind) : outcome.error_reason;
        if (static_cast<int>(key.failure_times.size()) >= max_failures_) {
          key.state_reason = "MAX_FAILURES";
          SetState(key, KeyState::kDisabled, key.paused);
        } else if (key.health != KeyState::kCooling) {
          // A cooling key stays cooling; its failures count when it returns.
          key.state_reason = key.failure_reason;
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
  absl::MutexLock lock(&mu_);
  return ResolveLocked(selection);
}

absl::StatusOr<std::vector<int64_t>> KeyPool::ResolveLocked(const KeySelection& selection) const {
  std::vector<int64_t> ids;
  if (selection.all) {
    ids.reserve(key_count_);
    for (const Key& key : slots_) {
      if (key.occupied) ids.push_back(key.id);
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
  absl::MutexLock lock(&mu_);
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
    SetState(key, key.health, true);
    return true;
  });
}

absl::StatusOr<int> KeyPool::Resume(const KeySelection& selection) {
  return ForSelection(selection, [this](Key& key, int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!key.paused) return false;
    KeyState health = key.health;
    if (health == KeyState::kFailing) {
      PruneFailures(key, now);
      if (key.failure_times.empty()) {
        health = KeyState::kActive;
        key.state_reason.clear();
      }
    }
    SetState(key, health, false);
    return true;
  });
}

absl::StatusOr<int> KeyPool::Reset(const KeySelection& selection) {
  return ForSelection(selection, [this](Key& key, int64_t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const bool clean = !key.paused && key.health == KeyState::kActive && key.failure_times.empty() &&
                       key.cooldowns.empty() && key.cooling_until_ms == 0 && key.state_reason.empty() &&
                       key.rate_limit_streak == 0;
    if (clean) return false;
    key.failure_times.clear();
    key.failure_reason.clear();
    key.rate_limit_streak = 0;
    key.state_reason.clear();
    key.cooling_until_ms = 0;  // Its heap entry is now stale and skipped.
    ClearModelCooldowns(key);
    SetState(key, KeyState::kActive, false);
    return true;
  });
}

int KeyPool::Remove(absl::Span<const int64_t> ids) {
  absl::MutexLock lock(&mu_);
  int removed = 0;
  for (int64_t id : ids) removed += RemoveLocked(id) ? 1 : 0;
  return removed;
}

bool KeyPool::RemoveLocked(int64_t id) {
  Key* key = FindKey(id);
  if (key == nullptr) return false;
  ClearModelCooldowns(*key);
  --state_counts_[Index(Effective(*key))];
  servable_.Clear(key->slot);
  for (auto& [model, index] : models_) index->usable.Clear(key->slot);
  const size_t slot = key->slot;
  id_of_secret_.erase(key->secret);
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
  info.secret = key.secret;
  info.state = Effective(key);
  info.failure_count = static_cast<int>(key.failure_times.size());
  info.state_reason = key.state_reason;
  info.last_error = key.last_error;
  info.cooling_until_ms = key.cooling_until_ms;
  info.model_cooldowns.reserve(key.cooldowns.size());
  for (const auto& [model, cooldown] : key.cooldowns) info.model_cooldowns.push_back(cooldown);
  std::sort(info.model_cooldowns.begin(), info.model_cooldowns.end(),
            [](const ModelCooldown& a, const ModelCooldown& b) { return a.model < b.model; });
  info.created_at_ms = key.created_at_ms;
  info.updated_at_ms = key.updated_at_ms;
  info.last_used_at_ms = key.last_used_at_ms;
  if (key.paused) info.underlying_state = key.health;
  return info;
}

KeyPage KeyPool::List(const KeyFilter& filter) {
  absl::MutexLock lock(&mu_);
  Refresh(clock_.NowUnixMs());
  auto wants = [&filter](KeyState state) {
    return std::find(filter.states.begin(), filter.states.end(), state) != filter.states.end();
  };
  std::vector<const Key*> matches;
  for (const Key& slot : slots_) {
    if (!slot.occupied) continue;
    const Key* key = &slot;
    const KeyState state = Effective(*key);
    if (!filter.states.empty() && !wants(state) &&
        !(wants(KeyState::kCooling) && IsServable(state) && !key->cooldowns.empty())) {
      continue;
    }
    if (!filter.model.empty() && key->health != KeyState::kCooling &&
        !key->cooldowns.contains(filter.model)) {
      continue;
    }
    if (!filter.search.empty() && !absl::StrContains(key->secret, filter.search)) continue;
    matches.push_back(key);
  }
  // The sort key of a key for filter.sort; ties are broken by id.
  auto rank = [&filter](const Key& key) -> int64_t {
    switch (filter.sort) {
      case KeyFilter::Sort::kId:
        return key.id;
      case KeyFilter::Sort::kState:
        return static_cast<int64_t>(Effective(key));
      case KeyFilter::Sort::kFailures:
        return static_cast<int64_t>(key.failure_times.size());
      case KeyFilter::Sort::kLastUsed:
        return key.last_used_at_ms;
      case KeyFilter::Sort::kCoolingUntil: {
        int64_t until = key.cooling_until_ms;
        for (const auto& [model, cooldown] : key.cooldowns) until = std::max(until, cooldown.until_ms);
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
  absl::MutexLock lock(&mu_);
  Refresh(clock_.NowUnixMs());
  PoolCounts counts;
  counts.total = static_cast<int>(key_count_);
  counts.active = state_counts_[Index(KeyState::kActive)];
  counts.cooling = state_counts_[Index(KeyState::kCooling)];
  counts.failing = state_counts_[Index(KeyState::kFailing)];
  counts.disabled = state_counts_[Index(KeyState::kDisabled)];
  counts.paused = state_counts_[Index(KeyState::kPaused)];
  for (const Key& key : slots_) {
    if (key.occupied && IsServable(Effective(key)) && !key.cooldowns.empty()) {
      ++counts.cooling_some_model;
    }
  }
  return counts;
}

std::optional<KeyInfo> KeyPool::Get(int64_t key_id) {
  absl::MutexLock lock(&mu_);
  const int64_t now = clock_.NowUnixMs();
  ExpireGlobal(now);
  Key* key = FindKey(key_id);
  if (key == nullptr) return std::nullopt;
  std::vector<std::string> models;
  for (const auto& [model, cooldown] : key->cooldowns) models.push_back(model);
  for (const std::string& model : models) ExpireModel(model, now);
  return Snapshot(*key);
}

std::optional<int64_t> KeyPool::FindBySecret(absl::string_view secret) const {
  absl::MutexLock lock(&mu_);
  auto it = id_of_secret_.find(secret);
  if (it == id_of_secret_.end()) return std::nullopt;
  return it->second;
}

size_t KeyPool::size() const {
  absl::MutexLock lock(&mu_);
  return key_count_;
}

void KeyPool::SetMaxFailures(int max_failures) {
  absl::MutexLock lock(&mu_);
  max_failures_ = std::max(max_failures, 1);
}

int KeyPool::max_failures() const {
  absl::MutexLock lock(&mu_);
  return max_failures_;
}

std::vector<KeyInfo> KeyPool::TakeDirty(size_t max) {
  absl::MutexLock lock(&mu_);
  std::vector<KeyInfo> out;
  out.reserve(std::min(max, dirty_ids_.size()));
  while (!dirty_ids_.empty() && out.size() < max) {
    const int64_t id = dirty_ids_.back();
    dirty_ids_.pop_back();
    Key* key = FindKey(id);
    if (key == nullptr || !key->dirty) continue;  // Removed since.
    key->dirty = false;
    key->last_used_saved_ms = key->last_used_at_ms;
    out.push_back(Snapshot(*key));
  }
  return out;
}

KeyChanges KeyPool::TakeChanges(size_t max) {
  absl::MutexLock lock(&mu_);
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
  absl::MutexLock lock(&mu_);
  return dirty_ids_.size();
}

}  // namespace gempool::keypool
