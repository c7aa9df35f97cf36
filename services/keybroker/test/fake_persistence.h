#pragma once
// An in-memory gempool.v1.Persistence for broker tests: the key RPCs behave
// as the contract says (ids assigned once, secrets deduplicated, states
// written by id), GetKeyUsage counts request log rows the test seeds,
// QueryErrorLogs answers the error rows it seeds, the settings table is a map, and the test can take it "down" (every call
// UNAVAILABLE) and see what was called. Other RPCs are UNIMPLEMENTED.
// Thread-safe.

#include <grpcpp/grpcpp.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "gempool/common/mutex.h"
#include "gempool/v1/persistence.grpc.pb.h"

namespace gempool::keybroker::testing {

class FakePersistence final : public v1::Persistence::Service {
 public:
  grpc::Status LoadKeys(grpc::ServerContext* context, const v1::LoadKeysRequest* request,
                        v1::LoadKeysResponse* response) override;
  grpc::Status AddKeys(grpc::ServerContext* context, const v1::AddKeysStoreRequest* request,
                       v1::AddKeysStoreResponse* response) override;
  grpc::Status DeleteKeys(grpc::ServerContext* context, const v1::DeleteKeysRequest* request,
                          v1::DeleteKeysResponse* response) override;
  grpc::Status SaveKeyStates(grpc::ServerContext* context, const v1::SaveKeyStatesRequest* request,
                             v1::SaveKeyStatesResponse* response) override;
  grpc::Status GetKeyUsage(grpc::ServerContext* context, const v1::GetKeyUsageRequest* request,
                           v1::GetKeyUsageResponse* response) override;
  grpc::Status GetSettings(grpc::ServerContext* context, const v1::GetSettingsRequest* request,
                           v1::Settings* response) override;
  grpc::Status PutSettings(grpc::ServerContext* context, const v1::Settings* request,
                           v1::PutSettingsResponse* response) override;
  // Answers the report set_usage_report gave; a limit over 1000 is
  // INVALID_ARGUMENT, as the real service says.
  grpc::Status QueryUsage(grpc::ServerContext* context, const v1::UsageQuery* request,
                          v1::UsageReport* response) override;
  // The seeded error rows, newest seeded first, each body cut to a 4-byte
  // preview (the real one keeps 256); LogQuery.id answers that row whole, or
  // NOT_FOUND naming the id.
  grpc::Status QueryErrorLogs(grpc::ServerContext* context, const v1::LogQuery* request,
                              v1::QueryErrorLogsResponse* response) override;
  // Managed client tokens, once set_stores_client_tokens(true); until then
  // UNIMPLEMENTED, as an older persistence answers (the broker then manages
  // none).
  grpc::Status LoadClientTokens(grpc::ServerContext* context, const v1::LoadClientTokensRequest* request,
                                v1::LoadClientTokensResponse* response) override;
  grpc::Status PutClientToken(grpc::ServerContext* context, const v1::ClientToken* request,
                              v1::ClientToken* response) override;

  // Stores a record as is (its id must be new).
  void Seed(const v1::KeyRecord& record);
  // Appends a request log row (for GetKeyUsage).
  void SeedRequestLog(const v1::RequestLogEntry& entry);
  // The since_ms of each GetKeyUsage call received (while up), in order.
  std::vector<int64_t> usage_calls() const;
  // While down, every call fails with UNAVAILABLE.
  void set_down(bool down);
  void set_stores_client_tokens(bool stores);
  // Upserts rows of the settings table (as PutSettings does).
  void PutSetting(const std::string& name, const std::string& value);
  // GetSettings calls received (while up).
  int settings_calls() const;
  // While set, GetSettings fails with this code (persistence up otherwise).
  void set_settings_error(grpc::StatusCode code);
  // What QueryUsage answers; the queries it received (while up).
  void set_usage_report(const v1::UsageReport& report);
  std::vector<v1::UsageQuery> usage_queries() const;
  // Appends an error log row (its id must be set), for QueryErrorLogs; the
  // queries QueryErrorLogs received (while up).
  void SeedErrorLog(const v1::ErrorLogEntry& entry);
  std::vector<v1::LogQuery> error_log_queries() const;

  // Stored records by id.
  std::map<int64_t, v1::KeyRecord> keys() const;
  std::optional<v1::KeyRecord> key(int64_t id) const;
  // Sizes of the SaveKeyStates batches received (while up), in order.
  std::vector<int> save_batches() const;
  // Secrets of each AddKeys call received (while up), in order.
  std::vector<std::vector<std::string>> add_calls() const;
  int load_calls() const;

 private:
  mutable Mutex mu_;
  bool down_ ABSL_GUARDED_BY(mu_) = false;
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool stores_client_tokens_ ABSL_GUARDED_BY(mu_) = false;
  std::map<int64_t, v1::ClientToken> client_tokens_ ABSL_GUARDED_BY(mu_);
  std::map<int64_t, v1::KeyRecord> keys_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::RequestLogEntry> request_log_ ABSL_GUARDED_BY(mu_);
  std::vector<int64_t> usage_calls_ ABSL_GUARDED_BY(mu_);
  std::vector<int> save_batches_ ABSL_GUARDED_BY(mu_);
  std::vector<std::vector<std::string>> add_calls_ ABSL_GUARDED_BY(mu_);
  int load_calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, std::string> settings_ ABSL_GUARDED_BY(mu_);
  int settings_calls_ ABSL_GUARDED_BY(mu_) = 0;
  grpc::StatusCode settings_error_ ABSL_GUARDED_BY(mu_) = grpc::StatusCode::OK;
  v1::UsageReport usage_report_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::UsageQuery> usage_queries_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::ErrorLogEntry> error_log_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::LogQuery> error_log_queries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::keybroker::testing
