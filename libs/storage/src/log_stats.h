#pragma once
// The SQL behind the Store's statistics: AggregateRequestLogs (calls per
// time bucket, per model and key, the latency histogram) and TopErrorKeys
// (the keys with the most error-log rows of one status). The checks run
// before a session is leased; the queries throw SOCI exceptions, which
// SociStore turns into statuses. Stateless; thread-safe.

#include <soci/soci.h>

#include "absl/status/status.h"
#include "gempool/storage/store_options.h"
#include "gempool/v1/persistence.pb.h"

namespace gempool::storage {

// kInvalidArgument when `request` is outside the limits persistence.proto
// states.
absl::Status CheckAggregateRequest(const v1::AggregateRequestLogsRequest& request);
absl::Status CheckTopErrorKeysRequest(const v1::TopErrorKeysRequest& request);

// Run the checked request's queries on `session`.
v1::AggregateRequestLogsResponse QueryAggregate(soci::session& session, Backend backend,
                                                const v1::AggregateRequestLogsRequest& request);
v1::TopErrorKeysResponse QueryTopErrorKeys(soci::session& session, const v1::TopErrorKeysRequest& request);

}  // namespace gempool::storage
