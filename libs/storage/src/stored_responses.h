#pragma once
// The SQL behind the Store's stored Responses API responses
// (gempool_stored_responses): input checks, the insert-or-replace that never
// touches another owner's row, reads and deletes scoped to the owner, and the
// bounded purge of expired rows. SociStore leases the session, runs these and
// turns SOCI exceptions into statuses; everything here throws them.

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gempool/storage/store_options.h"
#include "gempool/v1/persistence.pb.h"

namespace gempool::storage {

// Expired rows one purge removes at most (see PurgeExpiredStoredResponses).
inline constexpr int kStoredResponsePurgeBatch = 10;

// kInvalidArgument unless `id` is "resp_" and then 1 or more letters, digits,
// '_' or '-', kMaxStoredResponseIdBytes in all at most.
absl::Status CheckStoredResponseId(absl::string_view id);

// kInvalidArgument unless `owner` is 1 to kMaxStoredResponseOwnerBytes
// printable ASCII characters without spaces.
absl::Status CheckStoredResponseOwner(absl::string_view owner);

// The checks of Store::PutStoredResponse: id, owner, times and body size.
absl::Status CheckStoredResponse(const v1::StoredResponse& response);

// Inserts `response`, or replaces the row with its id if the same owner
// stored it. Returns false, writing nothing, when another owner holds the id.
bool UpsertStoredResponse(soci::session& session, Backend backend, const v1::StoredResponse& response);

// The row with `id` and `owner` that expires after `now_ms`, if any.
std::optional<v1::StoredResponse> FindStoredResponse(soci::session& session, const std::string& id,
                                                     const std::string& owner, int64_t now_ms);

// Deletes the row with `id` and `owner` if it expires after `now_ms`;
// whether one was deleted.
bool DeleteStoredResponseRow(soci::session& session, const std::string& id, const std::string& owner,
                             int64_t now_ms);

// Deletes at most kStoredResponsePurgeBatch rows that expired by `now_ms`;
// returns how many.
long long PurgeExpiredStoredResponses(soci::session& session, Backend backend, int64_t now_ms);

}  // namespace gempool::storage
