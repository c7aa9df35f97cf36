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
// Thread-safe.

#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gempool/common/clock.h"
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
  void Start();
  // Stops the thread; no new probe starts, one in flight is awaited (cancel
  // the transport first to end it at once). Idempotent.
  void Stop();

  // Changes the interval (see above) and wakes the thread to re-plan.
  void SetInterval(absl::Duration interval);
  absl::Duration interval() const;

  // Milliseconds until the next pass is due (0: due now); -1 when passes are
  // off.
  int64_t MsUntilDue() const;
  // Runs one pass if one is due; whether it ran. The thread's step (tests
  // call it with a FakeClock instead of starting the thread).
  bool RunIfDue();

 private:
  void Run();
  int64_t MsUntilDueLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  KeyVerifier& verifier_;
  const Clock& clock_;
  mutable absl::Mutex mu_;
  absl::Duration interval_ ABSL_GUARDED_BY(mu_);
  // Monotonic ms of construction, then of the end of each pass.
  int64_t last_pass_ms_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Wakes the thread: the interval changed or Stop() was called.
  bool changed_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace gempool::keybroker
