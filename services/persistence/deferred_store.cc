#include "deferred_store.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "persistence_service.h"
#include "gempool/common/logging.h"

namespace gempool::persistence {

DeferredStore::DeferredStore(std::string reason) : reason_(std::move(reason)) {}

DeferredStore::~DeferredStore() = default;

void DeferredStore::SetReason(std::string reason) {
  MutexLock lock(&mu_);
  reason_ = std::move(reason);
}

void DeferredStore::Install(std::unique_ptr<storage::Store> store) {
  MutexLock lock(&mu_);
  if (owned_ != nullptr || store == nullptr) {
    GEMPOOL_LOG(WARNING) << "DeferredStore::Install called twice (or with no store); keeping the first store";
    return;
  }
  owned_ = std::move(store);
  open_.store(owned_.get(), std::memory_order_release);
}

absl::Status DeferredStore::Unavailable() const {
  if (IsOpen()) return absl::OkStatus();
  MutexLock lock(&mu_);
  absl::Status status =
      absl::UnavailableError(absl::StrCat("gempool-persistence has no database yet (it keeps trying): ", reason_));
  // StoreOpener logs each reason when it arises; callers retry often.
  status.SetPayload(kLoggedPayloadUrl, absl::Cord("1"));
  return status;
}

template <typename Fn>
auto DeferredStore::With(Fn fn) -> decltype(fn(std::declval<storage::Store&>())) {
  storage::Store* store = open_.load(std::memory_order_acquire);
  if (store == nullptr) return Unavailable();
  return fn(*store);
}

absl::StatusOr<std::vector<v1::KeyRecord>> DeferredStore::LoadKeys() {
  return With([](storage::Store& s) { return s.LoadKeys(); });
}

absl::StatusOr<storage::AddKeysResult> DeferredStore::AddKeys(const std::vector<std::string>& secrets,
                                                              v1::Pool pool) {
  return With([&](storage::Store& s) { return s.AddKeys(secrets, pool); });
}

absl::StatusOr<int> DeferredStore::DeleteKeys(const std::vector<int64_t>& ids) {
  return With([&](storage::Store& s) { return s.DeleteKeys(ids); });
}

absl::StatusOr<int> DeferredStore::SaveKeyStates(const std::vector<v1::KeyRecord>& keys) {
  return With([&](storage::Store& s) { return s.SaveKeyStates(keys); });
}

absl::StatusOr<int> DeferredStore::WriteRequestLogs(const std::vector<v1::RequestLogEntry>& entries) {
  return With([&](storage::Store& s) { return s.WriteRequestLogs(entries); });
}

absl::StatusOr<int> DeferredStore::WriteErrorLogs(const std::vector<v1::ErrorLogEntry>& entries) {
  return With([&](storage::Store& s) { return s.WriteErrorLogs(entries); });
}

absl::StatusOr<storage::LogPage<v1::RequestLogEntry>> DeferredStore::QueryRequestLogs(const v1::LogQuery& query) {
  return With([&](storage::Store& s) { return s.QueryRequestLogs(query); });
}

absl::StatusOr<storage::LogPage<v1::ErrorLogEntry>> DeferredStore::QueryErrorLogs(const v1::LogQuery& query) {
  return With([&](storage::Store& s) { return s.QueryErrorLogs(query); });
}

absl::StatusOr<std::vector<v1::KeyUsageRow>> DeferredStore::GetKeyUsage(const std::vector<int64_t>& key_ids,
                                                                        int64_t since_ms) {
  return With([&](storage::Store& s) { return s.GetKeyUsage(key_ids, since_ms); });
}

absl::StatusOr<std::map<std::string, std::string>> DeferredStore::GetSettings() {
  return With([](storage::Store& s) { return s.GetSettings(); });
}

absl::Status DeferredStore::PutSettings(const std::map<std::string, std::string>& values) {
  return With([&](storage::Store& s) { return s.PutSettings(values); });
}

absl::StatusOr<storage::PingResult> DeferredStore::Ping() {
  return With([](storage::Store& s) { return s.Ping(); });
}

absl::Status DeferredStore::CreateAdminSession(const v1::AdminSession& session) {
  return With([&](storage::Store& s) { return s.CreateAdminSession(session); });
}

absl::StatusOr<v1::AdminSession> DeferredStore::GetAdminSession(const std::string& id_hash) {
  return With([&](storage::Store& s) { return s.GetAdminSession(id_hash); });
}

absl::StatusOr<bool> DeferredStore::DeleteAdminSession(const std::string& id_hash) {
  return With([&](storage::Store& s) { return s.DeleteAdminSession(id_hash); });
}

absl::Status DeferredStore::PutStoredResponse(const v1::StoredResponse& response) {
  return With([&](storage::Store& s) { return s.PutStoredResponse(response); });
}

absl::StatusOr<v1::StoredResponse> DeferredStore::GetStoredResponse(const std::string& id, const std::string& owner) {
  return With([&](storage::Store& s) { return s.GetStoredResponse(id, owner); });
}

absl::StatusOr<bool> DeferredStore::DeleteStoredResponse(const std::string& id, const std::string& owner) {
  return With([&](storage::Store& s) { return s.DeleteStoredResponse(id, owner); });
}

absl::Status DeferredStore::PutUploadSession(const v1::UploadSession& session) {
  return With([&](storage::Store& s) { return s.PutUploadSession(session); });
}

absl::StatusOr<v1::UploadSession> DeferredStore::GetUploadSession(const std::string& id) {
  return With([&](storage::Store& s) { return s.GetUploadSession(id); });
}

absl::Status DeferredStore::PutFileRecord(const v1::FileRecord& record) {
  return With([&](storage::Store& s) { return s.PutFileRecord(record); });
}

absl::StatusOr<std::vector<v1::FileRecord>> DeferredStore::GetFileRecords(const std::vector<std::string>& names) {
  return With([&](storage::Store& s) { return s.GetFileRecords(names); });
}

absl::StatusOr<v1::ListFileRecordsResponse> DeferredStore::ListFileRecords(
    const v1::ListFileRecordsRequest& request) {
  return With([&](storage::Store& s) { return s.ListFileRecords(request); });
}

absl::StatusOr<bool> DeferredStore::DeleteFileRecord(const std::string& name) {
  return With([&](storage::Store& s) { return s.DeleteFileRecord(name); });
}

absl::StatusOr<int64_t> DeferredStore::PurgeExpiredFiles() {
  return With([&](storage::Store& s) { return s.PurgeExpiredFiles(); });
}

absl::StatusOr<int64_t> DeferredStore::DeleteLogs(const v1::DeleteLogsRequest& request) {
  return With([&](storage::Store& s) { return s.DeleteLogs(request); });
}

absl::StatusOr<v1::AggregateRequestLogsResponse> DeferredStore::AggregateRequestLogs(
    const v1::AggregateRequestLogsRequest& request) {
  return With([&](storage::Store& s) { return s.AggregateRequestLogs(request); });
}

absl::StatusOr<v1::TopErrorKeysResponse> DeferredStore::TopErrorKeys(const v1::TopErrorKeysRequest& request) {
  return With([&](storage::Store& s) { return s.TopErrorKeys(request); });
}

absl::StatusOr<v1::UsageReport> DeferredStore::QueryUsage(const v1::UsageQuery& query) {
  return With([&](storage::Store& s) { return s.QueryUsage(query); });
}

absl::StatusOr<std::vector<v1::ClientToken>> DeferredStore::LoadClientTokens() {
  return With([&](storage::Store& s) { return s.LoadClientTokens(); });
}

absl::StatusOr<v1::ClientToken> DeferredStore::PutClientToken(const v1::ClientToken& token) {
  return With([&](storage::Store& s) { return s.PutClientToken(token); });
}

absl::StatusOr<bool> DeferredStore::DeleteClientToken(int64_t id) {
  return With([&](storage::Store& s) { return s.DeleteClientToken(id); });
}

}  // namespace gempool::persistence
