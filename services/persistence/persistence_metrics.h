#pragma once
// The persistence service's Prometheus metrics, served on
// PERSISTENCE_METRICS_LISTEN: RPCs by method and code (a server
// interceptor), the database write latency of WriteRequestLogs,
// WriteErrorLogs and SaveKeyStates (PersistenceService times them), and the
// process metrics. Thread-safe.

#include "gempool/metrics/grpc_server_metrics.h"
#include "gempool/metrics/registry.h"

namespace gempool::persistence {

class PersistenceMetrics {
 public:
  PersistenceMetrics();

  metrics::Registry& registry() { return registry_; }
  metrics::GrpcServerMetrics& rpcs() { return rpcs_; }
  // gempool_persistence_db_write_duration_seconds{method}.
  metrics::Family<metrics::Histogram>& db_writes() { return db_writes_; }

 private:
  metrics::Registry registry_;
  metrics::GrpcServerMetrics rpcs_;
  metrics::Family<metrics::Histogram>& db_writes_;
};

}  // namespace gempool::persistence
