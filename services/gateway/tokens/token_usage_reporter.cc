#include "tokens/token_usage_reporter.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "gempool/common/delivery_ledger.h"
#include "gempool/common/logging.h"
#include "gempool/common/thread_role.h"

namespace gempool::gateway {

TokenUsageReporter::TokenUsageReporter(ClientTokenReplica& replica, SendFn send, Options options)
    : replica_(replica), send_(std::move(send)), options_(options), sender_(NewDeliverySender("gateway")) {}

TokenUsageReporter::~TokenUsageReporter() { Stop(); }

void TokenUsageReporter::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] {
    SetThreadName("gw-token-usage");
    Run();
  });
}

void TokenUsageReporter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // The last requests' use: an unanswered batch first, then the rest.
  if (ReportOnce()) ReportOnce();
}

uint64_t TokenUsageReporter::failed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_;
}

bool TokenUsageReporter::ReportOnce() {
  if (!unanswered_.has_value()) {
    std::vector<v1::TokenUsageDelta> deltas = replica_.TakeUnreported();
    if (deltas.empty()) return true;
    v1::ReportTokenUsageRequest request;
    for (v1::TokenUsageDelta& delta : deltas) *request.add_deltas() = std::move(delta);
    request.set_sender(sender_);
    request.set_delivery_sequence(next_sequence_++);
    unanswered_ = std::move(request);
  }
  const absl::Status sent = send_(*unanswered_);
  if (sent.ok()) {
    replica_.Acknowledged();
    unanswered_.reset();
    return true;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (failed_++ == 0 || failed_ % 100 == 0) {
    GEMPOOL_LOG(WARNING) << "client token usage not reported yet (" << sent.message()
                         << "); counting locally and retrying";
  }
  return false;
}

void TokenUsageReporter::Run() {
  int wait_ms = options_.interval_ms;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(wait_ms), [this] { return stopping_; });
      if (stopping_) return;
    }
    wait_ms = ReportOnce() ? options_.interval_ms : std::min(wait_ms * 2, options_.retry_max_ms);
  }
}

}  // namespace gempool::gateway
