#include "logs/request_log_writer.h"

#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/delivery_ledger.h"
#include "gempool/common/logging.h"
#include "gempool/common/thread_role.h"

namespace gempool::gateway {
namespace {

absl::Status Write(LogSink& sink, absl::string_view sender, const std::vector<v1::RequestLogEntry>& batch) {
  return sink.WriteRequestLogs(sender, batch);
}
absl::Status Write(LogSink& sink, absl::string_view sender, const std::vector<v1::ErrorLogEntry>& batch) {
  return sink.WriteErrorLogs(sender, batch);
}

}  // namespace

RequestLogWriter::RequestLogWriter(LogSink& sink, Options options)
    : sink_(sink), options_(options), sender_(NewDeliverySender("gateway")) {}

RequestLogWriter::~RequestLogWriter() { Stop(); }

void RequestLogWriter::Start() {
  thread_ = std::thread([this] {
    SetThreadName("gw-log-writer");
    Run();
  });
}

void RequestLogWriter::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void RequestLogWriter::AddObserver(RequestObserver* observer) { observers_.push_back(observer); }

void RequestLogWriter::Add(v1::RequestLogEntry entry) {
  for (RequestObserver* observer : observers_) observer->OnRequestFinished(entry);
  bool full_batch = false;
  {
    MutexLock lock(&mu_);
    if (requests_.size() >= options_.max_backlog) {
      requests_.pop_front();
      ++dropped_;
    }
    entry.set_delivery_sequence(++last_request_sequence_);
    requests_.push_back(std::move(entry));
    full_batch = requests_.size() >= options_.batch_size;
  }
  if (full_batch) wake_.Signal();
}

void RequestLogWriter::Add(v1::ErrorLogEntry entry) {
  bool full_batch = false;
  {
    MutexLock lock(&mu_);
    if (errors_.size() >= options_.max_backlog) {
      errors_.pop_front();
      ++dropped_;
    }
    entry.set_delivery_sequence(++last_error_sequence_);
    errors_.push_back(std::move(entry));
    full_batch = errors_.size() >= options_.batch_size;
  }
  if (full_batch) wake_.Signal();
}

template <typename Entry>
absl::Status RequestLogWriter::FlushTable() {
  std::vector<Entry> batch;
  {
    MutexLock lock(&mu_);
    std::deque<Entry>& queue = QueueLocked(static_cast<const Entry*>(nullptr));
    size_t bytes = 0;
    while (!queue.empty() && batch.size() < options_.batch_size) {
      const size_t size = queue.front().ByteSizeLong();
      if (!batch.empty() && bytes + size > options_.max_batch_bytes) break;
      bytes += size;
      batch.push_back(std::move(queue.front()));
      queue.pop_front();
    }
  }
  if (batch.empty()) return absl::OkStatus();
  absl::Status status = Write(sink_, sender_, batch);
  if (!status.ok()) {
    // Put the batch back in front, oldest first; drop the oldest if rows
    // arrived meanwhile and the backlog overflowed.
    MutexLock lock(&mu_);
    std::deque<Entry>& queue = QueueLocked(static_cast<const Entry*>(nullptr));
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue.push_front(std::move(*it));
    while (queue.size() > options_.max_backlog) {
      queue.pop_front();
      ++dropped_;
    }
  }
  return status;
}

absl::Status RequestLogWriter::FlushOnce() {
  absl::Status requests = FlushTable<v1::RequestLogEntry>();
  absl::Status errors = FlushTable<v1::ErrorLogEntry>();
  return requests.ok() ? errors : requests;
}

size_t RequestLogWriter::backlog() const {
  MutexLock lock(&mu_);
  return requests_.size() + errors_.size();
}

uint64_t RequestLogWriter::dropped() const {
  MutexLock lock(&mu_);
  return dropped_;
}

void RequestLogWriter::Run() {
  bool failing = false;
  uint64_t dropped_logged = 0;
  for (;;) {
    bool stopping = false;
    {
      MutexLock lock(&mu_);
      const absl::Time deadline =
          absl::Now() + absl::Milliseconds(failing ? options_.retry_pause_ms : options_.flush_interval_ms);
      while (!stopping_ && (failing || (requests_.size() < options_.batch_size &&
                                        errors_.size() < options_.batch_size))) {
        if (wake_.WaitWithDeadline(&mu_, deadline)) break;
      }
      stopping = stopping_;
    }
    // Keep sending while full batches are waiting, so bursts drain quickly.
    absl::Status status;
    do {
      status = FlushOnce();
    } while (status.ok() && [&] {
      MutexLock lock(&mu_);
      return requests_.size() >= options_.batch_size || errors_.size() >= options_.batch_size ||
             (stopping && (!requests_.empty() || !errors_.empty()));
    }());
    if (!status.ok() && !failing) {
      GEMPOOL_LOG(WARNING) << "request log rows are waiting: " << status.message()
                           << " (backlog " << backlog() << " rows; retrying)";
    } else if (status.ok() && failing) {
      GEMPOOL_LOG(INFO) << "request log rows reach persistence again";
    }
    failing = !status.ok();
    if (const uint64_t d = dropped(); d != dropped_logged) {
      GEMPOOL_LOG(WARNING) << "dropped " << d - dropped_logged
                           << " log rows: the backlog for persistence is full";
      dropped_logged = d;
    }
    if (stopping) {
      if (const size_t left = backlog(); left > 0) {
        GEMPOOL_LOG(WARNING) << "stopping with " << left
                             << " log rows not written: " << status.message();
      }
      return;
    }
  }
}

}  // namespace gempool::gateway
