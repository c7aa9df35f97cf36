#pragma once
// gemini-balance's t_file_records for `gempoolctl import gemini-balance`:
// the Files API files it uploaded, each bound to the pool key that uploaded
// it and the client token that owns it, become gempool FileRecords, so calls
// naming those files keep going to the right key after the switch. Only rows
// whose upload completed and that have not expired are taken; a row whose
// api_key is not in gempool's pool (keys are imported first) is skipped and
// reported by name.
//
// gemini-balance writes naive local times (the container's TZ); they are read
// as UTC, so a record may outlive its file by the zone's offset (harmless:
// Google then answers that the file is gone).
//
// Stateless; thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gemini_balance_source.h"
#include "gempool/v1/persistence.grpc.pb.h"

namespace gempool::ctl {

// One t_file_records row, as read.
struct GeminiBalanceFileRow {
  std::string name;  // "files/<id>"
  std::string display_name;
  std::string mime_type;
  int64_t size_bytes = 0;
  std::string state;  // PROCESSING, ACTIVE, FAILED
  std::string uri;
  std::string api_key;
  std::string user_token;
  std::string create_time;      // As stored ("2025-05-01 10:00:00[.ffffff]").
  std::string expiration_time;  // Likewise.
  bool upload_completed = false;
};

// Every row of t_file_records; empty when the table does not exist (older
// gemini-balance). Errors as ReadGeminiBalanceSettings.
absl::StatusOr<std::vector<GeminiBalanceFileRow>> ReadGeminiBalanceFiles(const GeminiBalanceSource& source);

struct FileRecordsPlan {
  std::vector<v1::FileRecord> records;
  // Files whose key is not in the pool (their names).
  std::vector<std::string> skipped_unknown_key;
  // Rows left out because the upload never completed or the file expired.
  int skipped_expired_or_incomplete = 0;
};

// The records to store for `rows`: `key_ids` maps each pool secret to its
// id; `now_ms` decides what has expired.
FileRecordsPlan PlanFileRecords(const std::vector<GeminiBalanceFileRow>& rows,
                                const std::map<std::string, int64_t>& key_ids, int64_t now_ms);

struct FilesImportOutcome {
  int found = 0;     // Rows in t_file_records.
  int imported = 0;  // Records stored (or that would be, in a dry run).
  std::vector<std::string> skipped_unknown_key;
  int skipped_expired_or_incomplete = 0;
};

// The import's files step, after its keys step: reads t_file_records, maps
// each api_key to its pool id (LoadKeys; in a dry run, keys the import would
// add count as present) and stores the records with PutFileRecord. Errors
// name persistence or the source.
absl::StatusOr<FilesImportOutcome> ImportGeminiBalanceFiles(const GeminiBalanceSource& source,
                                                            v1::Persistence::StubInterface& persistence,
                                                            const std::string& persistence_addr, int timeout_ms,
                                                            bool dry_run, const std::vector<std::string>& planned_keys,
                                                            int64_t now_ms);

// Unix ms of a gemini-balance DATETIME ("2025-05-01 10:00:00", optionally
// with fractional seconds or a 'T'), read as UTC; nullopt when malformed.
std::optional<int64_t> ParseGeminiBalanceTime(const std::string& text);

}  // namespace gempool::ctl
