#pragma once
// The gateway's Prometheus metrics (GET /metrics): requests by route (the
// request log row's operation), status and model; total latency and the
// latency gempool adds (the row's latency_ms - upstream_ms); upstream
// attempts by outcome; and, read at scrape time, streams open, the keys of
// the replica by pool and state and cooling per model, the request-log
// queue (rows waiting, dropped), the outcome-report queue, and the time
// persistence took for each log batch (TimedLogSink). Process metrics too.
//
// Fed as a RequestObserver (RequestLogWriter calls it for every row) and an
// AttemptObserver (the Forwarder): a few relaxed atomic adds and one
// look-up by (route, status, model) per request. The model label keeps the
// first 100 distinct names (clients choose them), the rest count as
// "other". Thread-safe; sources passed to Watch*() must outlive scrapes.

#include <array>
#include <functional>
#include <string>

#include "logs/request_log_writer.h"
#include "logs/request_observer.h"
#include "gempool/metrics/registry.h"
#include "pool/key_pool_replica.h"
#include "pool/outcome_reporter.h"
#include "upstream/attempt_observer.h"

namespace gempool::gateway {

class GatewayMetrics final : public RequestObserver, public AttemptObserver {
 public:
  // Registers the gateway's families (and the process metrics) in `registry`.
  explicit GatewayMetrics(metrics::Registry& registry);

  // Scrape-time sources.
  void WatchReplica(const KeyPoolReplica& replica);
  void WatchLogWriter(const RequestLogWriter& logs);
  void WatchOutcomeReporter(const OutcomeReporter& reporter);
  void WatchOpenStreams(std::function<size_t()> open_streams);

  // Where TimedLogSink puts the time one batch write took ("request" or
  // "error" rows).
  metrics::Histogram& request_log_write() { return *request_log_write_; }
  metrics::Histogram& error_log_write() { return *error_log_write_; }

  // RequestObserver
  void OnRequestFinished(const v1::RequestLogEntry& entry) override;
  // AttemptObserver
  void OnAttempt(AttemptOutcome outcome) override;

 private:
  metrics::Registry& registry_;
  metrics::Family<metrics::Counter>& requests_;
  // [stream]: 0 unary, 1 streamed.
  std::array<metrics::Histogram*, 2> duration_{};
  std::array<metrics::Histogram*, 2> added_{};
  std::array<metrics::Counter*, kAttemptOutcomeCount> attempts_{};
  metrics::Histogram* request_log_write_ = nullptr;
  metrics::Histogram* error_log_write_ = nullptr;
};

}  // namespace gempool::gateway
