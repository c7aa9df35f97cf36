#include "persistence_service.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"
#include "gempool/common/request_id.h"
#include "gempool/common/request_scope.h"
#include "gempool/rpc/request_metadata.h"
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

// The log rows of a batch that `turn` has not seen written yet.
template <typename Entry>
std::vector<Entry> NotYetWritten(const google::protobuf::RepeatedPtrField<Entry>& entries,
                                 const DeliveryLedger::Turn& turn) {
  std::vector<Entry> fresh;
  fresh.reserve(static_cast<size_t>(entries.size()));
  for (const Entry& entry : entries) {
    if (turn.IsNew(entry.delivery_sequence())) fresh.push_back(entry);
  }
  return fresh;
}

// Records a written batch's rows in `turn`: its highest sequence.
template <typename Entry>
void RecordWritten(const std::vector<Entry>& written, DeliveryLedger::Turn& turn) {
  for (const Entry& entry : written) turn.Applied(entry.delivery_sequence());
}

// Observes the seconds since `started` into `histogram`, if any.
void ObserveSince(metrics::Histogram* histogram, std::chrono::steady_clock::time_point started) {
  if (histogram == nullptr) return;
  histogram->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

// What one WriteErrorLogs batch wrote, in one line: "wrote 3 error log
// rows: generateContent 500 INTERNAL x2, ..." with the rows' (sane, distinct)
// request ids as the line's request id, "a,b,c" (ids have no commas), so an
// id a client got in x-request-id finds its failure in this service's log.
// Bounded: a few kinds and about 2 KB of ids; the line says what it left out.
void LogErrorRows(const std::vector<v1::ErrorLogEntry>& entries) {
  constexpr size_t kMaxKinds = 4;
  constexpr size_t kMaxIdChars = 2048;
  std::vector<std::pair<std::string, int>> kinds;  // In first-seen order.
  std::set<std::string> seen_ids;
  std::string ids;
  int ids_left_out = 0;
  for (const v1::ErrorLogEntry& e : entries) {
    const std::string kind = absl::StrCat(e.operation(), " ", e.status_code(), " ", e.error_type());
    auto it = std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == kind; });
    if (it != kinds.end()) {
      ++it->second;
    } else {
      kinds.emplace_back(kind, 1);
    }
    if (!IsSaneRequestId(e.request_id()) || !seen_ids.insert(e.request_id()).second) continue;
    if (ids.size() + e.request_id().size() + 1 > kMaxIdChars) {
      ++ids_left_out;
      continue;
    }
    absl::StrAppend(&ids, ids.empty() ? "" : ",", e.request_id());
  }
  std::string summary;
  for (size_t i = 0; i < kinds.size() && i < kMaxKinds; ++i) {
    absl::StrAppend(&summary, i == 0 ? "" : ", ", kinds[i].first, " x", kinds[i].second);
  }
  if (kinds.size() > kMaxKinds) absl::StrAppend(&summary, ", and ", kinds.size() - kMaxKinds, " more kinds");
  if (ids_left_out > 0) absl::StrAppend(&summary, " (", ids_left_out, " more request ids not listed)");
  GEMPOOL_LOG_REQUEST(INFO, ids) << "wrote " << entries.size()
                                 << (entries.size() == 1 ? " error log row: " : " error log rows: ") << summary;
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

