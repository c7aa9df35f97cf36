#include "gempool/common/mutex.h"

#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/notification.h"
#include "gtest/gtest.h"

namespace gempool {
namespace {

TEST(MutexTest, CountsFromManyThreadsWithoutLoss) {
  Mutex mu;
  int count = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        MutexLock lock(&mu);
        ++count;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  MutexLock lock(&mu);
  EXPECT_EQ(count, 40000);
}

TEST(MutexTest, TryLockFailsWhileHeldElsewhere) {
  Mutex mu;
  Notification held, release;
  std::thread holder([&] {
    MutexLock lock(&mu);
    held.Notify();
    release.WaitForNotification();
  });
  held.WaitForNotification();
  EXPECT_FALSE(mu.TryLock());
  release.Notify();
  holder.join();
  if (mu.TryLock()) {
    mu.Unlock();
  } else {
    ADD_FAILURE() << "free again once the holder left";
  }
}

TEST(SharedMutexTest, ReadersHoldTogetherAndAWriterWaitsForThem) {
  SharedMutex mu;
  Notification first_reading, second_reading, writer_done;
  int value = 0;
  std::thread reader([&] {
    ReaderMutexLock lock(&mu);
    first_reading.Notify();
    // Held until the main thread also reads: two readers at once.
    second_reading.WaitForNotification();
    EXPECT_EQ(value, 0);
  });
  first_reading.WaitForNotification();
  {
    ReaderMutexLock lock(&mu);
    second_reading.Notify();
  }
  std::thread writer([&] {
    WriterMutexLock lock(&mu);
    value = 1;
    writer_done.Notify();
  });
  reader.join();
  writer.join();
  ReaderMutexLock lock(&mu);
  EXPECT_EQ(value, 1);
  EXPECT_TRUE(writer_done.HasBeenNotified());
}

TEST(CondVarTest, WaitReturnsOnceTheConditionIsSignalled) {
  Mutex mu;
  CondVar cv;
  bool ready = false;
  std::thread signaller([&] {
    MutexLock lock(&mu);
    ready = true;
    cv.SignalAll();
  });
  {
    MutexLock lock(&mu);
    while (!ready) cv.Wait(&mu);
    EXPECT_TRUE(ready);
  }
  signaller.join();
}

TEST(CondVarTest, TimedWaitsReportTheTimeout) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(&mu);
  const absl::Time start = absl::Now();
  EXPECT_TRUE(cv.WaitWithTimeout(&mu, absl::Milliseconds(20)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(20));
  EXPECT_TRUE(cv.WaitWithDeadline(&mu, absl::Now() - absl::Seconds(1)));  // already past: no wait
  EXPECT_TRUE(cv.WaitWithTimeout(&mu, absl::ZeroDuration()));
}

TEST(NotificationTest, WaitersSeeTheNotificationAndTimeoutsAreReported) {
  Notification done;
  EXPECT_FALSE(done.HasBeenNotified());
  EXPECT_FALSE(done.WaitForNotificationWithTimeout(absl::Milliseconds(10)));
  int payload = 0;
  std::thread notifier([&] {
    payload = 42;  // published by Notify, read after the wait (TSan checks this)
    done.Notify();
  });
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(payload, 42);
  notifier.join();
  done.Notify();  // a second Notify does nothing
  EXPECT_TRUE(done.HasBeenNotified());
  EXPECT_TRUE(done.WaitForNotificationWithDeadline(absl::Now() - absl::Seconds(1)));
}

}  // namespace
}  // namespace gempool
