#include "admin/grpc_admin_backend.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/rpc/channel.h"
#include "gempool/rpc/status.h"

namespace gempool::gateway::admin {
namespace {

// "<service> at <address> ..." with a hint when the service is unreachable.
absl::Status Describe(const grpc::Status& status, const char* service, const std::string& address, const char* call,
                      const char* hint) {
  const absl::Status s = rpc::FromGrpcStatus(status);
  const bool unreachable = s.code() == absl::StatusCode::kDeadlineExceeded ||
                           (s.code() == absl::StatusCode::kUnavailable &&
                            (absl::StrContains(s.message(), "connect") || absl::StrContains(s.message(), "Socket") ||
                             absl::StrContains(s.message(), "backends")));
  if (unreachable) {
    return absl::UnavailableError(
        absl::StrCat(service, " at ", address, " is not answering (", call, ": ", s.message(), "); ", hint));
  }
  return absl::Status(s.code(), absl::StrCat(service, ": ", s.message()));
}


}  // namespace

GrpcAdminBackend::GrpcAdminBackend(std::shared_ptr<grpc::Channel> keybroker,
                                   std::shared_ptr<grpc::Channel> persistence, Options options)
    : options_(std::move(options)),
      keys_(v1::KeyAdmin::NewStub(keybroker)),
      persistence_(v1::Persistence::NewStub(persistence)) {}

std::unique_ptr<grpc::ClientContext> GrpcAdminBackend::BrokerContext(int timeout_ms) const {
  auto context = std::make_unique<grpc::ClientContext>();
  rpc::SetDeadline(*context, timeout_ms);
  context->AddMetadata("authorization", "Bearer " + options_.admin_token);
  return context;
}

std::unique_ptr<grpc::ClientContext> GrpcAdminBackend::PersistenceContext(int timeout_ms) const {
  auto context = std::make_unique<grpc::ClientContext>();
  rpc::SetDeadline(*context, timeout_ms);
  return context;
}

absl::Status GrpcAdminBackend::BrokerFailure(const grpc::Status& status, const char* call) const {
  return Describe(status, "key broker", options_.keybroker_addr, call,
                  "check that gempool-keybroker runs and KEYBROKER_ADDR points at it");
}

absl::Status GrpcAdminBackend::PersistenceFailure(const grpc::Status& status, const char* call) const {
  return Describe(status, "persistence", options_.persistence_addr, call,
                  "check that gempool-persistence runs and PERSISTENCE_ADDR points at it");
}

#define GEMPOOL_BROKER_CALL(Method, Response, request, timeout)                       \
  Response response;                                                                  \
  const grpc::Status status = keys_->Method(BrokerContext(timeout).get(), request, &response); \
  if (!status.ok()) return BrokerFailure(status, #Method);                            \
  return response

#define GEMPOOL_PERSISTENCE_CALL(Method, Response, request, timeout)                        \
  Response response;                                                                        \
  const grpc::Status status = persistence_->Method(PersistenceContext(timeout).get(), request, &response); \
  if (!status.ok()) return PersistenceFailure(status, #Method);                             \
  return response

absl::StatusOr<v1::ListKeysResponse> GrpcAdminBackend::ListKeys(const v1::ListKeysRequest& request) {
  GEMPOOL_BROKER_CALL(ListKeys, v1::ListKeysResponse, request, options_.timeout_ms);
}

absl::StatusOr<v1::AddKeysResponse> GrpcAdminBackend::AddKeys(const v1::AddKeysRequest& request) {
  GEMPOOL_BROKER_CALL(AddKeys, v1::AddKeysResponse, request, options_.timeout_ms);
}

absl::StatusOr<v1::KeyActionResponse> GrpcAdminBackend::ApplyKeyAction(KeyAction action,
                                                                      const v1::KeySelection& selection) {
  v1::KeyActionResponse response;
  auto context = BrokerContext(options_.timeout_ms);
  grpc::Status status;
  const char* call = "";
  switch (action) {
    case KeyAction::kRemove:
      call = "RemoveKeys";
      status = keys_->RemoveKeys(context.get(), selection, &response);
      break;
    case KeyAction::kPause:
      call = "PauseKeys";
      status = keys_->PauseKeys(context.get(), selection, &response);
      break;
    case KeyAction::kResume:
      call = "ResumeKeys";
      status = keys_->ResumeKeys(context.get(), selection, &response);
      break;
    case KeyAction::kReset:
      call = "ResetKeys";
      status = keys_->ResetKeys(context.get(), selection, &response);
      break;
  }
  if (!status.ok()) return BrokerFailure(status, call);
  return response;
}

absl::StatusOr<v1::PoolSummary> GrpcAdminBackend::GetPoolSummary(v1::Pool pool) {
  v1::GetPoolSummaryRequest request;
  request.set_pool(pool);
  GEMPOOL_BROKER_CALL(GetPoolSummary, v1::PoolSummary, request, options_.timeout_ms);
}

absl::StatusOr<v1::ExportKeysResponse> GrpcAdminBackend::ExportKeys(const v1::KeySelection& selection) {
  GEMPOOL_BROKER_CALL(ExportKeys, v1::ExportKeysResponse, selection, options_.timeout_ms);
}

absl::StatusOr<v1::VerifyKeysResponse> GrpcAdminBackend::VerifyKeys(const v1::KeySelection& selection) {
  GEMPOOL_BROKER_CALL(VerifyKeys, v1::VerifyKeysResponse, selection, options_.verify_timeout_ms);
}

absl::StatusOr<v1::CheckProxiesResponse> GrpcAdminBackend::CheckProxies(const v1::CheckProxiesRequest& request) {
  // A check waits for the slowest proxy (10 s at most).
  GEMPOOL_BROKER_CALL(CheckProxies, v1::CheckProxiesResponse, request, options_.timeout_ms + 15000);
}

absl::StatusOr<v1::CreateClientTokenResponse> GrpcAdminBackend::CreateClientToken(
    const v1::CreateClientTokenRequest& request) {
  GEMPOOL_BROKER_CALL(CreateClientToken, v1::CreateClientTokenResponse, request, options_.timeout_ms);
}

absl::StatusOr<v1::ListClientTokensResponse> GrpcAdminBackend::ListClientTokens() {
  const v1::ListClientTokensRequest request;
  GEMPOOL_BROKER_CALL(ListClientTokens, v1::ListClientTokensResponse, request, options_.timeout_ms);
}

absl::StatusOr<v1::ClientToken> GrpcAdminBackend::UpdateClientToken(const v1::UpdateClientTokenRequest& request) {
  GEMPOOL_BROKER_CALL(UpdateClientToken, v1::ClientToken, request, options_.timeout_ms);
}

absl::StatusOr<v1::DeleteClientTokenResponse> GrpcAdminBackend::DeleteClientToken(int64_t id) {
  v1::DeleteClientTokenRequest request;
  request.set_id(id);
  GEMPOOL_BROKER_CALL(DeleteClientToken, v1::DeleteClientTokenResponse, request, options_.timeout_ms);
}

absl::StatusOr<v1::KeyUsageResponse> GrpcAdminBackend::GetKeyUsage(const v1::KeyUsageRequest& request) {
  GEMPOOL_BROKER_CALL(GetKeyUsage, v1::KeyUsageResponse, request, options_.timeout_ms * 5);
}

absl::StatusOr<v1::QueryRequestLogsResponse> GrpcAdminBackend::QueryRequestLogs(const v1::LogQuery& query) {
  GEMPOOL_PERSISTENCE_CALL(QueryRequestLogs, v1::QueryRequestLogsResponse, query, options_.timeout_ms);
}

absl::StatusOr<v1::QueryErrorLogsResponse> GrpcAdminBackend::QueryErrorLogs(const v1::LogQuery& query) {
  GEMPOOL_PERSISTENCE_CALL(QueryErrorLogs, v1::QueryErrorLogsResponse, query, options_.timeout_ms);
}

absl::StatusOr<v1::DeleteLogsResponse> GrpcAdminBackend::DeleteLogs(const v1::DeleteLogsRequest& request) {
  GEMPOOL_PERSISTENCE_CALL(DeleteLogs, v1::DeleteLogsResponse, request, options_.timeout_ms);
}

// Aggregates and usage over a month of a busy log take longer than a plain call.
int GrpcAdminBackend::AggregateTimeoutMs() const { return std::max(options_.timeout_ms, 30000); }

absl::StatusOr<v1::AggregateRequestLogsResponse> GrpcAdminBackend::AggregateRequestLogs(
    const v1::AggregateRequestLogsRequest& request) {
  GEMPOOL_PERSISTENCE_CALL(AggregateRequestLogs, v1::AggregateRequestLogsResponse, request, AggregateTimeoutMs());
}

absl::StatusOr<v1::TopErrorKeysResponse> GrpcAdminBackend::TopErrorKeys(const v1::TopErrorKeysRequest& request) {
  GEMPOOL_PERSISTENCE_CALL(TopErrorKeys, v1::TopErrorKeysResponse, request, AggregateTimeoutMs());
}

absl::StatusOr<v1::UsageReport> GrpcAdminBackend::QueryUsage(const v1::UsageQuery& query) {
  GEMPOOL_PERSISTENCE_CALL(QueryUsage, v1::UsageReport, query, AggregateTimeoutMs());
}

absl::StatusOr<std::map<std::string, std::string>> GrpcAdminBackend::GetSettings() {
  v1::Settings response;
  const grpc::Status status =
      persistence_->GetSettings(PersistenceContext(options_.timeout_ms).get(), v1::GetSettingsRequest(), &response);
  if (!status.ok()) return PersistenceFailure(status, "GetSettings");
  return std::map<std::string, std::string>(response.values().begin(), response.values().end());
}

absl::Status GrpcAdminBackend::PutSettings(const std::map<std::string, std::string>& values) {
  v1::Settings request;
  for (const auto& [name, value] : values) (*request.mutable_values())[name] = value;
  v1::PutSettingsResponse response;
  const grpc::Status status = persistence_->PutSettings(PersistenceContext(options_.timeout_ms).get(), request, &response);
  if (!status.ok()) return PersistenceFailure(status, "PutSettings");
  return absl::OkStatus();
}

absl::Status GrpcAdminBackend::CreateSession(const v1::AdminSession& session) {
  v1::CreateAdminSessionResponse response;
  const grpc::Status status = persistence_->CreateAdminSession(PersistenceContext(options_.timeout_ms).get(), session, &response);
  if (!status.ok()) return PersistenceFailure(status, "CreateAdminSession");
  return absl::OkStatus();
}

absl::StatusOr<v1::AdminSession> GrpcAdminBackend::GetSession(const std::string& id_hash) {
  v1::GetAdminSessionRequest request;
  request.set_id_hash(id_hash);
  v1::AdminSession response;
  const grpc::Status status = persistence_->GetAdminSession(PersistenceContext(options_.timeout_ms).get(), request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return rpc::FromGrpcStatus(status);
  if (!status.ok()) return PersistenceFailure(status, "GetAdminSession");
  return response;
}

absl::Status GrpcAdminBackend::DeleteSession(const std::string& id_hash) {
  v1::DeleteAdminSessionRequest request;
  request.set_id_hash(id_hash);
  v1::DeleteAdminSessionResponse response;
  const grpc::Status status = persistence_->DeleteAdminSession(PersistenceContext(options_.timeout_ms).get(), request, &response);
  if (!status.ok()) return PersistenceFailure(status, "DeleteAdminSession");
  return absl::OkStatus();
}

}  // namespace gempool::gateway::admin
