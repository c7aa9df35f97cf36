#pragma once
// The storage seam of the persistence service: keys and their state, settings,
// the request and error logs, admin sessions and stored Responses API
// responses, as the operations of
// proto/gempool/v1/persistence.proto. Records are the generated proto record
// types (KeyRecord, RequestLogEntry, ErrorLogEntry, LogQuery) so there is one
// definition of each; everything else is plain C++. Implementations validate
// their inputs (kInvalidArgument) and report database trouble as
// kUnavailable (unreachable, busy), kAlreadyExists (constraint) or kInternal.
//
// Implementations are thread-safe.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gempool/v1/persistence.pb.h"
#include "gempool/v1/types.pb.h"

namespace gempool::storage {

// Page size of log queries when LogQuery.limit is 0, and the largest allowed.
inline constexpr int kDefaultLogLimit = 100;
inline constexpr int kMaxLogLimit = 1000;
// The most bytes of an error row's request_body a page of rows carries: a
// page of 1000 rows with whole bodies (up to 64 KiB each) would be tens of MB
// through persistence, the broker and the gateway. One row asked for by id
// (LogQuery.id) carries all of it.
inline constexpr size_t kErrorLogBodyPreviewBytes = 256;

// Longest key secret accepted (bytes; Gemini keys are 39).
inline constexpr int kMaxSecretBytes = 191;
// Longest setting name accepted (bytes).
inline constexpr int kMaxSettingNameBytes = 128;

// Stored Responses API responses: the longest id (characters, "resp_"
// included), the longest owner (bytes; gateways send 12-character token ids),
// and the largest body (bytes). The body cap is persistence's own limit; the
// gateway's RESPONSES_STORE_MAX_KB is at most this.
inline constexpr int kMaxStoredResponseIdBytes = 128;
inline constexpr int kMaxStoredResponseOwnerBytes = 64;
inline constexpr int64_t kMaxStoredResponseBodyBytes = 64 * 1024 * 1024;

// Files API records (see the Files API part of Store): upload session ids,
// owners (client token ids), Google's upload URL, file names ("files/<id>"),
// a file's metadata JSON, and list pages.
inline constexpr int kMinUploadSessionIdBytes = 16;
inline constexpr int kMaxUploadSessionIdBytes = 128;
inline constexpr int kMaxFileOwnerBytes = 64;
inline constexpr int kMaxUploadUrlBytes = 4096;
inline constexpr int kMaxFileNameBytes = 191;
inline constexpr int kMaxFileMetadataBytes = 64 * 1024;
inline constexpr int kDefaultFileListPageSize = 100;
inline constexpr int kMaxFileListPageSize = 1000;
// Names one GetFileRecords call may ask for.
inline constexpr int kMaxFileRecordNamesPerCall = 1000;

struct AddKeysResult {
  // One record per requested secret, in request order.
  std::vector<v1::KeyRecord> keys;
  // Whether this call inserted the secret (false when already stored or
  // repeated earlier in the request).
  std::vector<bool> inserted;
};

template <typename Entry>
struct LogPage {
  // Newest first.
  std::vector<Entry> entries;
  // Rows matching the filter, before pagination.
  int64_t total = 0;
};

struct PingResult {
  // "sqlite" or "mysql".
  std::string backend;
  // Highest schema migration applied.
  int schema_version = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Every stored key with its state, by ascending id.
  virtual absl::StatusOr<std::vector<v1::KeyRecord>> LoadKeys() = 0;

  // Inserts the secrets that are not stored yet (new keys start ACTIVE) and
  // returns the stored record of each requested secret. A secret must be 1 to
  // kMaxSecretBytes printable ASCII characters without spaces.
  // New keys are stored in `pool`; a secret already stored keeps its pool
  // (its record says which).
  virtual absl::StatusOr<AddKeysResult> AddKeys(const std::vector<std::string>& secrets,
                                                v1::Pool pool = v1::POOL_GEMINI) = 0;

  // Deletes keys by id; unknown ids are ignored. Returns the rows deleted.
  virtual absl::StatusOr<int> DeleteKeys(const std::vector<int64_t>& ids) = 0;

