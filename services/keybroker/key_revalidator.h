#pragma once
// Re-validation on a schedule: every CHECK_INTERVAL_HOURS a background thread
// runs one KeyVerifier::RevalidateOnce pass (disabled and failing keys,
// probed a few at a time), so keys that work again rejoin the pool by
// themselves. The first pass runs one interval after construction; each next
// one an interval after the previous pass ended.
//
// The interval can change while it runs (CHECK_INTERVAL_HOURS saved in the
// admin UI): the next pass is then due one new interval after the previous
// pass (or construction), at once if that time has passed; a zero interval
// stops passes until it is set again.
//
// Thread-safe: mu_ guards the schedule (interval, last pass, stop and wake
// flags); thread_ is touched only by the owner (Start, Stop).

#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"
#include "key_verifier.h"

namespace gempool::keybroker {

class KeyRevalidator {
 public:
  // `verifier` and `clock` must outlive this. A zero (or negative) interval
  // means no passes.
  KeyRevalidator(KeyVerifier& verifier, const Clock& clock, absl::Duration interval);
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

  // Milliseconds until the next pass is due (0: due now); -1 when passes are
  // off.
  int64_t MsUntilDue() const ABSL_LOCKS_EXCLUDED(mu_);
  // Runs one pass if one is due; whether it ran. The thread's step (tests
  // call it with a FakeClock instead of starting the thread).
  bool RunIfDue() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  int64_t MsUntilDueLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  KeyVerifier& verifier_;
  const Clock& clock_;
  mutable Mutex mu_;
  absl::Duration interval_ ABSL_GUARDED_BY(mu_);
  // Monotonic ms of construction, then of the end of each pass.
  int64_t last_pass_ms_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Wakes the thread: the interval changed or Stop() was called. Every
  // write that sets it signals wake_.
  bool changed_ ABSL_GUARDED_BY(mu_) = false;
  CondVar wake_;
  std::thread thread_;
};

}  // namespace gempool::keybroker
