#pragma once
// The key broker's Prometheus metrics, served on KEYBROKER_METRICS_LISTEN:
// keys by pool and state (and cooling per model), outcome reports received
// by kind, gateways watching the pool, the state-write backlog, RPCs by
// method and code (a server interceptor), and the process metrics.
// Thread-safe; the sources must outlive scrapes.

#include <array>

#include "gempool/keypool/key_pools.h"
#include "gempool/metrics/grpc_server_metrics.h"
#include "gempool/metrics/registry.h"
#include "gempool/v1/keybroker.pb.h"
#include "key_state_writer.h"
#include "key_watch_hub.h"

namespace gempool::keybroker {

class BrokerMetrics {
 public:
  BrokerMetrics(keypool::KeyPools& pools, const KeyWatchHub& hub, const KeyStateWriter& writer);

  metrics::Registry& registry() { return registry_; }
  metrics::GrpcServerMetrics& rpcs() { return rpcs_; }
  // One outcome report received (ReportOutcomes, ReportOutcome).
  void OnOutcome(v1::OutcomeKind kind);

 private:
  metrics::Registry registry_;
  metrics::GrpcServerMetrics rpcs_;
  // Indexed by v1::OutcomeKind (0, UNSPECIFIED, holds anything unknown).
  static constexpr int kKinds = 8;
  std::array<metrics::Counter*, kKinds> outcomes_{};
};

}  // namespace gempool::keybroker
