#include "worker_group.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace gempool::gateway {
namespace {

TEST(WorkerGroupTest, RunsEveryWorkAndJoinsFinishedThreadsWithoutANextSpawn) {
  WorkerGroup group;
  std::atomic<int> done{0};
  for (int i = 0; i < 50; ++i) group.Spawn([&done] { ++done; });
  // No further Spawn: the reaper must join them by itself.
  for (int i = 0; i < 500 && group.unjoined() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(done.load(), 50);
  EXPECT_EQ(group.unjoined(), 0u) << "finished threads were left unjoined";
  EXPECT_EQ(group.running(), 0u);
}

TEST(WorkerGroupTest, JoinAllWaitsForRunningWork) {
  WorkerGroup group;
  std::atomic<bool> finished{false};
  group.Spawn([&finished] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    finished = true;
  });
  EXPECT_EQ(group.running(), 1u);
  group.JoinAll();
  EXPECT_TRUE(finished.load());
  EXPECT_EQ(group.unjoined(), 0u);
}

}  // namespace
}  // namespace gempool::gateway
