#include "persistence_service.h"

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"
#include "gempool/rpc/status.h"

namespace gempool::persistence {
namespace {

// kInvalidArgument unless `count` items fit in one call.
absl::Status CheckBatch(const char* rpc, const char* what, int count) {
  if (count <= kMaxItemsPerCall) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(rpc, " got ", count, " ", what, "; send at most ", kMaxItemsPerCall, " per call"));
}

// The status for the caller; database trouble is also logged here, once
// (unless it was logged where it arose).
grpc::Status Reply(const char* rpc, const absl::Status& status) {
  if (!status.ok() && status.code() != absl::StatusCode::kInvalidArgument &&
      !status.GetPayload(kLoggedPayloadUrl).has_value()) {
    GEMPOOL_LOG(WARNING) << rpc << ": " << status;
  }
  return rpc::ToGrpcStatus(status);
}

template <typename T>
std::vector<T> ToVector(const google::protobuf::RepeatedPtrField<T>& items) {
  return std::vector<T>(items.begin(), items.end());
}

}  // namespace

grpc::Status PersistenceService::LoadKeys(grpc::ServerContext*, const v1::LoadKeysRequest*,
                                          v1::LoadKeysResponse* response) {
  auto keys = store_.LoadKeys();
  if (!keys.ok()) return Reply("LoadKeys", keys.status());
  for (v1::KeyRecord& k : *keys) *response->add_keys() = std::move(k);
  memory_release_.Request();
  return grpc::Status::OK;
}

