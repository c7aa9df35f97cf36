#pragma once
// Sends this gateway's use of managed client tokens to the key broker off
// the request path: every interval it takes what the replica counted since
// the last report (ClientTokenReplica::TakeUnreported) and sends it in one
// ReportTokenUsage call. A batch that got no answer is sent again, unchanged
// and with its number (sender id and delivery sequence, as outcome reports
// and log rows are), after a backoff, before anything newer: the broker may
// have applied it and lost only its answer, and counts a numbered batch
// once. Until the broker answers, the replica keeps counting the batch
// locally, so limits hold while the broker is down. A quiet gateway makes no
// calls.
// Threads: Start()/Stop() from the owner; ReportOnce() from one thread at a
// time (the reporter's own, or a test's before Start()), which owns the
// unanswered batch and the numbering; mu_ guards stopping_ and failed_.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "gempool/common/backoff.h"
#include "gempool/common/mutex.h"
#include "gempool/v1/keybroker.pb.h"
#include "tokens/client_token_replica.h"

namespace gempool::gateway {

class TokenUsageReporter {
 public:
  // KeyBroker.ReportTokenUsage in production.
  using SendFn = std::function<absl::Status(const v1::ReportTokenUsageRequest&)>;

  struct Options {
    int interval_ms = 100;
    // After a failed report the wait doubles from 2 × interval_ms up to
    // retry_max_ms, less up to retry_jitter of it (gempool/common/backoff.h).
    int retry_max_ms = 2000;
    double retry_jitter = kDefaultBackoffJitter;
  };

  // `replica` must outlive this.
  TokenUsageReporter(ClientTokenReplica& replica, SendFn send, Options options);
  TokenUsageReporter(const TokenUsageReporter&) = delete;
  TokenUsageReporter& operator=(const TokenUsageReporter&) = delete;
  ~TokenUsageReporter();  // Stop()s.

  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  // Sends once more (while the broker takes it), then ends the thread.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);
  // One round: the batch still unanswered, else a new one taken from the
  // replica; sent, and acknowledged to the replica when the broker took it.
  // Whether it sent (or had nothing to send) successfully.
  bool ReportOnce() ABSL_LOCKS_EXCLUDED(mu_);

  uint64_t failed() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  ClientTokenReplica& replica_;
  const SendFn send_;
  const Options options_;
  const std::string sender_;  // NewDeliverySender: this process's id.

  // ReportOnce's (one thread at a time).
  uint64_t next_sequence_ = 1;
  std::optional<v1::ReportTokenUsageRequest> unanswered_;
  mutable Mutex mu_;
  CondVar wake_;  // Signalled on stopping_.
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t failed_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;  // Start and Stop's (the owner's).
};

}  // namespace gempool::gateway
