#ifndef GEMPOOL_COMMON_NOTIFICATION_H_
#define GEMPOOL_COMMON_NOTIFICATION_H_

// A one-shot event one thread raises and others wait for: absl::Notification's
// API on gempool::Mutex, so ThreadSanitizer sees the hand-over (see mutex.h).

#include <atomic>

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
    notified_.store(true, std::memory_order_release);
    cv_.SignalAll();
  }
  // Lock-free: the key broker asks on every call whether it is ready.
  bool HasBeenNotified() const { return notified_.load(std::memory_order_acquire); }
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
  // Written under mu_ (so a waiter cannot miss the signal), read anywhere.
  std::atomic<bool> notified_{false};
};

}  // namespace gempool

#endif  // GEMPOOL_COMMON_NOTIFICATION_H_
