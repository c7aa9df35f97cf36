#include "logs/request_log_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "gempool/testing/status_matchers.h"

namespace gempool::gateway {
namespace {

using ::gempool::testing::IsOk;
using ::gempool::testing::StatusIs;

// Records batches; fails while `down` is set.
class RecordingSink final : public LogSink {
 public:
  absl::Status WriteRequestLogs(const std::vector<v1::RequestLogEntry>& entries) override {
    std::lock_guard<std::mutex> lock(mu);
    if (down) return absl::UnavailableError("persistence at 127.0.0.1:1 is not answering");
    request_batches.push_back(entries);
    return absl::OkStatus();
  }
  absl::Status WriteErrorLogs(const std::vector<v1::ErrorLogEntry>& entries) override {
    std::lock_guard<std::mutex> lock(mu);
    if (down) return absl::UnavailableError("persistence at 127.0.0.1:1 is not answering");
    error_batches.push_back(entries);
    return absl::OkStatus();
  }

  std::mutex mu;
  bool down = false;
  std::vector<std::vector<v1::RequestLogEntry>> request_batches;
  std::vector<std::vector<v1::ErrorLogEntry>> error_batches;
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
  ASSERT_EQ(sink.request_batches.size(), 1u);
  EXPECT_EQ(sink.request_batches[0].size(), 2u);
  ASSERT_EQ(sink.error_batches.size(), 1u);
  EXPECT_EQ(sink.error_batches[0][0].error_type(), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(writer.backlog(), 3u);
  ASSERT_THAT(writer.FlushOnce(), IsOk());
  ASSERT_THAT(writer.FlushOnce(), IsOk());
  EXPECT_EQ(writer.backlog(), 0u);
  ASSERT_EQ(sink.request_batches.size(), 3u);
  EXPECT_EQ(sink.request_batches[2][0].time_ms(), 4);
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
  ASSERT_EQ(sink.error_batches.size(), 1u);
  EXPECT_EQ(sink.error_batches[0].size(), 2u);
  EXPECT_EQ(writer.backlog(), 3u);
}

TEST(RequestLogWriterTest, FailedBatchStaysQueuedInOrder) {
  RecordingSink sink;
  RequestLogWriter writer(sink, RequestLogWriter::Options());
  writer.Add(Request(1));
  writer.Add(Request(2));
  sink.down = true;
  EXPECT_THAT(writer.FlushOnce(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(writer.backlog(), 2u);
  writer.Add(Request(3));
  sink.down = false;
  ASSERT_THAT(writer.FlushOnce(), IsOk());
  ASSERT_EQ(sink.request_batches.size(), 1u);
  ASSERT_EQ(sink.request_batches[0].size(), 3u);
  EXPECT_EQ(sink.request_batches[0][0].time_ms(), 1);
  EXPECT_EQ(sink.request_batches[0][2].time_ms(), 3);
}

TEST(RequestLogWriterTest, FullBacklogDropsOldestAndCounts) {
  RecordingSink sink;
  sink.down = true;
  RequestLogWriter::Options options;
  options.max_backlog = 3;
  RequestLogWriter writer(sink, options);
  for (int i = 0; i < 5; ++i) writer.Add(Request(i));
  EXPECT_EQ(writer.backlog(), 3u);
  EXPECT_EQ(writer.dropped(), 2u);
  EXPECT_THAT(writer.FlushOnce(), StatusIs(absl::StatusCode::kUnavailable));
  sink.down = false;
  ASSERT_THAT(writer.FlushOnce(), IsOk());
  ASSERT_EQ(sink.request_batches.size(), 1u);
  ASSERT_EQ(sink.request_batches[0].size(), 3u);
  EXPECT_EQ(sink.request_batches[0][0].time_ms(), 2);
}

TEST(RequestLogWriterTest, StopWritesWhatIsQueued) {
  RecordingSink sink;
  RequestLogWriter::Options options;
  options.flush_interval_ms = 60000;  // Only Stop() can flush in time.
  RequestLogWriter writer(sink, options);
  writer.Start();
  writer.Add(Request(7));
  writer.Stop();
  ASSERT_EQ(sink.request_batches.size(), 1u);
  EXPECT_EQ(sink.request_batches[0][0].time_ms(), 7);
}

}  // namespace
}  // namespace gempool::gateway
