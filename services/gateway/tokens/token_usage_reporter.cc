#include "tokens/token_usage_reporter.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/delivery_ledger.h"
#include "gempool/common/logging.h"
#include "gempool/common/thread_role.h"

namespace gempool::gateway {

TokenUsageReporter::TokenUsageReporter(ClientTokenReplica& replica, SendFn send, Options options)
    : replica_(replica), send_(std::move(send)), options_(options), sender_(NewDeliverySender("gateway")) {}

TokenUsageReporter::~TokenUsageReporter() { Stop(); }

void TokenUsageReporter::Start() {
  MutexLock lock(&mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] {
    SetThreadName("gw-token-usage");
    Run();
  });
}

void TokenUsageReporter::Stop() {
  {
    MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
  // The last requests' use: an unanswered batch first, then the rest.
  if (ReportOnce()) ReportOnce();
}

uint64_t TokenUsageReporter::failed() const {
  MutexLock lock(&mu_);
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
  MutexLock lock(&mu_);
  if (failed_++ == 0 || failed_ % 100 == 0) {
    GEMPOOL_LOG(WARNING) << "client token usage not reported yet (" << sent.message()
                         << "); counting locally and retrying";
  }
  return false;
}

void TokenUsageReporter::Run() {
  Backoff retry({2 * int64_t{options_.interval_ms}, options_.retry_max_ms, options_.retry_jitter});
  int64_t wait_ms = options_.interval_ms;
  while (true) {
    {
      MutexLock lock(&mu_);
      const absl::Time deadline = absl::Now() + absl::Milliseconds(wait_ms);
      while (!stopping_) {
        if (wake_.WaitWithDeadline(&mu_, deadline)) break;
      }
      if (stopping_) return;
    }
    if (ReportOnce()) {
      retry.Reset();
      wait_ms = options_.interval_ms;
    } else {
      wait_ms = retry.NextMs();
    }
  }
}

}  // namespace gempool::gateway
