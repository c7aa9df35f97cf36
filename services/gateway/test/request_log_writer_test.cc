#include "logs/request_log_writer.h"

#include <algorithm>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "gempool/common/mutex.h"
#include "gempool/testing/status_matchers.h"

namespace gempool::gateway {
namespace {

using ::gempool::testing::IsOk;
using ::gempool::testing::StatusIs;

// Records batches; fails while `down` is set. The writer's thread (or the
// test's, in FlushOnce) writes; the test reads through the copying accessors,
// or holds `mu`.
class RecordingSink final : public LogSink {
 public:
  absl::Status WriteRequestLogs(absl::string_view sender, const std::vector<v1::RequestLogEntry>& entries) override
      ABSL_LOCKS_EXCLUDED(mu) {
    MutexLock lock(&mu);
    if (down) return absl::UnavailableError("persistence at 127.0.0.1:1 is not answering");
    senders.emplace_back(sender);
    request_batches.push_back(entries);
    return absl::OkStatus();
  }
  absl::Status WriteErrorLogs(absl::string_view sender, const std::vector<v1::ErrorLogEntry>& entries) override
      ABSL_LOCKS_EXCLUDED(mu) {
    MutexLock lock(&mu);
    if (down) return absl::UnavailableError("persistence at 127.0.0.1:1 is not answering");
    senders.emplace_back(sender);
    error_batches.push_back(entries);
    return absl::OkStatus();
  }

  void SetDown(bool value) ABSL_LOCKS_EXCLUDED(mu) {
    MutexLock lock(&mu);
    down = value;
  }
  std::vector<std::string> Senders() ABSL_LOCKS_EXCLUDED(mu) {
    MutexLock lock(&mu);
    return senders;
  }
  std::vector<std::vector<v1::RequestLogEntry>> RequestBatches() ABSL_LOCKS_EXCLUDED(mu) {
    MutexLock lock(&mu);
    return request_batches;
  }
  std::vector<std::vector<v1::ErrorLogEntry>> ErrorBatches() ABSL_LOCKS_EXCLUDED(mu) {
    MutexLock lock(&mu);
    return error_batches;
  }

