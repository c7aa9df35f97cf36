#pragma once
// Opens the database in the background so gempool-persistence can serve (and
// explain) while the database refuses it: tries to open, and on failure hands
// the reason to a DeferredStore (every RPC then answers UNAVAILABLE with it),
// logs it when it differs from the last one (and as a reminder every few
// minutes), waits (backoff doubling up to a maximum, with jitter) and tries
// again. On success it installs the store and calls `on_open` (the service's
// gRPC health turns SERVING). A setting the store rejects (kInvalidArgument)
// is not retried: it cannot change without a restart.
//
// TryOnce is one step without waiting (what tests drive); Start runs the
// steps on a thread until the store opens or Stop is called.
//
// Thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "gempool/common/notification.h"
#include "deferred_store.h"
#include "gempool/common/backoff.h"
#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"
#include "gempool/storage/store.h"

namespace gempool::persistence {

class StoreOpener {
 public:
  using OpenFn = std::function<absl::StatusOr<std::unique_ptr<storage::Store>>()>;

  struct Options {
    // Wait after the first failure; doubles per failure up to max_backoff_ms.
    int initial_backoff_ms = 500;
    int max_backoff_ms = 10000;
    // An unchanged reason is logged again after this long.
    int64_t reminder_ms = 5 * 60 * 1000;
    // Up to this share is taken off each wait at random, so persistence
    // processes that lost one database do not retry it in step; 0 for exact
    // waits.
    double backoff_jitter = kDefaultBackoffJitter;
  };

  // What one attempt came to.
  struct Step {
    enum class Outcome { kOpened, kRetry, kGaveUp };
    Outcome outcome = Outcome::kRetry;
    // kRetry: how long to wait before the next attempt.
    int retry_in_ms = 0;
    // Whether this attempt logged its reason (new, or a reminder).
    bool logged = false;
  };

  // `target`, `clock` and whatever `open` and `on_open` use must outlive the
  // opener. `what` names the database in log lines ("mysql database").
  StoreOpener(std::string what, OpenFn open, DeferredStore& target, std::function<void()> on_open,
              const Clock& clock, Options options);
  ~StoreOpener();
  StoreOpener(const StoreOpener&) = delete;
  StoreOpener& operator=(const StoreOpener&) = delete;

  // One attempt, without waiting. After kOpened or kGaveUp further calls
  // return the same outcome and do nothing. Not to be called concurrently
  // with itself or after Start.
  Step TryOnce() ABSL_LOCKS_EXCLUDED(mu_);

  // Runs attempts on a background thread, waiting between them.
  void Start();
  // Ends the background attempts: no new attempt starts, and an attempt in
  // progress (bounded by the database's connect timeout) is waited for. Once
  // Stop returns, on_open is never called.
  void Stop();

  // Attempts made so far.
  int attempts() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  const std::string what_;
  const OpenFn open_;
  DeferredStore& target_;
  const std::function<void()> on_open_;
  const Clock& clock_;
  const Options options_;

  mutable Mutex mu_;  // Guards the retry state; never held while opening.
  int attempts_ ABSL_GUARDED_BY(mu_) = 0;
  Backoff backoff_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  Step::Outcome final_ ABSL_GUARDED_BY(mu_) = Step::Outcome::kRetry;
  std::string last_logged_ ABSL_GUARDED_BY(mu_);
  int64_t last_logged_at_ms_ ABSL_GUARDED_BY(mu_) = 0;

  Notification stop_;
  // Touched only by the owner (Start, Stop).
  std::thread thread_;
};

}  // namespace gempool::persistence