  // Writes the state fields of each key (everything but secret and
  // created_at_ms), the last record per id winning, in one transaction.
  // Returns the rows updated; ids that are not stored are skipped.
  virtual absl::StatusOr<int> SaveKeyStates(const std::vector<v1::KeyRecord>& keys) = 0;

  // Appends log rows in one transaction; ids are assigned by the store. Text
  // fields longer than their column are truncated and invalid UTF-8 is
  // replaced, so one odd row never loses a batch. time_ms 0 means now.
  // Returns the rows written.
  virtual absl::StatusOr<int> WriteRequestLogs(const std::vector<v1::RequestLogEntry>& entries) = 0;
  virtual absl::StatusOr<int> WriteErrorLogs(const std::vector<v1::ErrorLogEntry>& entries) = 0;

  // Rows matching `query`, newest first (by time, then id). `text` matches a
  // case-insensitive substring of the operation (request log) or the message
  // (error log). limit 0 means kDefaultLogLimit; more than kMaxLogLimit, a
  // negative offset or since_ms >= until_ms (both set) are kInvalidArgument.
  // Error rows carry the first kErrorLogBodyPreviewBytes of their
  // request_body (cut on a UTF-8 character boundary) and its whole size in
  // request_body_bytes. With query.id set, only that row, whole body
  // included, and no other field applies; kNotFound naming the id when no
  // row has it, kInvalidArgument for a negative id.
  virtual absl::StatusOr<LogPage<v1::RequestLogEntry>> QueryRequestLogs(const v1::LogQuery& query) = 0;
  virtual absl::StatusOr<LogPage<v1::ErrorLogEntry>> QueryErrorLogs(const v1::LogQuery& query) = 0;

  // Request log rows per key and model with time_ms >= since_ms: calls, and
  // failures (status_code >= 400), by key_id then model. `key_ids` empty
  // means every key id (0 included: requests that got no key); repeated ids
  // count once. A negative since_ms is kInvalidArgument.
  virtual absl::StatusOr<std::vector<v1::KeyUsageRow>> GetKeyUsage(const std::vector<int64_t>& key_ids,
                                                                   int64_t since_ms) = 0;

  // All stored settings, name → value as text.
  virtual absl::StatusOr<std::map<std::string, std::string>> GetSettings() = 0;

  // Inserts or replaces each setting, in one transaction; others are kept.
  // Names are environment variable names ([A-Za-z_][A-Za-z0-9_]*, at most
  // kMaxSettingNameBytes); values must be valid UTF-8.
  virtual absl::Status PutSettings(const std::map<std::string, std::string>& values) = 0;

  // Checks that the database answers and reports the schema version.
  virtual absl::StatusOr<PingResult> Ping() = 0;

  // --- Admin web UI ---

  // Stores a session; removes expired ones first. The id hash must be 64
  // lowercase hex digits and expires_at_ms after created_at_ms
  // (kInvalidArgument); a known id hash is kAlreadyExists.
  virtual absl::Status CreateAdminSession(const v1::AdminSession& session) = 0;
  // The session with `id_hash`; kNotFound when unknown or expired by the
  // store's clock.
  virtual absl::StatusOr<v1::AdminSession> GetAdminSession(const std::string& id_hash) = 0;
  // Removes a session; whether one was removed.
  virtual absl::StatusOr<bool> DeleteAdminSession(const std::string& id_hash) = 0;

  // --- OpenAI Responses API ---

  // Inserts a response, or replaces the stored one with the same id and
  // owner. The id must be "resp_" and then letters, digits, '_' or '-' (at
  // most kMaxStoredResponseIdBytes in all), the owner 1 to
  // kMaxStoredResponseOwnerBytes bytes, 0 < created_at_ms < expires_at_ms and
  // the body at most kMaxStoredResponseBodyBytes (kInvalidArgument); the
  // model is cut to its column. An id stored for another owner is
  // kAlreadyExists and that row is kept. Removes a bounded number of expired
  // responses afterwards (see the .cc for why bounded).
  virtual absl::Status PutStoredResponse(const v1::StoredResponse& response) = 0;
  // The response with `id` stored by `owner`; kNotFound when unknown, expired
  // by the store's clock, or stored by another owner.
  virtual absl::StatusOr<v1::StoredResponse> GetStoredResponse(const std::string& id, const std::string& owner) = 0;
  // Removes the response with `id` if `owner` stored it and it has not
  // expired (expired ones are purged by later Puts); whether one was removed.
  virtual absl::StatusOr<bool> DeleteStoredResponse(const std::string& id, const std::string& owner) = 0;

