#include "gempool/keypool/recovery_schedule.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "gempool/common/backoff.h"

namespace gempool::keypool {
namespace {

RecoveryScheduleOptions Sanitized(RecoveryScheduleOptions options) {
  options.first_delay_ms = std::max<int64_t>(options.first_delay_ms, 1);
  options.max_delay_ms = std::max(options.max_delay_ms, options.first_delay_ms);
  if (!(options.jitter >= 0.0 && options.jitter < 1.0)) options.jitter = 0.0;  // NaN too.
  return options;
}

}  // namespace

RecoverySchedule::RecoverySchedule(RecoveryScheduleOptions options) : options_(Sanitized(options)) {}

int64_t RecoverySchedule::Jittered(int64_t delay_ms) { return JitteredDelay(delay_ms, options_.jitter, bitgen_); }

void RecoverySchedule::Track(absl::Span<const int64_t> disabled_ids, int64_t now_ms) {
  const absl::flat_hash_set<int64_t> listed(disabled_ids.begin(), disabled_ids.end());
  absl::erase_if(keys_, [&listed](const auto& entry) { return !listed.contains(entry.first); });
  for (int64_t id : disabled_ids) {
    if (keys_.contains(id)) continue;
    const int64_t delay = options_.first_delay_ms;
    keys_.emplace(id, Entry{now_ms + Jittered(delay), delay});
  }
}

std::vector<int64_t> RecoverySchedule::Due(int64_t now_ms) const {
  std::vector<std::pair<int64_t, int64_t>> due;  // (due_ms, id)
  for (const auto& [id, entry] : keys_) {
    if (entry.due_ms <= now_ms) due.emplace_back(entry.due_ms, id);
  }
  std::sort(due.begin(), due.end());
  std::vector<int64_t> ids;
  ids.reserve(due.size());
  for (const auto& [due_ms, id] : due) ids.push_back(id);
  return ids;
}

void RecoverySchedule::Retry(int64_t id, int64_t now_ms) {
  auto it = keys_.find(id);
  if (it == keys_.end()) return;
  Entry& entry = it->second;
  entry.delay_ms = DoubledDelay(entry.delay_ms, options_.max_delay_ms);
  entry.due_ms = now_ms + Jittered(entry.delay_ms);
}

std::optional<int64_t> RecoverySchedule::NextDueMs() const {
  std::optional<int64_t> next;
  for (const auto& [id, entry] : keys_) {
    if (!next.has_value() || entry.due_ms < *next) next = entry.due_ms;
  }
  return next;
}

}  // namespace gempool::keypool
