#pragma once
// Sends this gateway's use of managed client tokens to the key broker off
// the request path: every interval it takes what the replica counted since
// the last report (ClientTokenReplica::TakeUnreported) and sends it in one
// ReportTokenUsage call; what the broker did not take goes back into the
// replica (still counted locally, sent again after a backoff), so limits
// hold while the broker is down. A quiet gateway makes no calls.
// Thread-safe.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "gempool/v1/keybroker.pb.h"
#include "tokens/client_token_replica.h"

namespace gempool::gateway {

class TokenUsageReporter {
 public:
  // KeyBroker.ReportTokenUsage in production.
  using SendFn = std::function<absl::Status(const v1::ReportTokenUsageRequest&)>;

  struct Options {
    int interval_ms = 100;
    int retry_max_ms = 2000;
  };

  // `replica` must outlive this.
  TokenUsageReporter(ClientTokenReplica& replica, SendFn send, Options options);
  TokenUsageReporter(const TokenUsageReporter&) = delete;
  TokenUsageReporter& operator=(const TokenUsageReporter&) = delete;
  ~TokenUsageReporter();  // Stop()s.

  void Start();
  // Sends once more (while the broker takes it), then ends the thread.
  void Stop();
  // One round: take, send, acknowledge or restore. Whether it sent (or had
  // nothing to send) successfully.
  bool ReportOnce();

  uint64_t failed() const;

 private:
  void Run();

  ClientTokenReplica& replica_;
  const SendFn send_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  uint64_t failed_ = 0;
  std::thread thread_;
};

}  // namespace gempool::gateway
