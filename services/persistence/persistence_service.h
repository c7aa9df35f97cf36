#pragma once
// The gRPC face of the storage layer: gempool.v1.Persistence over a
// storage::Store. Translates messages, caps the size of a call's batch, and
// maps absl::Status to gRPC once (rpc::ToGrpcStatus). The store validates the
// content itself (secrets, ids, states, setting names, log query limits), so
// bad input comes back as INVALID_ARGUMENT with the store's message.
//
// Thread-safe (the store is).

#include <grpcpp/grpcpp.h>

#include "gempool/common/delivery_ledger.h"
#include "gempool/common/memory.h"
#include "gempool/storage/store.h"
#include "gempool/metrics/registry.h"
#include "gempool/v1/persistence.grpc.pb.h"

namespace gempool::persistence {

// Most items (keys, ids, log rows, settings) one call may carry.
inline constexpr int kMaxItemsPerCall = 100000;
// A status carrying this payload was logged where it arose (the database is
// not open yet: StoreOpener logs each new reason once), so the RPC that
// returns it does not log it again on every call.
inline constexpr char kLoggedPayloadUrl[] = "type.gempool.dev/persistence.logged";

// Largest request the server accepts (gRPC's default is 4 MiB; a batch of 500
// error-log rows with 16 KiB messages is about 8 MiB). Clients must still
// split anything larger. 1 MiB above a stored response's largest body
// (storage::kMaxStoredResponseBodyBytes, 64 MiB), so such a body with its
// other fields reaches the store and an over-large one gets the store's
// message rather than gRPC's RESOURCE_EXHAUSTED.
inline constexpr int kMaxRequestBytes = 65 * 1024 * 1024;

class PersistenceService final : public v1::Persistence::Service {
 public:
  // `store` must outlive the service.
  explicit PersistenceService(storage::Store& store) : store_(store) {}

  // Times the database writes of WriteRequestLogs, WriteErrorLogs and
  // SaveKeyStates into `family` (label: the method). Call before serving;
  // `family` must outlive the service.
  void TimeWritesInto(metrics::Family<metrics::Histogram>& family);

