#pragma once
// /api/stats: calls over time for the statistics page, aggregated by the
// persistence service (one query per part, bounded windows and buckets):
//
//   GET /stats?range=1h|24h|30d
//     → buckets (calls, successes, failures, mean latency) over the range,
//       the busiest models and keys, latency percentiles (from a histogram,
//       kept within the lowest and highest latency seen) and the mean, and
//       totals for the last minute, hour, day and 30 days and for the
//       calendar month so far; the TIMEZONE they were cut in ("timezone").
//   GET /stats/attention?status=429&limit=10
//     → the keys with the most failed upstream attempts answered `status`
//       (e.g. 429, 403, 400) in the last 24 hours, from the error log
//       (retried attempts included), masked, with their counts.
//
// Buckets of 1h and 24h are aligned to multiples of their width, so the
// chart does not shift between refreshes; the 30d range has one bucket per
// calendar day in TIMEZONE (23 or 25 hours across a DST change). The month
// begins at local midnight on the 1st in TIMEZONE. Thread-safe.

#include "admin/admin_backend.h"
#include "admin/api_call.h"
#include "admin/display_zone.h"
#include "gempool/common/clock.h"

namespace gempool::gateway::admin {

class StatsApi {
 public:
  // All references must outlive the API; `zone` is read per call.
  StatsApi(AdminBackend& backend, const Clock& clock, const DisplayZone& zone)
      : backend_(backend), clock_(clock), zone_(zone) {}

  ApiResult Handle(const ApiCall& call);

 private:
  ApiResult Stats(const ApiCall& call);
  ApiResult Attention(const ApiCall& call);

  AdminBackend& backend_;
  const Clock& clock_;
  const DisplayZone& zone_;
};

// The latency below which fraction `q` (0..1) of the calls fall, estimated
// from the histogram by linear interpolation within a bin, then kept within
// [min_ms, max_ms] (the lowest and highest latency seen; both 0 when unknown:
// no clamp); 0 without calls.
int64_t LatencyPercentile(const google::protobuf::RepeatedPtrField<v1::LatencyBin>& bins, double q,
                          int64_t min_ms = 0, int64_t max_ms = 0);

}  // namespace gempool::gateway::admin
