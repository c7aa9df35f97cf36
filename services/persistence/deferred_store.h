#pragma once
// A storage::Store that stands in for the database until it is open: every
// call answers kUnavailable with the reason the database is not open yet
// (the exact words of the last attempt, e.g. which MySQL user was refused by
// which server and what to do), so RPCs and Ping carry that reason to the key
// broker, the gateways' /health and gempoolctl. Once the real store is
// installed, every call goes to it. The store is installed at most once and
// kept until the DeferredStore dies; calls never hold a lock while the store
// works.
//
// Thread-safe.

#include <atomic>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "gempool/common/mutex.h"
#include "gempool/storage/store.h"

namespace gempool::persistence {

class DeferredStore final : public storage::Store {
 public:
  // `reason` is what calls answer until SetReason or Install.
  explicit DeferredStore(std::string reason);
  ~DeferredStore() override;
  DeferredStore(const DeferredStore&) = delete;
  DeferredStore& operator=(const DeferredStore&) = delete;

  // Replaces the reason calls are given while no store is installed.
  void SetReason(std::string reason) ABSL_LOCKS_EXCLUDED(mu_);
  // From now on, every call goes to `store`. Ignored (with a warning) after
  // the first installation.
  void Install(std::unique_ptr<storage::Store> store) ABSL_LOCKS_EXCLUDED(mu_);
  // Whether a store is installed.
  bool IsOpen() const { return open_.load(std::memory_order_acquire) != nullptr; }
  // The status calls get while no store is installed (OK once it is).
  absl::Status Unavailable() const ABSL_LOCKS_EXCLUDED(mu_);

  // gempool::storage::Store
  absl::StatusOr<std::vector<v1::KeyRecord>> LoadKeys() override;
  absl::StatusOr<storage::AddKeysResult> AddKeys(const std::vector<std::string>& secrets,
                                                 v1::Pool pool = v1::POOL_GEMINI) override;
  absl::StatusOr<int> DeleteKeys(const std::vector<int64_t>& ids) override;
  absl::StatusOr<int> SaveKeyStates(const std::vector<v1::KeyRecord>& keys) override;
  absl::StatusOr<int> WriteRequestLogs(const std::vector<v1::RequestLogEntry>& entries) override;
  absl::StatusOr<int> WriteErrorLogs(const std::vector<v1::ErrorLogEntry>& entries) override;
  absl::StatusOr<storage::LogPage<v1::RequestLogEntry>> QueryRequestLogs(const v1::LogQuery& query) override;
  absl::StatusOr<storage::LogPage<v1::ErrorLogEntry>> QueryErrorLogs(const v1::LogQuery& query) override;
  absl::StatusOr<std::vector<v1::KeyUsageRow>> GetKeyUsage(const std::vector<int64_t>& key_ids,
                                                           int64_t since_ms) override;
  absl::StatusOr<std::map<std::string, std::string>> GetSettings() override;
  absl::Status PutSettings(const std::map<std::string, std::string>& values) override;
  absl::StatusOr<storage::PingResult> Ping() override;
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
  // Runs fn(store) on the installed store, or returns Unavailable().
  template <typename Fn>
  auto With(Fn fn) -> decltype(fn(std::declval<storage::Store&>()));

  mutable Mutex mu_;
  std::string reason_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<storage::Store> owned_ ABSL_GUARDED_BY(mu_);
  // owned_.get() once installed; read without the lock on every call.
  std::atomic<storage::Store*> open_{nullptr};
};

}  // namespace gempool::persistence