  Mutex mu;
  bool down ABSL_GUARDED_BY(mu) = false;
  std::vector<std::string> senders ABSL_GUARDED_BY(mu);  // Of every batch taken.
  std::vector<std::vector<v1::RequestLogEntry>> request_batches ABSL_GUARDED_BY(mu);
  std::vector<std::vector<v1::ErrorLogEntry>> error_batches ABSL_GUARDED_BY(mu);
};

v1::RequestLogEntry Request(int64_t time_ms) {
  v1::RequestLogEntry entry;
  entry.set_time_ms(time_ms);
  return entry;
}

TEST(RequestLogWriterTest, FlushSendsBatchesOfAtMostBatchSize) {
  RecordingSink sink;
  RequestLogWriter::Options options;
  options.batch_size = 2;
  RequestLogWriter writer(sink, options);
  for (int i = 0; i < 5; ++i) writer.Add(Request(i));
  v1::ErrorLogEntry error;
  error.set_error_type("RESOURCE_EXHAUSTED");
  writer.Add(error);

  ASSERT_THAT(writer.FlushOnce(), IsOk());
  ASSERT_EQ(sink.RequestBatches().size(), 1u);
  EXPECT_EQ(sink.RequestBatches()[0].size(), 2u);
  ASSERT_EQ(sink.ErrorBatches().size(), 1u);
  EXPECT_EQ(sink.ErrorBatches()[0][0].error_type(), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(writer.backlog(), 3u);
  ASSERT_THAT(writer.FlushOnce(), IsOk());
  ASSERT_THAT(writer.FlushOnce(), IsOk());
  EXPECT_EQ(writer.backlog(), 0u);
  ASSERT_EQ(sink.RequestBatches().size(), 3u);
  EXPECT_EQ(sink.RequestBatches()[2][0].time_ms(), 4);
}

TEST(RequestLogWriterTest, BatchesStayUnderTheByteLimit) {
  RecordingSink sink;
  RequestLogWriter::Options options;
  options.max_batch_bytes = 40 * 1024;
  RequestLogWriter writer(sink, options);
  for (int i = 0; i < 5; ++i) {
    v1::ErrorLogEntry error;
    error.set_message(std::string(16 * 1024, 'x'));
    writer.Add(error);
  }
  ASSERT_THAT(writer.FlushOnce(), IsOk());
  ASSERT_EQ(sink.ErrorBatches().size(), 1u);
  EXPECT_EQ(sink.ErrorBatches()[0].size(), 2u);
  EXPECT_EQ(writer.backlog(), 3u);
}

TEST(RequestLogWriterTest, FailedBatchStaysQueuedInOrder) {
  RecordingSink sink;
  RequestLogWriter writer(sink, RequestLogWriter::Options());
  writer.Add(Request(1));
  writer.Add(Request(2));
  sink.SetDown(true);
  EXPECT_THAT(writer.FlushOnce(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(writer.backlog(), 2u);
  writer.Add(Request(3));
  sink.SetDown(false);
  ASSERT_THAT(writer.FlushOnce(), IsOk());
  ASSERT_EQ(sink.RequestBatches().size(), 1u);
  ASSERT_EQ(sink.RequestBatches()[0].size(), 3u);
  EXPECT_EQ(sink.RequestBatches()[0][0].time_ms(), 1);
  EXPECT_EQ(sink.RequestBatches()[0][2].time_ms(), 3);
}

// Persistence skips rows it already wrote by (sender, delivery_sequence): a
// batch sent again carries the same numbers, rows queued later higher ones,
// and each table counts on its own.
TEST(RequestLogWriterTest, RowsAreNumberedAsQueuedAndBatchesNameTheWriter) {
  RecordingSink sink;
  RequestLogWriter writer(sink, RequestLogWriter::Options());
  RequestLogWriter other(sink, RequestLogWriter::Options());
  EXPECT_NE(writer.sender(), other.sender());
  writer.Add(Request(1));
  writer.Add(Request(2));
  writer.Add(v1::ErrorLogEntry());
  sink.SetDown(true);
  EXPECT_THAT(writer.FlushOnce(), StatusIs(absl::StatusCode::kUnavailable));
  writer.Add(Request(3));
  sink.SetDown(false);
  ASSERT_THAT(writer.FlushOnce(), IsOk());
  ASSERT_EQ(sink.RequestBatches().size(), 1u);
  ASSERT_EQ(sink.RequestBatches()[0].size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sink.RequestBatches()[0][i].delivery_sequence(), static_cast<uint64_t>(i + 1));
  ASSERT_EQ(sink.ErrorBatches().size(), 1u);
  EXPECT_EQ(sink.ErrorBatches()[0][0].delivery_sequence(), 1u);
  ASSERT_EQ(sink.Senders().size(), 2u);
  EXPECT_EQ(sink.Senders()[0], writer.sender());
  EXPECT_EQ(sink.Senders()[1], writer.sender());
  EXPECT_EQ(writer.sender().rfind("gateway-", 0), 0u);
}

TEST(RequestLogWriterTest, FullBacklogDropsOldestAndCounts) {
  RecordingSink sink;
  sink.SetDown(true);
  RequestLogWriter::Options options;
  options.max_backlog = 3;
  RequestLogWriter writer(sink, options);
  for (int i = 0; i < 5; ++i) writer.Add(Request(i));
  EXPECT_EQ(writer.backlog(), 3u);
  EXPECT_EQ(writer.dropped(), 2u);
  EXPECT_THAT(writer.FlushOnce(), StatusIs(absl::StatusCode::kUnavailable));
  sink.SetDown(false);
  ASSERT_THAT(writer.FlushOnce(), IsOk());
  ASSERT_EQ(sink.RequestBatches().size(), 1u);
  ASSERT_EQ(sink.RequestBatches()[0].size(), 3u);
  EXPECT_EQ(sink.RequestBatches()[0][0].time_ms(), 2);
}

TEST(RequestLogWriterTest, StopWritesWhatIsQueued) {
  RecordingSink sink;
  RequestLogWriter::Options options;
  options.flush_interval_ms = 60000;  // Only Stop() can flush in time.
  RequestLogWriter writer(sink, options);
  writer.Start();
  writer.Add(Request(7));
  writer.Stop();
  ASSERT_EQ(sink.RequestBatches().size(), 1u);
  EXPECT_EQ(sink.RequestBatches()[0][0].time_ms(), 7);
}

// Request threads add rows while the writer thread sends them: every row
// arrives once (ThreadSanitizer checks the hand-over; test-sanitize.sh).
TEST(RequestLogWriterTest, RowsAddedFromManyThreadsWhileItFlushesAllArriveOnce) {
  RecordingSink sink;
  RequestLogWriter::Options options;
  options.batch_size = 16;
  options.flush_interval_ms = 1;
  RequestLogWriter writer(sink, options);
  writer.Start();
  constexpr int kThreads = 4;
  constexpr int kRowsEach = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&writer, t] {
      for (int i = 0; i < kRowsEach; ++i) {
        writer.Add(Request(t * kRowsEach + i));
        if (i % 50 == 0) {
          v1::ErrorLogEntry error;
          error.set_time_ms(t * kRowsEach + i);
          writer.Add(error);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  writer.Stop();
  MutexLock lock(&sink.mu);
  std::vector<int64_t> seen;
  for (const auto& batch : sink.request_batches) {
    EXPECT_LE(batch.size(), 16u);
    for (const auto& row : batch) seen.push_back(row.time_ms());
  }
  std::sort(seen.begin(), seen.end());
  ASSERT_EQ(seen.size(), static_cast<size_t>(kThreads * kRowsEach));
  for (int i = 0; i < kThreads * kRowsEach; ++i) ASSERT_EQ(seen[i], i);
  size_t errors = 0;
  for (const auto& batch : sink.error_batches) errors += batch.size();
  EXPECT_EQ(errors, static_cast<size_t>(kThreads * kRowsEach / 50));
  EXPECT_EQ(writer.dropped(), 0u);
}

}  // namespace
}  // namespace gempool::gateway
