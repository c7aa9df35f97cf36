#pragma once
// The SQL behind the Store's Files API records: resumable upload sessions
// (gempool_upload_sessions: gempool's session id → Google's upload URL and
// the key that started it) and the files Google created
// (gempool_file_records: "files/<id>" → the pool key that can see it and the
// client token that uploaded it). Input checks, replace-by-id writes,
// reads that skip expired rows, keyset-paged listing (newest first), and the
// purge of expired rows. SociStore leases the session, runs these and turns
// SOCI exceptions into statuses; everything here throws them.

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/storage/store_options.h"
#include "gempool/v1/persistence.pb.h"

namespace gempool::storage {

// Expired rows of each table one write-path purge removes at most (see
// SociStore::PutUploadSession).
inline constexpr int kFilePurgeBatch = 10;
// Rows one statement of the periodic clean-up removes at most; it repeats
// until fewer remain.
inline constexpr int kFileCleanupBatch = 1000;

// The checks of Store::PutUploadSession / PutFileRecord.
absl::Status CheckUploadSessionId(absl::string_view id);
absl::Status CheckUploadSession(const v1::UploadSession& session);
absl::Status CheckFileName(absl::string_view name);
absl::Status CheckFileRecord(const v1::FileRecord& record);
// page_size and page_token of a list request; the page size to use.
absl::StatusOr<int> CheckListFileRecords(const v1::ListFileRecordsRequest& request);

void ReplaceUploadSession(soci::session& session, const v1::UploadSession& upload);
std::optional<v1::UploadSession> FindUploadSession(soci::session& session, const std::string& id, int64_t now_ms);

void ReplaceFileRecord(soci::session& session, const v1::FileRecord& record);
std::vector<v1::FileRecord> FindFileRecords(soci::session& session, const std::vector<std::string>& names,
                                            int64_t now_ms);
// One page, newest first (created_at_ms, then name, both descending).
v1::ListFileRecordsResponse ListFileRecordRows(soci::session& session, const v1::ListFileRecordsRequest& request,
                                               int page_size, int64_t now_ms);
bool DeleteFileRecordRow(soci::session& session, const std::string& name);

// Deletes at most `limit` expired rows from each table; returns how many in
// all.
long long PurgeExpiredFileRows(soci::session& session, Backend backend, int64_t now_ms, int limit);

}  // namespace gempool::storage
