#pragma once
// The Store over SOCI, for SQLite (the default, one file under DATA_DIR) and
// MySQL/MariaDB. Opening connects, says exactly what is wrong when it cannot
// (with the server's own text), and brings the schema up to date (see
// src/schema.h). Each call leases one connection from a pool for its duration
// and runs its writes in one transaction; database errors become absl::Status
// (sql_error.h), so no SOCI exception leaves this class.
//
// Thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/common/clock.h"
#include "gempool/config/config.h"
#include "gempool/storage/store.h"
#include "gempool/storage/store_options.h"

namespace soci {
class connection_pool;
class session;
}  // namespace soci

namespace gempool::storage {

class SociStore final : public Store {
 public:
  // Opens the database described by `options` and applies pending
  // migrations. `clock` stamps created/updated times and must outlive the
  // store.
  static absl::StatusOr<std::unique_ptr<SociStore>> Open(const StoreOptions& options, const Clock& clock);

  ~SociStore() override;
  SociStore(const SociStore&) = delete;
  SociStore& operator=(const SociStore&) = delete;

  Backend backend() const { return options_.backend; }

  // gempool::storage::Store
  absl::StatusOr<std::vector<v1::KeyRecord>> LoadKeys() override;
  absl::StatusOr<AddKeysResult> AddKeys(const std::vector<std::string>& secrets,
                                        v1::Pool pool = v1::POOL_GEMINI) override;
  absl::StatusOr<int> DeleteKeys(const std::vector<int64_t>& ids) override;
  absl::StatusOr<int> SaveKeyStates(const std::vector<v1::KeyRecord>& keys) override;
  absl::StatusOr<int> WriteRequestLogs(const std::vector<v1::RequestLogEntry>& entries) override;
  absl::StatusOr<int> WriteErrorLogs(const std::vector<v1::ErrorLogEntry>& entries) override;
  absl::StatusOr<LogPage<v1::RequestLogEntry>> QueryRequestLogs(const v1::LogQuery& query) override;
  absl::StatusOr<LogPage<v1::ErrorLogEntry>> QueryErrorLogs(const v1::LogQuery& query) override;
  absl::StatusOr<std::vector<v1::KeyUsageRow>> GetKeyUsage(const std::vector<int64_t>& key_ids,
                                                           int64_t since_ms) override;
  absl::StatusOr<std::map<std::string, std::string>> GetSettings() override;
  absl::Status PutSettings(const std::map<std::string, std::string>& values) override;
  absl::StatusOr<PingResult> Ping() override;
  absl::Status CreateAdminSession(const v1::AdminSession& session) override;
  absl::StatusOr<v1::AdminSession> GetAdminSession(const std::string& id_hash) override;
  absl::StatusOr<bool> DeleteAdminSession(const std::string& id_hash) override;
  absl::Status PutStoredResponse(const v1::StoredResponse& response) override;
  absl::StatusOr<v1::StoredResponse> GetStoredResponse(const std::string& id, const std::string& owner) override;
  absl::StatusOr<bool> DeleteStoredResponse(const std::string& id, const std::string& owner) override;
  absl::Status PutUploadSession(const v1::UploadSession& session) override;
  absl::StatusOr<v1::UploadSession> GetUploadSession(const std::string& id) override;
  absl::Status PutFileRecord(const v1::FileRecord& record) override;
  absl::StatusOr<std::vector<v1::FileRecord>> GetFileRecords(const std::vector<std::string>& names) override;
  absl::StatusOr<v1::ListFileRecordsResponse> ListFileRecords(const v1::ListFileRecordsRequest& request) override;
  absl::StatusOr<bool> DeleteFileRecord(const std::string& name) override;
  absl::StatusOr<int64_t> PurgeExpiredFiles() override;
  absl::StatusOr<int64_t> DeleteLogs(const v1::DeleteLogsRequest& request) override;
  absl::StatusOr<v1::AggregateRequestLogsResponse> AggregateRequestLogs(
      const v1::AggregateRequestLogsRequest& request) override;
  absl::StatusOr<v1::TopErrorKeysResponse> TopErrorKeys(const v1::TopErrorKeysRequest& request) override;
  absl::StatusOr<v1::UsageReport> QueryUsage(const v1::UsageQuery& query) override;
  absl::StatusOr<std::vector<v1::ClientToken>> LoadClientTokens() override;
  absl::StatusOr<v1::ClientToken> PutClientToken(const v1::ClientToken& token) override;
  absl::StatusOr<bool> DeleteClientToken(int64_t id) override;

 private:
  class Lease;
  // Per pooled connection; touched only by the thread holding its lease.
  struct Slot {
    int64_t last_used_ms = 0;  // Clock::MonotonicMs of the last use.
    bool broken = false;       // The connection was lost; reconnect first.
  };

  SociStore(const StoreOptions& options, const Clock& clock, std::unique_ptr<soci::connection_pool> pool);

  // Leases a connection, runs fn(session) and turns SOCI exceptions into a
  // status naming `what`. fn returns absl::Status or absl::StatusOr<T>.
  template <typename Fn>
  auto Run(const char* what, Fn fn) -> decltype(fn(std::declval<soci::session&>()));

  // Removes a few expired Files API rows after a write (see the .cc).
  void PurgeSomeExpiredFiles();

  absl::StatusOr<AddKeysResult> AddKeysOnce(soci::session& session, const std::vector<std::string>& secrets,
                                            v1::Pool pool);

  const StoreOptions options_;
  const Clock& clock_;
  std::unique_ptr<soci::connection_pool> pool_;
  std::vector<Slot> slots_;  // One per pool position.
};

// SociStore::Open for the process configuration (StoreOptionsFromConfig),
// timed by the system clock.
absl::StatusOr<std::unique_ptr<SociStore>> OpenStore(const Config& config);

}  // namespace gempool::storage
