#pragma once
// AdminBackend and SessionBackend over gRPC: KeyAdmin on the key broker
// (with the admin token as "authorization: Bearer" metadata) and the admin
// calls of the persistence service. Every call has a deadline (RPC_TIMEOUT_MS,
// longer for key verification, which waits for upstream); failures name the
// service and its address. Thread-safe.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "admin/admin_backend.h"
#include "admin/session_store.h"
#include "gempool/v1/keybroker.grpc.pb.h"
#include "gempool/v1/persistence.grpc.pb.h"

namespace gempool::gateway::admin {

class GrpcAdminBackend final : public AdminBackend, public SessionBackend {
 public:
  struct Options {
    std::string keybroker_addr;
    std::string persistence_addr;
    std::string admin_token;
    int timeout_ms = 2000;
    int verify_timeout_ms = 10 * 60 * 1000;
  };

  GrpcAdminBackend(std::shared_ptr<grpc::Channel> keybroker, std::shared_ptr<grpc::Channel> persistence,
                   Options options);

  // AdminBackend
  absl::StatusOr<v1::ListKeysResponse> ListKeys(const v1::ListKeysRequest& request) override;
  absl::StatusOr<v1::AddKeysResponse> AddKeys(const v1::AddKeysRequest& request) override;
  absl::StatusOr<v1::KeyActionResponse> ApplyKeyAction(KeyAction action, const v1::KeySelection& selection) override;
  absl::StatusOr<v1::PoolSummary> GetPoolSummary(v1::Pool pool = v1::POOL_GEMINI) override;
  absl::StatusOr<v1::ExportKeysResponse> ExportKeys(const v1::KeySelection& selection) override;
  absl::StatusOr<v1::VerifyKeysResponse> VerifyKeys(const v1::KeySelection& selection) override;
  absl::StatusOr<v1::CheckProxiesResponse> CheckProxies(const v1::CheckProxiesRequest& request) override;
  absl::StatusOr<v1::CreateClientTokenResponse> CreateClientToken(const v1::CreateClientTokenRequest& request) override;
  absl::StatusOr<v1::ListClientTokensResponse> ListClientTokens() override;
  absl::StatusOr<v1::ClientToken> UpdateClientToken(const v1::UpdateClientTokenRequest& request) override;
  absl::StatusOr<v1::DeleteClientTokenResponse> DeleteClientToken(int64_t id) override;
  absl::StatusOr<v1::KeyUsageResponse> GetKeyUsage(const v1::KeyUsageRequest& request) override;
  absl::StatusOr<v1::QueryRequestLogsResponse> QueryRequestLogs(const v1::LogQuery& query) override;
  absl::StatusOr<v1::QueryErrorLogsResponse> QueryErrorLogs(const v1::LogQuery& query) override;
  absl::StatusOr<v1::DeleteLogsResponse> DeleteLogs(const v1::DeleteLogsRequest& request) override;
  absl::StatusOr<v1::AggregateRequestLogsResponse> AggregateRequestLogs(
      const v1::AggregateRequestLogsRequest& request) override;
  absl::StatusOr<v1::TopErrorKeysResponse> TopErrorKeys(const v1::TopErrorKeysRequest& request) override;
  absl::StatusOr<v1::UsageReport> QueryUsage(const v1::UsageQuery& query) override;
  absl::StatusOr<std::map<std::string, std::string>> GetSettings() override;
  absl::Status PutSettings(const std::map<std::string, std::string>& values) override;

  // SessionBackend
  absl::Status CreateSession(const v1::AdminSession& session) override;
  absl::StatusOr<v1::AdminSession> GetSession(const std::string& id_hash) override;
  absl::Status DeleteSession(const std::string& id_hash) override;

 private:
  std::unique_ptr<grpc::ClientContext> BrokerContext(int timeout_ms) const;
  std::unique_ptr<grpc::ClientContext> PersistenceContext(int timeout_ms) const;
  // The deadline of the aggregating persistence calls (statistics, usage).
  int AggregateTimeoutMs() const;
  absl::Status BrokerFailure(const grpc::Status& status, const char* call) const;
  absl::Status PersistenceFailure(const grpc::Status& status, const char* call) const;

  const Options options_;
  std::unique_ptr<v1::KeyAdmin::Stub> keys_;
  std::unique_ptr<v1::Persistence::Stub> persistence_;
};

}  // namespace gempool::gateway::admin