  // --- Files API (persistence.proto says what each refuses) ---

  // Stores an upload session, replacing the one with its id; removes a
  // bounded number of expired sessions and file records afterwards.
  virtual absl::Status PutUploadSession(const v1::UploadSession& session) = 0;
  // The session with `id`; kNotFound when unknown or expired.
  virtual absl::StatusOr<v1::UploadSession> GetUploadSession(const std::string& id) = 0;
  // Stores a file record, replacing the one with its name; purges like
  // PutUploadSession.
  virtual absl::Status PutFileRecord(const v1::FileRecord& record) = 0;
  // The unexpired records among `names` (at most kMaxFileRecordNamesPerCall;
  // each "files/<id>"), in no particular order.
  virtual absl::StatusOr<std::vector<v1::FileRecord>> GetFileRecords(const std::vector<std::string>& names) = 0;
  // Unexpired records, newest first, optionally one owner's, paged.
  virtual absl::StatusOr<v1::ListFileRecordsResponse> ListFileRecords(const v1::ListFileRecordsRequest& request) = 0;
  // Removes a file record; whether one was removed.
  virtual absl::StatusOr<bool> DeleteFileRecord(const std::string& name) = 0;
  // Removes every expired upload session and file record (in bounded
  // statements); returns how many. The periodic clean-up.
  virtual absl::StatusOr<int64_t> PurgeExpiredFiles() = 0;

  // Deletes log rows as the request says (exactly one of ids, all,
  // before_ms; a table must be named); returns the rows deleted.
  virtual absl::StatusOr<int64_t> DeleteLogs(const v1::DeleteLogsRequest& request) = 0;

  // Aggregates over the request log (see AggregateRequestLogsRequest for the
  // limits, checked here: kInvalidArgument).
  virtual absl::StatusOr<v1::AggregateRequestLogsResponse> AggregateRequestLogs(
      const v1::AggregateRequestLogsRequest& request) = 0;

  // The keys with the most error-log rows of one status code in a window
  // (see TopErrorKeysRequest for the limits: kInvalidArgument).
  virtual absl::StatusOr<v1::TopErrorKeysResponse> TopErrorKeys(const v1::TopErrorKeysRequest& request) = 0;

  // Token usage summed from the hourly usage table (written with each batch
  // of request log rows, never deleted by log retention): totals, per-day
  // rows and the top groups, as persistence.proto's UsageQuery says.
  // kInvalidArgument for a query outside its limits.
  virtual absl::StatusOr<v1::UsageReport> QueryUsage(const v1::UsageQuery& query) = 0;

  // --- Managed client tokens (the key broker owns them in memory) ---

  // Every managed client token, by ascending id.
  virtual absl::StatusOr<std::vector<v1::ClientToken>> LoadClientTokens() = 0;
  // Inserts a token (id 0: the store assigns the id; created/updated times
  // 0 become now) or replaces the one with its id; returns it as stored.
  // The name is 1 to 64 characters, secret_sha256 64 lowercase hex digits,
  // token_id 1 to 64 characters and the limits valid
  // (clienttokens::ValidateLimits), else kInvalidArgument. Another token
  // with the same name or secret_sha256 is kAlreadyExists; an unknown id
  // kNotFound.
  virtual absl::StatusOr<v1::ClientToken> PutClientToken(const v1::ClientToken& token) = 0;
  // Removes a token; whether one was removed.
  virtual absl::StatusOr<bool> DeleteClientToken(int64_t id) = 0;
};

}  // namespace gempool::storage
