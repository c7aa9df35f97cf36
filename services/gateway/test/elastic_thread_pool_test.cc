#include "http/elastic_thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "gempool/common/mutex.h"
#include "gempool/testing/subprocess.h"

namespace gempool::gateway {
namespace {

using ::gempool::testing::WaitFor;

// Holds tasks until opened.
class Gate {
 public:
  void Wait() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    ++waiting_;
    while (!open_) opened_cv_.Wait(&mu_);
  }
  void Open() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    open_ = true;
    opened_cv_.SignalAll();
  }
  int waiting() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return waiting_;
  }

 private:
  Mutex mu_;
  CondVar opened_cv_;  // Signalled when open_ is set.
  bool open_ ABSL_GUARDED_BY(mu_) = false;
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
};

ElasticThreadPool::Options Opts(size_t max, size_t min, int idle_ms) {
  ElasticThreadPool::Options o;
  o.max_threads = max;
  o.min_threads = min;
  o.idle_timeout = std::chrono::milliseconds(idle_ms);
  return o;
}

TEST(ElasticThreadPoolTest, StartsWithMinThreadsAndGrowsOneThreadPerBlockedTask) {
  ElasticThreadPool pool(Opts(64, 2, 60000));
  EXPECT_EQ(pool.threads(), 2u);
  Gate gate;
  for (int i = 0; i < 10; ++i) pool.Submit([&gate] { gate.Wait(); });
  // Ten tasks that block at once each need a thread of their own.
  ASSERT_TRUE(WaitFor([&] { return gate.waiting() == 10; }, 5000)) << gate.waiting() << " tasks started";
  EXPECT_EQ(pool.threads(), 10u);
  EXPECT_EQ(pool.queued(), 0u);
  gate.Open();
  ASSERT_TRUE(WaitFor([&] { return pool.idle_threads() == 10; }, 5000));
}

TEST(ElasticThreadPoolTest, ReusesIdleThreadsInsteadOfCreatingMore) {
  ElasticThreadPool pool(Opts(64, 0, 60000));
  std::mutex mu;
  std::set<std::thread::id> ids;
  std::atomic<int> done{0};
  for (int i = 0; i < 200; ++i) {
    pool.Submit([&] {
      std::lock_guard<std::mutex> lock(mu);
      ids.insert(std::this_thread::get_id());
      ++done;
    });
    // One task at a time: each finds the previous task's thread idle.
    ASSERT_TRUE(WaitFor([&] { return done == i + 1 && pool.idle_threads() == pool.threads(); }, 5000));
  }
  EXPECT_EQ(pool.threads(), 1u);
  EXPECT_EQ(ids.size(), 1u);
}

TEST(ElasticThreadPoolTest, QueuesBeyondMaxThreadsAndRunsEveryTaskInOrder) {
  ElasticThreadPool pool(Opts(3, 0, 60000));
  Gate gate;
  std::mutex mu;
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) pool.Submit([&gate] { gate.Wait(); });
  for (int i = 0; i < 5; ++i) {
    pool.Submit([&, i] {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(i);
    });
  }
  ASSERT_TRUE(WaitFor([&] { return gate.waiting() == 3; }, 5000));
  EXPECT_EQ(pool.threads(), 3u);
  EXPECT_EQ(pool.queued(), 5u);
  gate.Open();
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard<std::mutex> lock(mu);
    return order.size() == 5;
  }, 5000));
  EXPECT_EQ(pool.threads(), 3u);
}

// GATEWAY_THREADS saved in the admin UI: a raised maximum gives the queued
// tasks threads at once, a lowered one starts no thread beyond it.
TEST(ElasticThreadPoolTest, ANewMaximumAppliesToQueuedAndLaterTasks) {
  ElasticThreadPool pool(Opts(2, 0, 60000));
  Gate gate;
  for (int i = 0; i < 5; ++i) pool.Submit([&gate] { gate.Wait(); });
  ASSERT_TRUE(WaitFor([&] { return gate.waiting() == 2; }, 5000));
  EXPECT_EQ(pool.queued(), 3u);
  pool.SetMaxThreads(4);
  EXPECT_EQ(pool.max_threads(), 4u);
  ASSERT_TRUE(WaitFor([&] { return gate.waiting() == 4; }, 5000)) << gate.waiting() << " tasks started";
  EXPECT_EQ(pool.threads(), 4u);
  EXPECT_EQ(pool.queued(), 1u);
  pool.SetMaxThreads(1);
  pool.Submit([&gate] { gate.Wait(); });
  EXPECT_EQ(pool.threads(), 4u) << "no thread beyond the lowered maximum";
  EXPECT_EQ(pool.queued(), 2u);
  gate.Open();
  pool.Shutdown();
  EXPECT_EQ(gate.waiting(), 6);
}

TEST(ElasticThreadPoolTest, IdleThreadsExitDownToMinAndReportTheShrinkOnce) {
  std::atomic<int> shrinks{0};
  ElasticThreadPool::Options o = Opts(64, 1, 30);
  o.on_shrunk = [&shrinks] { ++shrinks; };
  ElasticThreadPool pool(o);
  Gate gate;
  for (int i = 0; i < 8; ++i) pool.Submit([&gate] { gate.Wait(); });
  ASSERT_TRUE(WaitFor([&] { return gate.waiting() == 8; }, 5000));
  gate.Open();
  ASSERT_TRUE(WaitFor([&] { return pool.threads() == 1 && shrinks == 1; }, 5000))
      << pool.threads() << " threads, " << shrinks << " shrinks";
  // The survivor still serves.
  std::atomic<bool> ran{false};
  pool.Submit([&ran] { ran = true; });
  ASSERT_TRUE(WaitFor([&] { return ran.load(); }, 5000));
  EXPECT_EQ(shrinks, 1);
}

TEST(ElasticThreadPoolTest, ShutdownRunsQueuedTasksThenLaterTasksRunOnTheCaller) {
  std::atomic<int> done{0};
  {
    ElasticThreadPool pool(Opts(1, 0, 60000));
    Gate gate;
    pool.Submit([&gate] { gate.Wait(); });
    for (int i = 0; i < 4; ++i) pool.Submit([&done] { ++done; });
    ASSERT_TRUE(WaitFor([&] { return gate.waiting() == 1; }, 5000));
    // Opened only once Shutdown() is under way, so it must wait for the task.
    std::thread opener([&gate, &pool] {
      EXPECT_TRUE(WaitFor([&pool] { return pool.shutting_down(); }, 5000));
      gate.Open();
    });
    pool.Shutdown();  // Waits for the blocked task and runs the four queued.
    opener.join();
    EXPECT_EQ(done, 4);
    EXPECT_EQ(pool.threads(), 0u);
    const std::thread::id caller = std::this_thread::get_id();
    std::thread::id ran_on;
    pool.Submit([&ran_on] { ran_on = std::this_thread::get_id(); });
    EXPECT_EQ(ran_on, caller);
  }
  EXPECT_EQ(done, 4);
}

}  // namespace
}  // namespace gempool::gateway
