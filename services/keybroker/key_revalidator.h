#pragma once
// Re-validation on a schedule, by one background thread, in two steps:
//
// The pass (RunIfDue): every CHECK_INTERVAL_HOURS one
// KeyVerifier::RevalidateOnce pass (disabled and failing keys, probed a few
// at a time), so keys that work again rejoin the pool by themselves. The
// first pass runs one interval after construction; each next one an interval
// after the previous pass ended. The interval can change while it runs
// (CHECK_INTERVAL_HOURS saved in the admin UI): the next pass is then due one
// new interval after the previous pass (or construction), at once if that
// time has passed; a zero interval stops passes until it is set again.
//
// Recovery (RecoverDue): keys MAX_FAILURES disabled are re-checked soon, each
// on its own backoff (keypool::RecoverySchedule: MAX_FAILURES_RECHECK_SECONDS,
// doubling up to ten times that), because repeated 5xx, timeouts and resets
// are as often an upstream outage as the key's fault. Due keys are probed in
// batches of the verifier's concurrency; a batch that gets no verdict on any
// of its keys (every probe a 5xx, timeout or connection error: the upstream
// is still down) ends the round, and the round's other due keys wait their
// next delay unprobed, so an outage costs one batch of probes per step. The
// pool is scanned for newly disabled keys every few seconds (kRecoveryScanMs).
//
// Thread-safe: mu_ guards the schedules (interval, last pass, recovery
// schedule, stop and wake flags), never held across a probe; thread_ is
// touched only by the owner (Start, Stop).

#include <cstdint>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"
#include "gempool/keypool/recovery_schedule.h"
#include "key_verifier.h"

namespace gempool::keybroker {

class KeyRevalidator {
 public:
  // How often RecoverDue looks for keys newly disabled by MAX_FAILURES.
  static constexpr int64_t kRecoveryScanMs = 5 * 1000;
  // A key's wait between re-checks doubles up to this many times
  // MAX_FAILURES_RECHECK_SECONDS.
  static constexpr int kRecheckMaxFactor = 10;

  // `verifier` and `clock` must outlive this. A zero (or negative) interval
  // means no passes; a zero (or negative) `recheck` no recovery probes.
  KeyRevalidator(KeyVerifier& verifier, const Clock& clock, absl::Duration interval,
                 absl::Duration recheck = absl::ZeroDuration());
  KeyRevalidator(const KeyRevalidator&) = delete;
  KeyRevalidator& operator=(const KeyRevalidator&) = delete;
  ~KeyRevalidator();

  // Starts the thread. Call once.
  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  // Stops the thread; no new probe starts, one in flight is awaited (cancel
  // the transport first to end it at once). Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // Changes the interval (see above) and wakes the thread to re-plan.
  void SetInterval(absl::Duration interval) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Duration interval() const ABSL_LOCKS_EXCLUDED(mu_);
  // Changes MAX_FAILURES_RECHECK_SECONDS (zero: off): keys start over from
  // the new first delay.
  void SetRecheck(absl::Duration recheck) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Duration recheck() const ABSL_LOCKS_EXCLUDED(mu_);

  // Milliseconds until the next pass is due (0: due now); -1 when passes are
  // off.
  int64_t MsUntilDue() const ABSL_LOCKS_EXCLUDED(mu_);
  // Runs one pass if one is due; whether it ran. The thread's step (tests
  // call it with a FakeClock instead of starting the thread).
  bool RunIfDue() ABSL_LOCKS_EXCLUDED(mu_);

  // Milliseconds until RecoverDue has something to do (a key due, or the
  // next scan); -1 when recovery is off.
  int64_t MsUntilRecovery() const ABSL_LOCKS_EXCLUDED(mu_);
  // The recovery step: scans for keys MAX_FAILURES disabled when a scan is
  // due, then probes the keys whose delay is over (see above). Returns how
  // many keys it probed. The thread's other step.
  int RecoverDue() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  int64_t MsUntilDueLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t MsUntilRecoveryLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool stopping() const ABSL_LOCKS_EXCLUDED(mu_);

  KeyVerifier& verifier_;
  const Clock& clock_;
  mutable Mutex mu_;
  absl::Duration interval_ ABSL_GUARDED_BY(mu_);
  // Monotonic ms of construction, then of the end of each pass.
  int64_t last_pass_ms_ ABSL_GUARDED_BY(mu_);
  absl::Duration recheck_ ABSL_GUARDED_BY(mu_);
  // Null while recovery is off.
  std::unique_ptr<keypool::RecoverySchedule> recovery_ ABSL_GUARDED_BY(mu_);
  // Whether the pool was scanned for disabled keys since recovery was turned
  // on, and the monotonic ms of the last scan.
  bool scanned_ ABSL_GUARDED_BY(mu_) = false;
  int64_t last_scan_ms_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Wakes the thread: a schedule changed or Stop() was called. Every write
  // that sets it signals wake_.
  bool changed_ ABSL_GUARDED_BY(mu_) = false;
  CondVar wake_;
  std::thread thread_;
};

}  // namespace gempool::keybroker
