#pragma once
// Token usage per UTC hour, key, model and client token
// (gempool_usage_hourly, schema migration 8): added to in the transaction
// that writes a batch of request log rows, and summed by QueryUsage. Log
// retention never deletes these rows, so usage history outlives the raw
// log. The statements throw SOCI exceptions, which SociStore turns into
// statuses. Stateless; thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include <soci/soci.h>

#include "absl/status/status.h"
#include "gempool/storage/store_options.h"
#include "gempool/v1/persistence.pb.h"
#include "gempool/v1/types.pb.h"

namespace gempool::storage {

// The start (Unix ms) of the UTC hour holding `time_ms` (0 for times before 1970).
int64_t HourStartMs(int64_t time_ms);

// Adds `entries` to the hourly rows: summed per (hour, key, model, token) in
// memory first, then one upsert statement per chunk. `now_ms` stands in for
// an entry's time 0; `model` and `client_token_id` must be cleaned the way
// the log row's are (the callback), so both tables name a call alike.
struct UsageNames {
  std::string model;
  std::string client_token_id;
};
void AddHourlyUsage(soci::session& session, Backend backend, const std::vector<v1::RequestLogEntry>& entries,
                    int64_t now_ms, const std::vector<UsageNames>& names);

// kInvalidArgument, saying what to change, when `query` is outside what
// persistence.proto's UsageQuery allows. `now_ms` stands in for until_ms 0.
absl::Status CheckUsageQuery(const v1::UsageQuery& query, int64_t now_ms);

// Runs a checked query.
v1::UsageReport QueryUsageReport(soci::session& session, const v1::UsageQuery& query, int64_t now_ms);

}  // namespace gempool::storage
