#pragma once
// Counts the tokens of every finished request against its managed client
// token (tokens_per_day): the RequestLogWriter hands each finished row here
// (client_token_id and usage filled by the handlers). Quick, no I/O.
// Thread-safe (the replica is).

#include "logs/request_observer.h"
#include "tokens/client_token_replica.h"

namespace gempool::gateway {

class TokenUsageObserver final : public RequestObserver {
 public:
  // `replica` must outlive this.
  explicit TokenUsageObserver(ClientTokenReplica& replica) : replica_(replica) {}

  void OnRequestFinished(const v1::RequestLogEntry& entry) override {
    if (entry.client_token_id().empty() || entry.usage().total_tokens() <= 0) return;
    replica_.RecordTokens(entry.client_token_id(), entry.time_ms() + entry.latency_ms(),
                          entry.usage().total_tokens());
  }

 private:
  ClientTokenReplica& replica_;
};

}  // namespace gempool::gateway
