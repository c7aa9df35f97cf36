#pragma once
// Sends attempt outcomes to the key broker off the request path: Report()
// only queues; a background thread sends what queued up since its last call
// in one batch (ReportOutcomes), so a busy gateway makes a few calls a second
// instead of one per request, and a slow broker never delays a client. A
// batch the broker did not take is sent again after a backoff (a restarting
// broker still learns which keys failed meanwhile). The queue is bounded;
// when the broker cannot keep up the oldest reports are dropped and counted.
// Each report is numbered as it is queued and each batch names this
// reporter (a sender id drawn at construction), so the broker applies a
// batch sent again after a lost answer only once (gempool/common/delivery_ledger.h).
// Thread-safe: mu_ guards the queue and the counts, and is never held while a
// batch is sent; the owner calls Start and Stop.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "gempool/common/backoff.h"
#include "gempool/common/mutex.h"
#include "gempool/v1/keybroker.pb.h"

namespace gempool::gateway {

class OutcomeReporter {
 public:
  // Where reports go, in batches of up to max_batch, oldest first, with
  // this reporter's sender id; KeyBrokerClient::ReportOutcomes in production.
  using SendFn = std::function<absl::Status(const v1::ReportOutcomesRequest&)>;

  struct Options {
    size_t max_queued = 10000;
    size_t max_batch = 500;
    // Backoff before sending a batch again after the broker failed to take it
    // (with up to this jitter share off each wait, so gateways do not all
    // come back at once; 0 for exact waits).
    int retry_initial_ms = 200;
    int retry_max_ms = 5000;
    double retry_jitter = kDefaultBackoffJitter;
    // A batch of successes only waits this long for more reports (a quiet
    // gateway then makes one call per linger, not one per request). A
    // failure report is sent at once: other gateways learn from the broker
    // that a key went bad.
    int linger_ms = 20;
  };

  OutcomeReporter(SendFn send, Options options);
  OutcomeReporter(const OutcomeReporter&) = delete;
  OutcomeReporter& operator=(const OutcomeReporter&) = delete;
  ~OutcomeReporter();  // Stop()s.

  void Start();
  // Sends what is queued (while the broker takes it), then ends the thread.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  void Report(v1::ReportOutcomeRequest report) ABSL_LOCKS_EXCLUDED(mu_);

  uint64_t dropped() const ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t failed() const ABSL_LOCKS_EXCLUDED(mu_);
  // The id each batch names (ReportOutcomesRequest.sender).
  const std::string& sender() const { return sender_; }
  // Reports waiting to be sent.
  size_t queued() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  const SendFn send_;
  const Options options_;
  const std::string sender_;
  mutable Mutex mu_;
  CondVar wake_;  // Signalled on stopping_ and when the thread has work now.
  std::deque<v1::ReportOutcomeRequest> queue_ ABSL_GUARDED_BY(mu_);
  // Reports in queue_ that are not successes.
  size_t urgent_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;  // Of the last report queued.
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t failed_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;  // Start and Stop's (the owner's).
};

}  // namespace gempool::gateway
