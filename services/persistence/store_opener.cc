#include "store_opener.h"

#include <utility>

#include "absl/time/time.h"
#include "gempool/common/logging.h"

namespace gempool::persistence {

StoreOpener::StoreOpener(std::string what, OpenFn open, DeferredStore& target, std::function<void()> on_open,
                         const Clock& clock, Options options)
    : what_(std::move(what)),
      open_(std::move(open)),
      target_(target),
      on_open_(std::move(on_open)),
      clock_(clock),
      options_(options),
      backoff_({options.initial_backoff_ms, options.max_backoff_ms, options.backoff_jitter}) {}

StoreOpener::~StoreOpener() { Stop(); }

int StoreOpener::attempts() const {
  MutexLock lock(&mu_);
  return attempts_;
}

StoreOpener::Step StoreOpener::TryOnce() {
  {
    MutexLock lock(&mu_);
    if (finished_) return Step{final_, 0, false};
    ++attempts_;
  }
  absl::StatusOr<std::unique_ptr<storage::Store>> opened = open_();  // No lock held: this is I/O.

  Step step;
  if (opened.ok()) {
    target_.Install(*std::move(opened));
    int attempts = 0;
    {
      MutexLock lock(&mu_);
      finished_ = true;
      final_ = step.outcome = Step::Outcome::kOpened;
      attempts = attempts_;
    }
    if (attempts > 1) {
      GEMPOOL_LOG(INFO) << "the " << what_ << " is open after " << attempts
                        << " attempts: serving (gRPC health SERVING)";
    }
    if (on_open_) on_open_();
    return step;
  }

  MutexLock lock(&mu_);
  const absl::Status& status = opened.status();
  const std::string reason(status.message());
  target_.SetReason(reason);
  const int64_t now_ms = clock_.MonotonicMs();
  if (absl::IsInvalidArgument(status)) {
    GEMPOOL_LOG(ERROR) << "cannot open the " << what_ << ": " << reason
                       << ". Not retrying: fix the setting and restart gempool-persistence. Until then every "
                          "call answers UNAVAILABLE with this message.";
    finished_ = true;
    final_ = step.outcome = Step::Outcome::kGaveUp;
    step.logged = true;
    return step;
  }
  step.outcome = Step::Outcome::kRetry;
  // At most the larger of two int options: the cast is exact.
  step.retry_in_ms = static_cast<int>(backoff_.NextMs());
  if (reason != last_logged_) {
    GEMPOOL_LOG(WARNING) << "cannot open the " << what_ << ": " << reason << " [gempool-persistence keeps "
                         << "trying (every " << absl::FormatDuration(absl::Milliseconds(options_.max_backoff_ms))
                         << " at most); until then its gRPC health is NOT_SERVING and every call answers "
                            "UNAVAILABLE with this message]";
    step.logged = true;
  } else if (now_ms - last_logged_at_ms_ >= options_.reminder_ms) {
    GEMPOOL_LOG(WARNING) << "still cannot open the " << what_ << " after " << attempts_ << " attempts: " << reason;
    step.logged = true;
  }
  if (step.logged) {
    last_logged_ = reason;
    last_logged_at_ms_ = now_ms;
  }
  return step;
}

void StoreOpener::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void StoreOpener::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void StoreOpener::Run() {
  while (!stop_.HasBeenNotified()) {
    const Step step = TryOnce();
    if (step.outcome != Step::Outcome::kRetry) return;
    if (stop_.WaitForNotificationWithTimeout(absl::Milliseconds(step.retry_in_ms))) return;
  }
}

}  // namespace gempool::persistence
