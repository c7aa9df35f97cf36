#include "outcome_reporter.h"

#include <utility>

#include "gempool/common/logging.h"

namespace gempool::gateway {

OutcomeReporter::OutcomeReporter(SendFn send, size_t max_queued)
    : send_(std::move(send)), max_queued_(max_queued) {}

OutcomeReporter::~OutcomeReporter() { Stop(); }

void OutcomeReporter::Start() { thread_ = std::thread([this] { Run(); }); }

void OutcomeReporter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OutcomeReporter::Report(v1::ReportOutcomeRequest report) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= max_queued_) {
      queue_.pop_front();
      ++dropped_;
    }
    queue_.push_back(std::move(report));
  }
  wake_.notify_one();
}

uint64_t OutcomeReporter::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

uint64_t OutcomeReporter::failed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_;
}

void OutcomeReporter::Run() {
  uint64_t dropped_logged = 0;
  bool last_failed = false;
  for (;;) {
    v1::ReportOutcomeRequest report;
    uint64_t dropped_now = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // Stopping and drained.
      if (stopping_ && last_failed) {
        // The broker is not answering; do not hold shutdown up for it.
        GEMPOOL_LOG(WARNING) << "dropping " << queue_.size()
                             << " key outcome reports at shutdown: the key broker is not answering";
        queue_.clear();
        return;
      }
      report = std::move(queue_.front());
      queue_.pop_front();
      dropped_now = dropped_;
    }
    if (dropped_now != dropped_logged) {
      GEMPOOL_LOG(WARNING) << "dropped " << dropped_now - dropped_logged
                           << " key outcome reports: the key broker is not keeping up";
      dropped_logged = dropped_now;
    }
    const absl::Status status = send_(report);
    if (!status.ok()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++failed_;
      }
      // One line per failure streak, not per report.
      if (!last_failed) {
        GEMPOOL_LOG(WARNING) << "could not report a key outcome (key " << report.key_id()
                             << "): " << status.message();
      }
    } else if (last_failed) {
      GEMPOOL_LOG(INFO) << "key outcome reports reach the key broker again";
    }
    last_failed = !status.ok();
  }
}

}  // namespace gempool::gateway
