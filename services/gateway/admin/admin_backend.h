#pragma once
// What the admin API needs from the rest of gempool: the broker's KeyAdmin
// calls and the persistence service's log, statistics and settings calls, as
// one interface so the API is tested against a fake. GrpcAdminBackend is the
// real one. Implementations are thread-safe.

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gempool/v1/keybroker.pb.h"
#include "gempool/v1/persistence.pb.h"

namespace gempool::gateway::admin {

enum class KeyAction { kRemove, kPause, kResume, kReset };

class AdminBackend {
 public:
  virtual ~AdminBackend() = default;

  // Key broker (KeyAdmin).
  virtual absl::StatusOr<v1::ListKeysResponse> ListKeys(const v1::ListKeysRequest& request) = 0;
  virtual absl::StatusOr<v1::AddKeysResponse> AddKeys(const v1::AddKeysRequest& request) = 0;
  virtual absl::StatusOr<v1::KeyActionResponse> ApplyKeyAction(KeyAction action,
                                                               const v1::KeySelection& selection) = 0;
  // Counts of one key pool (Gemini API keys, or Vertex AI Express keys).
  virtual absl::StatusOr<v1::PoolSummary> GetPoolSummary(v1::Pool pool = v1::POOL_GEMINI) = 0;
  virtual absl::StatusOr<v1::ExportKeysResponse> ExportKeys(const v1::KeySelection& selection) = 0;
  virtual absl::StatusOr<v1::VerifyKeysResponse> VerifyKeys(const v1::KeySelection& selection) = 0;
  virtual absl::StatusOr<v1::KeyUsageResponse> GetKeyUsage(const v1::KeyUsageRequest& request) = 0;
  // The proxies' health (run_now: checked now). Not every backend has it.
  virtual absl::StatusOr<v1::CheckProxiesResponse> CheckProxies(const v1::CheckProxiesRequest&) {
    return absl::UnimplementedError("proxy checks are not available here");
  }

  // Persistence.
  virtual absl::StatusOr<v1::QueryRequestLogsResponse> QueryRequestLogs(const v1::LogQuery& query) = 0;
  virtual absl::StatusOr<v1::QueryErrorLogsResponse> QueryErrorLogs(const v1::LogQuery& query) = 0;
  virtual absl::StatusOr<v1::DeleteLogsResponse> DeleteLogs(const v1::DeleteLogsRequest& request) = 0;
  virtual absl::StatusOr<v1::AggregateRequestLogsResponse> AggregateRequestLogs(
      const v1::AggregateRequestLogsRequest& request) = 0;
  virtual absl::StatusOr<v1::TopErrorKeysResponse> TopErrorKeys(const v1::TopErrorKeysRequest& request) = 0;
  // Token usage from the hourly usage table (Persistence.QueryUsage).
  virtual absl::StatusOr<v1::UsageReport> QueryUsage(const v1::UsageQuery&) {
    return absl::UnimplementedError("token usage is not available here");
  }
  // Managed client tokens (KeyAdmin). Not every backend has them.
  virtual absl::StatusOr<v1::CreateClientTokenResponse> CreateClientToken(const v1::CreateClientTokenRequest&) {
    return absl::UnimplementedError("client tokens are not available here");
  }
  virtual absl::StatusOr<v1::ListClientTokensResponse> ListClientTokens() {
    return absl::UnimplementedError("client tokens are not available here");
  }
  virtual absl::StatusOr<v1::ClientToken> UpdateClientToken(const v1::UpdateClientTokenRequest&) {
    return absl::UnimplementedError("client tokens are not available here");
  }
  virtual absl::StatusOr<v1::DeleteClientTokenResponse> DeleteClientToken(int64_t) {
    return absl::UnimplementedError("client tokens are not available here");
  }

  virtual absl::StatusOr<std::map<std::string, std::string>> GetSettings() = 0;
  virtual absl::Status PutSettings(const std::map<std::string, std::string>& values) = 0;
};

}  // namespace gempool::gateway::admin