  // gempool::v1::Persistence::Service
  grpc::Status LoadKeys(grpc::ServerContext* context, const v1::LoadKeysRequest* request,
                        v1::LoadKeysResponse* response) override;
  grpc::Status AddKeys(grpc::ServerContext* context, const v1::AddKeysStoreRequest* request,
                       v1::AddKeysStoreResponse* response) override;
  grpc::Status DeleteKeys(grpc::ServerContext* context, const v1::DeleteKeysRequest* request,
                          v1::DeleteKeysResponse* response) override;
  grpc::Status SaveKeyStates(grpc::ServerContext* context, const v1::SaveKeyStatesRequest* request,
                             v1::SaveKeyStatesResponse* response) override;
  grpc::Status WriteRequestLogs(grpc::ServerContext* context, const v1::WriteRequestLogsRequest* request,
                                v1::WriteLogsResponse* response) override;
  grpc::Status WriteErrorLogs(grpc::ServerContext* context, const v1::WriteErrorLogsRequest* request,
                              v1::WriteLogsResponse* response) override;
  grpc::Status QueryRequestLogs(grpc::ServerContext* context, const v1::LogQuery* request,
                                v1::QueryRequestLogsResponse* response) override;
  grpc::Status QueryErrorLogs(grpc::ServerContext* context, const v1::LogQuery* request,
                              v1::QueryErrorLogsResponse* response) override;
  grpc::Status GetKeyUsage(grpc::ServerContext* context, const v1::GetKeyUsageRequest* request,
                           v1::GetKeyUsageResponse* response) override;
  grpc::Status GetSettings(grpc::ServerContext* context, const v1::GetSettingsRequest* request,
                           v1::Settings* response) override;
  grpc::Status PutSettings(grpc::ServerContext* context, const v1::Settings* request,
                           v1::PutSettingsResponse* response) override;
  grpc::Status Ping(grpc::ServerContext* context, const v1::PingRequest* request, v1::PingResponse* response) override;
  grpc::Status CreateAdminSession(grpc::ServerContext* context, const v1::AdminSession* request,
                                  v1::CreateAdminSessionResponse* response) override;
  grpc::Status GetAdminSession(grpc::ServerContext* context, const v1::GetAdminSessionRequest* request,
                               v1::AdminSession* response) override;
  grpc::Status DeleteAdminSession(grpc::ServerContext* context, const v1::DeleteAdminSessionRequest* request,
                                  v1::DeleteAdminSessionResponse* response) override;
  grpc::Status PutStoredResponse(grpc::ServerContext* context, const v1::StoredResponse* request,
                                 v1::PutStoredResponseResponse* response) override;
  grpc::Status GetStoredResponse(grpc::ServerContext* context, const v1::GetStoredResponseRequest* request,
                                 v1::StoredResponse* response) override;
  grpc::Status DeleteStoredResponse(grpc::ServerContext* context, const v1::DeleteStoredResponseRequest* request,
                                    v1::DeleteStoredResponseResponse* response) override;
  grpc::Status PutUploadSession(grpc::ServerContext* context, const v1::UploadSession* request,
                                v1::PutUploadSessionResponse* response) override;
  grpc::Status GetUploadSession(grpc::ServerContext* context, const v1::GetUploadSessionRequest* request,
                                v1::UploadSession* response) override;
  grpc::Status PutFileRecord(grpc::ServerContext* context, const v1::FileRecord* request,
                             v1::PutFileRecordResponse* response) override;
  grpc::Status GetFileRecords(grpc::ServerContext* context, const v1::GetFileRecordsRequest* request,
                              v1::GetFileRecordsResponse* response) override;
  grpc::Status ListFileRecords(grpc::ServerContext* context, const v1::ListFileRecordsRequest* request,
                               v1::ListFileRecordsResponse* response) override;
  grpc::Status DeleteFileRecord(grpc::ServerContext* context, const v1::DeleteFileRecordRequest* request,
                                v1::DeleteFileRecordResponse* response) override;
  grpc::Status DeleteLogs(grpc::ServerContext* context, const v1::DeleteLogsRequest* request,
                          v1::DeleteLogsResponse* response) override;
  grpc::Status AggregateRequestLogs(grpc::ServerContext* context, const v1::AggregateRequestLogsRequest* request,
                                    v1::AggregateRequestLogsResponse* response) override;
  grpc::Status TopErrorKeys(grpc::ServerContext* context, const v1::TopErrorKeysRequest* request,
                            v1::TopErrorKeysResponse* response) override;
  grpc::Status QueryUsage(grpc::ServerContext* context, const v1::UsageQuery* request,
                          v1::UsageReport* response) override;
  grpc::Status LoadClientTokens(grpc::ServerContext* context, const v1::LoadClientTokensRequest* request,
                                v1::LoadClientTokensResponse* response) override;
  grpc::Status PutClientToken(grpc::ServerContext* context, const v1::ClientToken* request,
                              v1::ClientToken* response) override;
  grpc::Status DeleteClientToken(grpc::ServerContext* context, const v1::DeleteClientTokenRequest* request,
                                 v1::DeleteClientTokenResponse* response) override;

 private:
  storage::Store& store_;
  // TimeWritesInto's; null: not timed.
  metrics::Histogram* save_key_states_seconds_ = nullptr;
  metrics::Histogram* write_request_logs_seconds_ = nullptr;
  metrics::Histogram* write_error_logs_seconds_ = nullptr;
  // LoadKeys builds a reply as large as the pool (100,000 keys: ~35 MB of
  // rows and messages) that gRPC frees only after sending it; the heap is
  // trimmed once that is over (58.9 MiB resident after a broker restart
  // otherwise, 23.4 MiB with the trim).
  DeferredMemoryRelease memory_release_;
  // Which numbered log rows each gateway's batches already wrote: a batch
  // sent again after a lost answer is written once. A sender's turn is held
  // across its write, so a retry that arrives while the first attempt is
  // still writing waits for its outcome; other gateways never wait for it.
  DeliveryLedger delivered_;
};

}  // namespace gempool::persistence
