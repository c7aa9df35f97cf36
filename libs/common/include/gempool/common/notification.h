#ifndef GEMPOOL_COMMON_NOTIFICATION_H_
#define GEMPOOL_COMMON_NOTIFICATION_H_

// A one-shot event one thread raises and others wait for: absl::Notification's
// API on gempool::Mutex, so ThreadSanitizer sees the hand-over (see mutex.h).

#include "absl/time/time.h"
#include "gempool/common/mutex.h"

namespace gempool {

class Notification {
 public:
  Notification() = default;
  Notification(const Notification&) = delete;
  Notification& operator=(const Notification&) = delete;

  // Raises the event and wakes every waiter. Once only; later calls do nothing.
  void Notify() {
    MutexLock lock(&mu_);
    notified_ = true;
    cv_.SignalAll();
  }
  bool HasBeenNotified() const {
    MutexLock lock(&mu_);
    return notified_;
  }
  void WaitForNotification() const {
    MutexLock lock(&mu_);
    while (!notified_) cv_.Wait(&mu_);
  }
  // True if notified within `timeout`.
  bool WaitForNotificationWithTimeout(absl::Duration timeout) const {
    return WaitForNotificationWithDeadline(absl::Now() + timeout);
  }
  bool WaitForNotificationWithDeadline(absl::Time deadline) const {
    MutexLock lock(&mu_);
    while (!notified_) {
      if (cv_.WaitWithDeadline(&mu_, deadline)) return notified_;
    }
    return true;
  }

 private:
  mutable Mutex mu_;
  mutable CondVar cv_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gempool

#endif  // GEMPOOL_COMMON_NOTIFICATION_H_
