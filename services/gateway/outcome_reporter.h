#pragma once
// Sends attempt outcomes to the key broker off the request path: Report()
// only queues, a background thread does the RPCs, so a slow broker never
// delays a client. The queue is bounded; when the broker cannot keep up the
// oldest reports are dropped and counted. Thread-safe.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "gempool/v1/keybroker.pb.h"

namespace gempool::gateway {

class OutcomeReporter {
 public:
  // Where reports go; KeyBrokerClient::ReportOutcome in production.
  using SendFn = std::function<absl::Status(const v1::ReportOutcomeRequest&)>;

  OutcomeReporter(SendFn send, size_t max_queued);
  OutcomeReporter(const OutcomeReporter&) = delete;
  OutcomeReporter& operator=(const OutcomeReporter&) = delete;
  ~OutcomeReporter();  // Stop()s.

  void Start();
  // Sends what is queued (one attempt each), then ends the thread.
  void Stop();

  void Report(v1::ReportOutcomeRequest report);

  uint64_t dropped() const;
  uint64_t failed() const;

 private:
  void Run();

  const SendFn send_;
  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<v1::ReportOutcomeRequest> queue_;
  bool stopping_ = false;
  uint64_t dropped_ = 0;
  uint64_t failed_ = 0;
  std::thread thread_;
};

}  // namespace gempool::gateway