grpc::Status PersistenceService::AddKeys(grpc::ServerContext* context, const v1::AddKeysStoreRequest* request,
                                         v1::AddKeysStoreResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  if (auto s = CheckBatch("AddKeys", "secrets", request->secrets_size()); !s.ok()) return Reply("AddKeys", s);
  auto added = store_.AddKeys(std::vector<std::string>(request->secrets().begin(), request->secrets().end()),
                              request->pool());
  if (!added.ok()) return Reply("AddKeys", added.status());
  for (v1::KeyRecord& k : added->keys) *response->add_keys() = std::move(k);
  for (bool inserted : added->inserted) response->add_inserted(inserted);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::DeleteKeys(grpc::ServerContext* context, const v1::DeleteKeysRequest* request,
                                            v1::DeleteKeysResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  if (auto s = CheckBatch("DeleteKeys", "ids", request->ids_size()); !s.ok()) return Reply("DeleteKeys", s);
  auto deleted = store_.DeleteKeys(std::vector<int64_t>(request->ids().begin(), request->ids().end()));
  if (!deleted.ok()) return Reply("DeleteKeys", deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

void PersistenceService::TimeWritesInto(metrics::Family<metrics::Histogram>& family) {
  save_key_states_seconds_ = &family.With({"SaveKeyStates"});
  write_request_logs_seconds_ = &family.With({"WriteRequestLogs"});
  write_error_logs_seconds_ = &family.With({"WriteErrorLogs"});
}

grpc::Status PersistenceService::SaveKeyStates(grpc::ServerContext* context, const v1::SaveKeyStatesRequest* request,
                                               v1::SaveKeyStatesResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  if (auto s = CheckBatch("SaveKeyStates", "keys", request->keys_size()); !s.ok()) return Reply("SaveKeyStates", s);
  const auto started = std::chrono::steady_clock::now();
  auto updated = store_.SaveKeyStates(ToVector(request->keys()));
  ObserveSince(save_key_states_seconds_, started);
  if (!updated.ok()) return Reply("SaveKeyStates", updated.status());
  response->set_updated(*updated);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::WriteRequestLogs(grpc::ServerContext*, const v1::WriteRequestLogsRequest* request,
                                                  v1::WriteLogsResponse* response) {
  if (auto s = CheckBatch("WriteRequestLogs", "entries", request->entries_size()); !s.ok()) {
    return Reply("WriteRequestLogs", s);
  }
  DeliveryLedger::Turn turn = delivered_.Begin(request->sender(), "request_log");
  const std::vector<v1::RequestLogEntry> fresh = NotYetWritten(request->entries(), turn);
  const auto started = std::chrono::steady_clock::now();
  auto written = store_.WriteRequestLogs(fresh);
  ObserveSince(write_request_logs_seconds_, started);
  if (!written.ok()) return Reply("WriteRequestLogs", written.status());
  RecordWritten(fresh, turn);
  response->set_written(*written);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::WriteErrorLogs(grpc::ServerContext*, const v1::WriteErrorLogsRequest* request,
                                                v1::WriteLogsResponse* response) {
  if (auto s = CheckBatch("WriteErrorLogs", "entries", request->entries_size()); !s.ok()) {
    return Reply("WriteErrorLogs", s);
  }
  DeliveryLedger::Turn turn = delivered_.Begin(request->sender(), "error_log");
  const std::vector<v1::ErrorLogEntry> fresh = NotYetWritten(request->entries(), turn);
  const auto started = std::chrono::steady_clock::now();
  auto written = store_.WriteErrorLogs(fresh);
  ObserveSince(write_error_logs_seconds_, started);
  if (!written.ok()) return Reply("WriteErrorLogs", written.status());
  RecordWritten(fresh, turn);
  if (!fresh.empty()) LogErrorRows(fresh);
  response->set_written(*written);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::QueryRequestLogs(grpc::ServerContext* context, const v1::LogQuery* request,
                                                  v1::QueryRequestLogsResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  auto page = store_.QueryRequestLogs(*request);
  if (!page.ok()) {
    // A row asked for by id that is gone (deleted, past retention) is the
    // asker's news, not trouble here: not logged.
    if (page.status().code() == absl::StatusCode::kNotFound) return rpc::ToGrpcStatus(page.status());
    return Reply("QueryRequestLogs", page.status());
  }
  for (v1::RequestLogEntry& e : page->entries) *response->add_entries() = std::move(e);
  response->set_total(page->total);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::QueryErrorLogs(grpc::ServerContext* context, const v1::LogQuery* request,
                                                v1::QueryErrorLogsResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  auto page = store_.QueryErrorLogs(*request);
  if (!page.ok()) {
    // As in QueryRequestLogs: a missing row is not logged.
    if (page.status().code() == absl::StatusCode::kNotFound) return rpc::ToGrpcStatus(page.status());
    return Reply("QueryErrorLogs", page.status());
  }
  for (v1::ErrorLogEntry& e : page->entries) *response->add_entries() = std::move(e);
  response->set_total(page->total);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::GetKeyUsage(grpc::ServerContext* context, const v1::GetKeyUsageRequest* request,
                                             v1::GetKeyUsageResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  if (auto s = CheckBatch("GetKeyUsage", "key ids", request->key_ids_size()); !s.ok()) {
    return Reply("GetKeyUsage", s);
  }
  auto rows = store_.GetKeyUsage(std::vector<int64_t>(request->key_ids().begin(), request->key_ids().end()),
                                 request->since_ms());
  if (!rows.ok()) return Reply("GetKeyUsage", rows.status());
  for (v1::KeyUsageRow& row : *rows) *response->add_rows() = std::move(row);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::GetSettings(grpc::ServerContext* context, const v1::GetSettingsRequest*,
                                             v1::Settings* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  auto values = store_.GetSettings();
  if (!values.ok()) return Reply("GetSettings", values.status());
  for (const auto& [name, value] : *values) (*response->mutable_values())[name] = value;
  return grpc::Status::OK;
}

grpc::Status PersistenceService::PutSettings(grpc::ServerContext* context, const v1::Settings* request,
                                             v1::PutSettingsResponse*) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
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

grpc::Status PersistenceService::CreateAdminSession(grpc::ServerContext* context, const v1::AdminSession* request,
                                                    v1::CreateAdminSessionResponse*) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  return Reply("CreateAdminSession", store_.CreateAdminSession(*request));
}

grpc::Status PersistenceService::GetAdminSession(grpc::ServerContext* context,
                                                 const v1::GetAdminSessionRequest* request,
                                                 v1::AdminSession* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  auto session = store_.GetAdminSession(request->id_hash());
  if (!session.ok()) {
    // A missing session is the normal answer to a stale cookie: not logged.
    if (session.status().code() == absl::StatusCode::kNotFound) return rpc::ToGrpcStatus(session.status());
    return Reply("GetAdminSession", session.status());
  }
  *response = *std::move(session);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::DeleteAdminSession(grpc::ServerContext* context,
                                                    const v1::DeleteAdminSessionRequest* request,
                                                    v1::DeleteAdminSessionResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  auto deleted = store_.DeleteAdminSession(request->id_hash());
  if (!deleted.ok()) return Reply("DeleteAdminSession", deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::PutStoredResponse(grpc::ServerContext* context, const v1::StoredResponse* request,
                                                   v1::PutStoredResponseResponse*) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  return Reply("PutStoredResponse", store_.PutStoredResponse(*request));
}

grpc::Status PersistenceService::GetStoredResponse(grpc::ServerContext* context,
                                                   const v1::GetStoredResponseRequest* request,
                                                   v1::StoredResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
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

grpc::Status PersistenceService::DeleteStoredResponse(grpc::ServerContext* context,
                                                      const v1::DeleteStoredResponseRequest* request,
                                                      v1::DeleteStoredResponseResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  auto deleted = store_.DeleteStoredResponse(request->id(), request->owner());
  if (!deleted.ok()) return Reply("DeleteStoredResponse", deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

// --- Files API ---

grpc::Status PersistenceService::PutUploadSession(grpc::ServerContext* context, const v1::UploadSession* request,
                                                  v1::PutUploadSessionResponse*) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  return Reply("PutUploadSession", store_.PutUploadSession(*request));
}

grpc::Status PersistenceService::GetUploadSession(grpc::ServerContext* context,
                                                  const v1::GetUploadSessionRequest* request,
                                                  v1::UploadSession* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
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

grpc::Status PersistenceService::PutFileRecord(grpc::ServerContext* context, const v1::FileRecord* request,
                                               v1::PutFileRecordResponse*) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  return Reply("PutFileRecord", store_.PutFileRecord(*request));
}

grpc::Status PersistenceService::GetFileRecords(grpc::ServerContext* context, const v1::GetFileRecordsRequest* request,
                                                v1::GetFileRecordsResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  const std::vector<std::string> names(request->names().begin(), request->names().end());
  auto found = store_.GetFileRecords(names);
  if (!found.ok()) return Reply("GetFileRecords", found.status());
  for (v1::FileRecord& record : *found) *response->add_records() = std::move(record);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::ListFileRecords(grpc::ServerContext* context,
                                                 const v1::ListFileRecordsRequest* request,
                                                 v1::ListFileRecordsResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  auto page = store_.ListFileRecords(*request);
  if (!page.ok()) return Reply("ListFileRecords", page.status());
  *response = *std::move(page);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::DeleteFileRecord(grpc::ServerContext* context,
                                                  const v1::DeleteFileRecordRequest* request,
                                                  v1::DeleteFileRecordResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  auto deleted = store_.DeleteFileRecord(request->name());
  if (!deleted.ok()) return Reply("DeleteFileRecord", deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::DeleteLogs(grpc::ServerContext* context, const v1::DeleteLogsRequest* request,
                                            v1::DeleteLogsResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  if (auto s = CheckBatch("DeleteLogs", "ids", request->ids_size()); !s.ok()) return Reply("DeleteLogs", s);
  auto deleted = store_.DeleteLogs(*request);
  if (!deleted.ok()) return Reply("DeleteLogs", deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::AggregateRequestLogs(grpc::ServerContext* context,
                                                      const v1::AggregateRequestLogsRequest* request,
                                                      v1::AggregateRequestLogsResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  auto aggregate = store_.AggregateRequestLogs(*request);
  if (!aggregate.ok()) return Reply("AggregateRequestLogs", aggregate.status());
  *response = *std::move(aggregate);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::TopErrorKeys(grpc::ServerContext* context, const v1::TopErrorKeysRequest* request,
                                              v1::TopErrorKeysResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  auto top = store_.TopErrorKeys(*request);
  if (!top.ok()) return Reply("TopErrorKeys", top.status());
  *response = *std::move(top);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::QueryUsage(grpc::ServerContext* context, const v1::UsageQuery* request,
                                            v1::UsageReport* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  auto report = store_.QueryUsage(*request);
  if (!report.ok()) return Reply("QueryUsage", report.status());
  *response = *std::move(report);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::LoadClientTokens(grpc::ServerContext* context, const v1::LoadClientTokensRequest*,
                                                  v1::LoadClientTokensResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  auto tokens = store_.LoadClientTokens();
  if (!tokens.ok()) return Reply("LoadClientTokens", tokens.status());
  for (v1::ClientToken& token : *tokens) *response->add_tokens() = std::move(token);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::PutClientToken(grpc::ServerContext* context, const v1::ClientToken* request,
                                                v1::ClientToken* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  auto stored = store_.PutClientToken(*request);
  if (!stored.ok()) return Reply("PutClientToken", stored.status());
  *response = *std::move(stored);
  return grpc::Status::OK;
}

grpc::Status PersistenceService::DeleteClientToken(grpc::ServerContext* context,
                                                   const v1::DeleteClientTokenRequest* request,
                                                   v1::DeleteClientTokenResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  auto deleted = store_.DeleteClientToken(request->id());
  if (!deleted.ok()) return Reply("DeleteClientToken", deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

}  // namespace gempool::persistence
