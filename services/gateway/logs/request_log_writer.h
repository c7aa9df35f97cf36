#pragma once
// Carries request-log and error-log rows to the persistence service without
// touching the request path: Add() only queues; a background thread sends
// batches (up to `batch_size` rows and `max_batch_bytes`, at least every
// `flush_interval_ms`). While
// persistence is down the rows wait in a bounded backlog (oldest dropped and
// counted when full) and the thread retries with a pause. Rows are numbered
// per table as they are queued, and batches name this writer (a sender id
// drawn at construction), so a batch sent again after a lost answer is
// written once. Thread-safe.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gempool/v1/types.pb.h"
#include "logs/request_observer.h"

namespace gempool::gateway {

// Where rows go; PersistenceClient in production, a fake in tests.
// `sender` names the writer whose numbered rows (delivery_sequence) these are
// (gempool/common/delivery_ledger.h: persistence writes a batch sent again
// after a lost answer only once).
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual absl::Status WriteRequestLogs(absl::string_view sender, const std::vector<v1::RequestLogEntry>& entries) = 0;
  virtual absl::Status WriteErrorLogs(absl::string_view sender, const std::vector<v1::ErrorLogEntry>& entries) = 0;
};

class RequestLogWriter {
 public:
  struct Options {
    size_t max_backlog = 20000;  // Per table.
    // Small enough that neither serializing a batch here nor inserting it in
    // persistence holds a core for long: with 500 rows each took ~1.5 ms at
    // a stretch, and on a 2-core machine the requests waiting for that core
    // made the added p99 at concurrency 1 2.0 ms (1.1 ms with 100; 50 was no
    // better and cost throughput).
    size_t batch_size = 100;
    // A batch also ends before this many serialized bytes (gRPC refuses
    // messages over 4 MiB by default; error rows are up to 16 KiB each).
    size_t max_batch_bytes = 3u << 20;
    int flush_interval_ms = 200;
    int retry_pause_ms = 1000;  // After a failed write.
  };

  RequestLogWriter(LogSink& sink, Options options);
  RequestLogWriter(const RequestLogWriter&) = delete;
  RequestLogWriter& operator=(const RequestLogWriter&) = delete;
  ~RequestLogWriter();  // Stop()s.

  // Adds an observer told of every request log row Add() takes
  // (request_observer.h). Call before the first Add(); `observer` must
  // outlive the writer's use.
  void AddObserver(RequestObserver* observer);

  // Starts the background thread.
  void Start();
  // Tries once more to send what is queued, then ends the thread.
  void Stop();

  void Add(v1::RequestLogEntry entry);
  void Add(v1::ErrorLogEntry entry);

  // Sends at most one batch of each table; what failed stays queued at the
  // front. The background thread's step; tests call it directly.
  absl::Status FlushOnce();

  size_t backlog() const;
  uint64_t dropped() const;
  // The id each batch names (Write*LogsRequest.sender).
  const std::string& sender() const { return sender_; }

 private:
  template <typename Entry>
  absl::Status FlushTable(std::deque<Entry>& queue);
  void Run();

  LogSink& sink_;
  const Options options_;
  const std::string sender_;
  std::vector<RequestObserver*> observers_;  // Fixed before the first Add().
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<v1::RequestLogEntry> requests_;
  std::deque<v1::ErrorLogEntry> errors_;
  // The delivery_sequence of the last row queued, per table.
  uint64_t last_request_sequence_ = 0;
  uint64_t last_error_sequence_ = 0;
  uint64_t dropped_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gempool::gateway
