#pragma once
// /api/stats: calls over time for the statistics page, aggregated by the
// persistence service (one query per part, bounded windows and buckets):
//
//   GET /stats?range=1h|24h|30d
//     → buckets (calls, successes, failures, mean latency) over the range,
//       the busiest models and keys, latency percentiles (from a histogram),
//       and totals for the last minute, hour, day and 30 days.
//
// Buckets are aligned to multiples of their width, so the chart does not
// shift between refreshes. Thread-safe.

#include "admin/admin_backend.h"
#include "admin/api_call.h"
#include "gempool/common/clock.h"

namespace gempool::gateway::admin {

class StatsApi {
 public:
  StatsApi(AdminBackend& backend, const Clock& clock) : backend_(backend), clock_(clock) {}

  ApiResult Handle(const ApiCall& call);

 private:
  AdminBackend& backend_;
  const Clock& clock_;
};

// The latency below which fraction `q` (0..1) of the calls fall, estimated
// from the histogram by linear interpolation within a bin; 0 without calls.
int64_t LatencyPercentile(const google::protobuf::RepeatedPtrField<v1::LatencyBin>& bins, double q);

}  // namespace gempool::gateway::admin
