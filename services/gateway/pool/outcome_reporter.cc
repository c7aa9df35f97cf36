#include "pool/outcome_reporter.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/delivery_ledger.h"
#include "gempool/common/logging.h"
#include "gempool/common/thread_role.h"

namespace gempool::gateway {

OutcomeReporter::OutcomeReporter(SendFn send, Options options)
    : send_(std::move(send)), options_(options), sender_(NewDeliverySender("gateway")) {}

OutcomeReporter::~OutcomeReporter() { Stop(); }

void OutcomeReporter::Start() {
  thread_ = std::thread([this] {
    SetThreadName("gw-outcomes");
    Run();
  });
}

void OutcomeReporter::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

namespace {

bool IsUrgent(const v1::ReportOutcomeRequest& report) { return report.kind() != v1::OUTCOME_KIND_SUCCESS; }

}  // namespace

void OutcomeReporter::Report(v1::ReportOutcomeRequest report) {
  bool wake;
  {
    MutexLock lock(&mu_);
    if (queue_.size() >= options_.max_queued) {
      if (IsUrgent(queue_.front())) --urgent_;
      queue_.pop_front();
      ++dropped_;
    }
    const bool urgent = IsUrgent(report);
    if (urgent) ++urgent_;
    report.set_delivery_sequence(++last_sequence_);
    queue_.push_back(std::move(report));
    // Wake-ups cost a system call each: only when the thread has something
    // to do now (start a batch, end a linger early).
    wake = queue_.size() == 1 || urgent || queue_.size() == options_.max_batch;
  }
  if (wake) wake_.Signal();
}

size_t OutcomeReporter::queued() const {
  MutexLock lock(&mu_);
  return queue_.size();
}

uint64_t OutcomeReporter::dropped() const {
  MutexLock lock(&mu_);
  return dropped_;
}

uint64_t OutcomeReporter::failed() const {
  MutexLock lock(&mu_);
  return failed_;
}

void OutcomeReporter::Run() {
  uint64_t dropped_logged = 0;
  bool last_failed = false;
  Backoff backoff({options_.retry_initial_ms, options_.retry_max_ms, options_.retry_jitter});
  for (;;) {
    v1::ReportOutcomesRequest batch;
    batch.set_sender(sender_);
    uint64_t dropped_now = 0;
    {
      MutexLock lock(&mu_);
      while (!stopping_ && queue_.empty()) wake_.Wait(&mu_);
      if (queue_.empty()) return;  // Stopping and drained.
      if (!stopping_ && urgent_ == 0 && queue_.size() < options_.max_batch && options_.linger_ms > 0) {
        const absl::Time deadline = absl::Now() + absl::Milliseconds(options_.linger_ms);
        while (!stopping_ && urgent_ == 0 && queue_.size() < options_.max_batch) {
          if (wake_.WaitWithDeadline(&mu_, deadline)) break;
        }
      }
      if (stopping_ && last_failed) {
        // The broker is not answering; do not hold shutdown up for it.
        GEMPOOL_LOG(WARNING) << "dropping " << queue_.size()
                             << " key outcome reports at shutdown: the key broker is not answering";
        queue_.clear();
        urgent_ = 0;
        return;
      }
      const size_t n = std::min(queue_.size(), options_.max_batch);
      batch.mutable_reports()->Reserve(static_cast<int>(n));
      for (size_t i = 0; i < n; ++i) {
        if (IsUrgent(queue_.front())) --urgent_;
        *batch.add_reports() = std::move(queue_.front());
        queue_.pop_front();
      }
      dropped_now = dropped_;
    }
    if (dropped_now != dropped_logged) {
      GEMPOOL_LOG(WARNING) << "dropped " << dropped_now - dropped_logged
                           << " key outcome reports: the key broker is not keeping up";
      dropped_logged = dropped_now;
    }
    const absl::Status status = send_(batch);
    if (status.ok()) {
      if (last_failed) {
        GEMPOOL_LOG(INFO) << "key outcome reports reach the key broker again";
      }
      last_failed = false;
      backoff.Reset();
      continue;
    }
    // One line per failure streak, not per batch.
    if (!last_failed) {
      GEMPOOL_LOG(WARNING) << "could not report " << batch.reports_size()
                           << " key outcomes; retrying: " << status.message();
    }
    last_failed = true;
    {
      MutexLock lock(&mu_);
      ++failed_;
      // Back in front, oldest first, within the bound (the oldest go first).
      auto& sent = *batch.mutable_reports();
      for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
        if (IsUrgent(*it)) ++urgent_;
        queue_.push_front(std::move(*it));
      }
      while (queue_.size() > options_.max_queued) {
        if (IsUrgent(queue_.front())) --urgent_;
        queue_.pop_front();
        ++dropped_;
      }
      const absl::Time deadline = absl::Now() + absl::Milliseconds(backoff.NextMs());
      while (!stopping_) {
        if (wake_.WaitWithDeadline(&mu_, deadline)) break;
      }
    }
  }
}

}  // namespace gempool::gateway