grpc::Status PersistenceService::AddKeys(grpc::ServerContext*, const v1::AddKeysStoreRequest* request,
                                         v1::AddKeysStoreResponse* response) {
  if (auto s = CheckBatch("AddKeys", "secrets", request->secrets_size()); !s.ok()) return Reply("AddKeys", s);
  auto added = store_.AddKeys(std::vector<std::string>(request->secrets().begin(), request->secrets().end()),
                              request->pool());
  if (!added.ok()) return Reply("AddKeys", added.status());
  for (v1::KeyRecord& k : added->keys) *response->add_keys() = std::move(k);
  for (bool inserted : added->inserted) response->add_inserted(inserted);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::DeleteKeys(grpc::ServerContext*, const v1::DeleteKeysRequest* request,
                                            v1::DeleteKeysResponse* response) {
  if (auto s = CheckBatch("DeleteKeys", "ids", request->ids_size()); !s.ok()) return Reply("DeleteKeys", s);
  auto deleted = store_.DeleteKeys(std::vector<int64_t>(request->ids().begin(), request->ids().end()));
  if (!deleted.ok()) return Reply("DeleteKeys", deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::SaveKeyStates(grpc::ServerContext*, const v1::SaveKeyStatesRequest* request,
                                               v1::SaveKeyStatesResponse* response) {
  if (auto s = CheckBatch("SaveKeyStates", "keys", request->keys_size()); !s.ok()) return Reply("SaveKeyStates", s);
  auto updated = store_.SaveKeyStates(ToVector(request->keys()));
  if (!updated.ok()) return Reply("SaveKeyStates", updated.status());
  response->set_updated(*updated);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::WriteRequestLogs(grpc::ServerContext*, const v1::WriteRequestLogsRequest* request,
                                                  v1::WriteLogsResponse* response) {
  if (auto s = CheckBatch("WriteRequestLogs", "entries", request->entries_size()); !s.ok()) {
    return Reply("WriteRequestLogs", s);
  }
  auto written = store_.WriteRequestLogs(ToVector(request->entries()));
  if (!written.ok()) return Reply("WriteRequestLogs", written.status());
  response->set_written(*written);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::WriteErrorLogs(grpc::ServerContext*, const v1::WriteErrorLogsRequest* request,
                                                v1::WriteLogsResponse* response) {
  if (auto s = CheckBatch("WriteErrorLogs", "entries", request->entries_size()); !s.ok()) {
    return Reply("WriteErrorLogs", s);
  }
  auto written = store_.WriteErrorLogs(ToVector(request->entries()));
  if (!written.ok()) return Reply("WriteErrorLogs", written.status());
  response->set_written(*written);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::QueryRequestLogs(grpc::ServerContext*, const v1::LogQuery* request,
                                                  v1::QueryRequestLogsResponse* response) {
  auto page = store_.QueryRequestLogs(*request);
  if (!page.ok()) return Reply("QueryRequestLogs", page.status());
  for (v1::RequestLogEntry& e : page->entries) *response->add_entries() = std::move(e);
  response->set_total(page->total);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::QueryErrorLogs(grpc::ServerContext*, const v1::LogQuery* request,
                                                v1::QueryErrorLogsResponse* response) {
  auto page = store_.QueryErrorLogs(*request);
  if (!page.ok()) return Reply("QueryErrorLogs", page.status());
  for (v1::ErrorLogEntry& e : page->entries) *response->add_entries() = std::move(e);
  response->set_total(page->total);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::GetKeyUsage(grpc::ServerContext*, const v1::GetKeyUsageRequest* request,
                                             v1::GetKeyUsageResponse* response) {
  if (auto s = CheckBatch("GetKeyUsage", "key ids", request->key_ids_size()); !s.ok()) {
    return Reply("GetKeyUsage", s);
  }
  auto rows = store_.GetKeyUsage(std::vector<int64_t>(request->key_ids().begin(), request->key_ids().end()),
                                 request->since_ms());
  if (!rows.ok()) return Reply("GetKeyUsage", rows.status());
  for (v1::KeyUsageRow& row : *rows) *response->add_rows() = std::move(row);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::GetSettings(grpc::ServerContext*, const v1::GetSettingsRequest*,
                                             v1::Settings* response) {
  auto values = store_.GetSettings();
  if (!values.ok()) return Reply("GetSettings", values.status());
  for (const auto& [name, value] : *values) (*response->mutable_values())[name] = value;
  return grpc::Status::OK;
}

grpc::Status PersistenceService::PutSettings(grpc::ServerContext*, const v1::Settings* request,
                                             v1::PutSettingsResponse*) {
  if (auto s = CheckBatch("PutSettings", "settings", request->values_size()); !s.ok()) return Reply("PutSettings", s);
  const std::map<std::string, std::string> values(request->values().begin(), request->values().end());
  return Reply("PutSettings", store_.PutSettings(values));
}

grpc::Status PersistenceService::Ping(grpc::ServerContext*, const v1::PingRequest*, v1::PingResponse* response) {
  auto ping = store_.Ping();
  if (!ping.ok()) return Reply("Ping", ping.status());
  response->set_backend(ping->backend);
  response->set_schema_version(ping->schema_version);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::CreateAdminSession(grpc::ServerContext*, const v1::AdminSession* request,
                                                    v1::CreateAdminSessionResponse*) {
  return Reply("CreateAdminSession", store_.CreateAdminSession(*request));
}

grpc::Status PersistenceService::GetAdminSession(grpc::ServerContext*, const v1::GetAdminSessionRequest* request,
                                                 v1::AdminSession* response) {
  auto session = store_.GetAdminSession(request->id_hash());
  if (!session.ok()) {
    // A missing session is the normal answer to a stale cookie: not logged.
    if (session.status().code() == absl::StatusCode::kNotFound) return rpc::ToGrpcStatus(session.status());
    return Reply("GetAdminSession", session.status());
  }
  *response = *std::move(session);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::DeleteAdminSession(grpc::ServerContext*, const v1::DeleteAdminSessionRequest* request,
                                                    v1::DeleteAdminSessionResponse* response) {
  auto deleted = store_.DeleteAdminSession(request->id_hash());
  if (!deleted.ok()) return Reply("DeleteAdminSession", deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::PutStoredResponse(grpc::ServerContext*, const v1::StoredResponse* request,
                                                   v1::PutStoredResponseResponse*) {
  return Reply("PutStoredResponse", store_.PutStoredResponse(*request));
}

grpc::Status PersistenceService::GetStoredResponse(grpc::ServerContext*, const v1::GetStoredResponseRequest* request,
                                                   v1::StoredResponse* response) {
  auto stored = store_.GetStoredResponse(request->id(), request->owner());
  if (!stored.ok()) {
    // An unknown or expired previous_response_id is the client's mistake (the
    // gateway answers 404): not logged.
    if (stored.status().code() == absl::StatusCode::kNotFound) return rpc::ToGrpcStatus(stored.status());
    return Reply("GetStoredResponse", stored.status());
  }
  *response = *std::move(stored);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::DeleteStoredResponse(grpc::ServerContext*,
                                                      const v1::DeleteStoredResponseRequest* request,
                                                      v1::DeleteStoredResponseResponse* response) {
  auto deleted = store_.DeleteStoredResponse(request->id(), request->owner());
  if (!deleted.ok()) return Reply("DeleteStoredResponse", deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

// --- Files API ---

grpc::Status PersistenceService::PutUploadSession(grpc::ServerContext*, const v1::UploadSession* request,
                                                  v1::PutUploadSessionResponse*) {
  return Reply("PutUploadSession", store_.PutUploadSession(*request));
}

grpc::Status PersistenceService::GetUploadSession(grpc::ServerContext*, const v1::GetUploadSessionRequest* request,
                                                  v1::UploadSession* response) {
  auto found = store_.GetUploadSession(request->id());
  if (!found.ok()) {
    // An unknown or expired upload URL is the client's (the gateway answers
    // 404): not logged.
    if (found.status().code() == absl::StatusCode::kNotFound) return rpc::ToGrpcStatus(found.status());
    return Reply("GetUploadSession", found.status());
  }
  *response = *std::move(found);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::PutFileRecord(grpc::ServerContext*, const v1::FileRecord* request,
                                               v1::PutFileRecordResponse*) {
  return Reply("PutFileRecord", store_.PutFileRecord(*request));
}

grpc::Status PersistenceService::GetFileRecords(grpc::ServerContext*, const v1::GetFileRecordsRequest* request,
                                                v1::GetFileRecordsResponse* response) {
  const std::vector<std::string> names(request->names().begin(), request->names().end());
  auto found = store_.GetFileRecords(names);
  if (!found.ok()) return Reply("GetFileRecords", found.status());
  for (v1::FileRecord& record : *found) *response->add_records() = std::move(record);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::ListFileRecords(grpc::ServerContext*, const v1::ListFileRecordsRequest* request,
                                                 v1::ListFileRecordsResponse* response) {
  auto page = store_.ListFileRecords(*request);
  if (!page.ok()) return Reply("ListFileRecords", page.status());
  *response = *std::move(page);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::DeleteFileRecord(grpc::ServerContext*, const v1::DeleteFileRecordRequest* request,
                                                  v1::DeleteFileRecordResponse* response) {
  auto deleted = store_.DeleteFileRecord(request->name());
  if (!deleted.ok()) return Reply("DeleteFileRecord", deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::DeleteLogs(grpc::ServerContext*, const v1::DeleteLogsRequest* request,
                                            v1::DeleteLogsResponse* response) {
  if (auto s = CheckBatch("DeleteLogs", "ids", request->ids_size()); !s.ok()) return Reply("DeleteLogs", s);
  auto deleted = store_.DeleteLogs(*request);
  if (!deleted.ok()) return Reply("DeleteLogs", deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::AggregateRequestLogs(grpc::ServerContext*,
                                                      const v1::AggregateRequestLogsRequest* request,
                                                      v1::AggregateRequestLogsResponse* response) {
  auto aggregate = store_.AggregateRequestLogs(*request);
  if (!aggregate.ok()) return Reply("AggregateRequestLogs", aggregate.status());
  *response = *std::move(aggregate);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::TopErrorKeys(grpc::ServerContext*, const v1::TopErrorKeysRequest* request,
                                              v1::TopErrorKeysResponse* response) {
  auto top = store_.TopErrorKeys(*request);
  if (!top.ok()) return Reply("TopErrorKeys", top.status());
  *response = *std::move(top);
  return grpc::Status::OK;
}

}  // namespace gempool::persistence
