#pragma once
// When to probe again a key that MAX_FAILURES disabled.
//
// Repeated transient failures (5xx, timeouts, connection resets) disable a
// key, but they are as often the upstream's or the network's fault as the
// key's: an upstream outage of a few minutes fails every key it touches.
// Waiting for the regular re-validation (CHECK_INTERVAL_HOURS) would keep the
// whole pool out for up to that long after the outage ended. So these keys
// are probed again soon, each on its own backoff (the steps of
// gempool/common/backoff.h): first `first_delay_ms` after the key was first
// seen disabled, then doubling up to `max_delay_ms`.
// A probe that passes brings the key back (the verifier applies it); a key
// whose probe failed again waits its next, longer delay (Retry). Keys
// disabled for another reason (an invalid key) wait for the regular pass.
//
// The key broker's revalidator drives it (services/keybroker/
// key_revalidator.h): Track with the keys disabled now, probe Due ones, Retry
// those still out. When the first probes of a round find the upstream
// unreachable, the revalidator Retries the round's other due keys unprobed:
// an outage costs one batch of probes per step, not one probe per key.
//
// Plain policy: no threads and no clock of its own; times are the caller's
// monotonic milliseconds. Not thread-safe: the revalidator's thread owns it.

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/types/span.h"

namespace gempool::keypool {

struct RecoveryScheduleOptions {
  // From first being seen disabled to the first probe.
  int64_t first_delay_ms = 60 * 1000;
  // The longest wait between two probes of one key.
  int64_t max_delay_ms = 10 * 60 * 1000;
  // Up to this fraction of a delay is taken off at random, so that keys
  // disabled in the same second are not all probed in the same second
  // either. 0 in tests.
  double jitter = 0.1;
};

class RecoverySchedule {
 public:
  // Delays below 1 ms count as 1 ms, a max_delay_ms below first_delay_ms as
  // first_delay_ms, and a jitter outside [0, 1) as 0.
  explicit RecoverySchedule(RecoveryScheduleOptions options = {});

  // Brings the schedule in line with the keys MAX_FAILURES disabled now
  // (`disabled_ids`, any order): keys new to it are due one first delay
  // after `now_ms`; keys no longer listed (they rejoined, an admin reset or
  // removed them, or they were disabled again for another reason) are
  // forgotten, so a key disabled again later starts over from the first
  // delay.
  void Track(absl::Span<const int64_t> disabled_ids, int64_t now_ms);

  // The tracked keys due at `now_ms`, longest overdue first (ties by id).
  std::vector<int64_t> Due(int64_t now_ms) const;

  // The probe of `id` did not bring it back, or was put off because the
  // upstream could not be reached: it is due again after its next delay
  // (double the last one, at most max_delay_ms). Untracked ids are ignored.
  void Retry(int64_t id, int64_t now_ms);

  // A probe brought `id` back: it is no longer tracked (a key disabled again
  // later starts over from the first delay).
  void Forget(int64_t id) { keys_.erase(id); }

  // When the earliest tracked key is due; nothing while none is tracked.
  std::optional<int64_t> NextDueMs() const;

  // Keys tracked.
  size_t size() const { return keys_.size(); }

 private:
  struct Entry {
    int64_t due_ms = 0;
    // The delay that led to due_ms (before jitter); doubled by Retry.
    int64_t delay_ms = 0;
  };

  // `delay_ms` less up to options_.jitter of it.
  int64_t Jittered(int64_t delay_ms);

  const RecoveryScheduleOptions options_;
  absl::flat_hash_map<int64_t, Entry> keys_;
  absl::BitGen bitgen_;
};

}  // namespace gempool::keypool
