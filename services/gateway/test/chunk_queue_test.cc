#include "chunk_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>

namespace gempool::gateway {
namespace {

using std::chrono::milliseconds;
using PopStatus = ChunkQueue::PopStatus;

TEST(ChunkQueueTest, ChunksComeOutInOrderThenEnd) {
  ChunkQueue queue(1024);
  ASSERT_TRUE(queue.Push("a"));
  ASSERT_TRUE(queue.Push("bc"));
  queue.Close();
  std::string out;
  EXPECT_EQ(queue.Pop(out, milliseconds(0)), PopStatus::kChunk);
  EXPECT_EQ(out, "a");
  EXPECT_EQ(queue.Pop(out, milliseconds(0)), PopStatus::kChunk);
  EXPECT_EQ(out, "bc");
  EXPECT_EQ(queue.Pop(out, milliseconds(0)), PopStatus::kEnd);
  EXPECT_EQ(queue.Pop(out, milliseconds(0)), PopStatus::kEnd);
}

TEST(ChunkQueueTest, FailDeliversPendingChunksThenFailure) {
  ChunkQueue queue(1024);
  ASSERT_TRUE(queue.Push("x"));
  queue.Fail();
  std::string out;
  EXPECT_EQ(queue.Pop(out, milliseconds(0)), PopStatus::kChunk);
  EXPECT_EQ(queue.Pop(out, milliseconds(0)), PopStatus::kFailed);
  EXPECT_FALSE(queue.Push("late"));
}

TEST(ChunkQueueTest, EmptyOpenQueueTimesOut) {
  ChunkQueue queue(16);
  std::string out;
  EXPECT_EQ(queue.Pop(out, milliseconds(0)), PopStatus::kTimedOut);
}

TEST(ChunkQueueTest, FullQueueBlocksWriterUntilReaderTakes) {
  ChunkQueue queue(4);
  ASSERT_TRUE(queue.Push("1234"));
  std::promise<void> started;
  auto writer = std::async(std::launch::async, [&] {
    started.set_value();
    return queue.Push("5678");  // Blocks: the queue holds 4 of 4 bytes.
  });
  started.get_future().wait();
  EXPECT_EQ(writer.wait_for(milliseconds(50)), std::future_status::timeout);
  std::string out;
  ASSERT_EQ(queue.Pop(out, milliseconds(1000)), PopStatus::kChunk);
  EXPECT_EQ(out, "1234");
  EXPECT_TRUE(writer.get());
  ASSERT_EQ(queue.Pop(out, milliseconds(1000)), PopStatus::kChunk);
  EXPECT_EQ(out, "5678");
}

TEST(ChunkQueueTest, OversizedChunkFitsIntoEmptyQueue) {
  ChunkQueue queue(2);
  EXPECT_TRUE(queue.Push("much longer than two bytes"));
}

TEST(ChunkQueueTest, CancelUnblocksWriterAndRefusesMore) {
  ChunkQueue queue(1);
  ASSERT_TRUE(queue.Push("a"));
  auto writer = std::async(std::launch::async, [&] { return queue.Push("b"); });
  queue.Cancel();
  EXPECT_FALSE(writer.get());
  EXPECT_TRUE(queue.cancelled());
  std::string out;
  EXPECT_EQ(queue.Pop(out, milliseconds(0)), PopStatus::kFailed);
}

}  // namespace
}  // namespace gempool::gateway
