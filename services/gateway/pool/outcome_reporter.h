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
// Thread-safe.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
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
    // Backoff before sending a batch again after the broker failed to take it.
    int retry_initial_ms = 200;
    int retry_max_ms = 5000;
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
  void Stop();

  void Report(v1::ReportOutcomeRequest report);

  uint64_t dropped() const;
  uint64_t failed() const;
  // The id each batch names (ReportOutcomesRequest.sender).
  const std::string& sender() const { return sender_; }
  // Reports waiting to be sent.
  size_t queued() const;

 private:
  void Run();

  const SendFn send_;
  const Options options_;
  const std::string sender_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<v1::ReportOutcomeRequest> queue_;
  // Reports in queue_ that are not successes.
  size_t urgent_ = 0;
  uint64_t last_sequence_ = 0;  // Of the last report queued.
  bool stopping_ = false;
  uint64_t dropped_ = 0;
  uint64_t failed_ = 0;
  std::thread thread_;
};

}  // namespace gempool::gateway
