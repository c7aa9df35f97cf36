#pragma once
// Carries request-log and error-log rows to the persistence service without
// touching the request path: Add() only queues; a background thread sends
// batches (up to `batch_size` rows and `max_batch_bytes`, at least every
// `flush_interval_ms`). While
// persistence is down the rows wait in a bounded backlog (oldest dropped and
// counted when full) and the thread retries with a pause. Rows are numbered
// per table as they are queued, and batches name this writer (a sender id
// drawn at construction), so a batch sent again after a lost answer is
// written once. Thread-safe: mu_ guards the queues, their numbering and
// counts, and is never held while a batch is sent; the owner calls
// AddObserver, Start and Stop.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gempool/common/mutex.h"
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
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  void Add(v1::RequestLogEntry entry) ABSL_LOCKS_EXCLUDED(mu_);
  void Add(v1::ErrorLogEntry entry) ABSL_LOCKS_EXCLUDED(mu_);

  // Sends at most one batch of each table; what failed stays queued at the
  // front. The background thread's step; tests call it directly.
  absl::Status FlushOnce() ABSL_LOCKS_EXCLUDED(mu_);

  size_t backlog() const ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t dropped() const ABSL_LOCKS_EXCLUDED(mu_);
  // The id each batch names (Write*LogsRequest.sender).
  const std::string& sender() const { return sender_; }

 private:
  // Sends one batch of the table of `Entry` (requests_ or errors_).
  template <typename Entry>
  absl::Status FlushTable() ABSL_LOCKS_EXCLUDED(mu_);
  // The queue of a table, chosen by its entry type.
  std::deque<v1::RequestLogEntry>& QueueLocked(const v1::RequestLogEntry*) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return requests_;
  }
  std::deque<v1::ErrorLogEntry>& QueueLocked(const v1::ErrorLogEntry*) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return errors_;
  }
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  LogSink& sink_;
  const Options options_;
  const std::string sender_;
  std::vector<RequestObserver*> observers_;  // Fixed before the first Add().
  mutable Mutex mu_;
  CondVar wake_;  // Signalled on stopping_ and when a full batch is queued.
  std::deque<v1::RequestLogEntry> requests_ ABSL_GUARDED_BY(mu_);
  std::deque<v1::ErrorLogEntry> errors_ ABSL_GUARDED_BY(mu_);
  // The delivery_sequence of the last row queued, per table.
  uint64_t last_request_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t last_error_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // Start and Stop's (the owner's).
};

}  // namespace gempool::gateway
