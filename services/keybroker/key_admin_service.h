#pragma once
// gempool.v1.KeyAdmin: list, add, remove, pause, resume, reset and verify
// keys, key usage and the pool summary, for gempoolctl and the admin UI.
// Listing, adding, counting and "all keys" apply to the pool the request
// names (Gemini API by default); keys selected by id are found in whichever
// pool holds them. Every call needs the admin
// token (see admin_auth.h). Adding and removing go through persistence first,
// so the database and the pool agree; state changes reach the database
// through the pool's dirty set and the KeyStateWriter.
// Thread-safe.
//
// Why on the broker: the broker owns the pool and its live states, so admin
// actions take effect at once for every gateway, with no second copy of the
// pool to keep in step; persistence only stores what the broker decides.

#include <grpcpp/grpcpp.h>

#include <array>
#include <string>
#include <vector>

#include "gempool/common/notification.h"
#include "broker_settings.h"
#include "client_token_admin.h"
#include "key_watch_hub.h"
#include "gempool/common/clock.h"
#include "gempool/keypool/key_pools.h"
#include "gempool/v1/keybroker.grpc.pb.h"
#include "key_verifier.h"
#include "persistence_client.h"
#include "proxy_checker.h"

namespace gempool::keybroker {

class KeyAdminService final : public v1::KeyAdmin::Service {
 public:
  // All references must outlive this. Calls before `ready` answer
  // UNAVAILABLE. `verifier` probes keys for VerifyKeys; `clock` ends the
  // usage windows; PAID_KEY (shown in usage) comes from `settings`.
  KeyAdminService(keypool::KeyPools& pools, PersistenceClient& persistence, std::string admin_token,
                  const Notification& ready, KeyVerifier& verifier, const Clock& clock,
                  const BrokerSettingsHolder& settings, KeyWatchHub& hub);

  grpc::Status ListKeys(grpc::ServerContext* context, const v1::ListKeysRequest* request,
                        v1::ListKeysResponse* response) override;
  grpc::Status AddKeys(grpc::ServerContext* context, const v1::AddKeysRequest* request,
                       v1::AddKeysResponse* response) override;
  grpc::Status RemoveKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                          v1::KeyActionResponse* response) override;
  grpc::Status PauseKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                         v1::KeyActionResponse* response) override;
  grpc::Status ResumeKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                          v1::KeyActionResponse* response) override;
  grpc::Status ResetKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                         v1::KeyActionResponse* response) override;
  grpc::Status GetPoolSummary(grpc::ServerContext* context, const v1::GetPoolSummaryRequest* request,
                              v1::PoolSummary* response) override;
  // Probes the selected keys now (KeyVerifier), a few at a time; stops
  // starting probes when the call is cancelled or its deadline passes.
  grpc::Status VerifyKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                          v1::VerifyKeysResponse* response) override;
  // Calls per key and model over 1 h, 24 h and 30 d, from persistence's
  // request log (three GetKeyUsage calls, one per window).
  grpc::Status GetKeyUsage(grpc::ServerContext* context, const v1::KeyUsageRequest* request,
                           v1::KeyUsageResponse* response) override;
  // The full secrets of the selected keys (the admin UI's "copy").
  grpc::Status ExportKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                          v1::ExportKeysResponse* response) override;
  // The proxies' health (ProxyChecker), checked now when asked.
  grpc::Status CheckProxies(grpc::ServerContext* context, const v1::CheckProxiesRequest* request,
                            v1::CheckProxiesResponse* response) override;

  // Managed client tokens (ClientTokenAdmin does the work).
  grpc::Status CreateClientToken(grpc::ServerContext* context, const v1::CreateClientTokenRequest* request,
                                 v1::CreateClientTokenResponse* response) override;
  grpc::Status ListClientTokens(grpc::ServerContext* context, const v1::ListClientTokensRequest* request,
                                v1::ListClientTokensResponse* response) override;
  grpc::Status UpdateClientToken(grpc::ServerContext* context, const v1::UpdateClientTokenRequest* request,
                                 v1::ClientToken* response) override;
  grpc::Status DeleteClientToken(grpc::ServerContext* context, const v1::DeleteClientTokenRequest* request,
                                 v1::DeleteClientTokenResponse* response) override;

  // Request and error log rows (e.g. one request id's), relayed to
  // persistence; readable while keys still load.
  grpc::Status QueryRequestLogs(grpc::ServerContext* context, const v1::LogQuery* request,
                                v1::QueryRequestLogsResponse* response) override;
  grpc::Status QueryErrorLogs(grpc::ServerContext* context, const v1::LogQuery* request,
                              v1::QueryErrorLogsResponse* response) override;
  // Token usage (Persistence.QueryUsage), relayed; readable while keys
  // still load.
  grpc::Status QueryUsage(grpc::ServerContext* context, const v1::UsageQuery* request,
                          v1::UsageReport* response) override;

  // Set once, before serving (the broker owns the checker); CheckProxies
  // answers FAILED_PRECONDITION without one.
  void SetProxyChecker(ProxyChecker* checker) { proxy_checker_ = checker; }
  // Set once, before serving (the broker owns it); the client token calls
  // answer FAILED_PRECONDITION without one.
  void SetClientTokenAdmin(ClientTokenAdmin* tokens) { client_tokens_ = tokens; }

 private:
  // Authenticated and loaded, or why not.
  grpc::Status Admit(const grpc::ServerContext& context) const;
  // The ids a selection names, by the pool holding each (indexed by Pool:
  // 0 Gemini, 1 Vertex), sorted; as KeyPool::Resolve for errors.
  absl::StatusOr<std::array<std::vector<int64_t>, 2>> Select(const v1::KeySelection& selection) const;
  // Applies `action` (Pause, Resume or Reset) to the selected keys of each
  // pool; the number changed.
  absl::StatusOr<int> ForSelection(const v1::KeySelection& selection,
                                   absl::StatusOr<int> (keypool::KeyPool::*action)(const keypool::KeySelection&));

  keypool::KeyPools& pools_;
  PersistenceClient& persistence_;
  const std::string admin_token_;
  const Notification& ready_;
  KeyVerifier& verifier_;
  const Clock& clock_;
  const BrokerSettingsHolder& settings_;
  // Told after each change, so gateways' replicas get it at once.
  KeyWatchHub& hub_;
  ProxyChecker* proxy_checker_ = nullptr;
  ClientTokenAdmin* client_tokens_ = nullptr;
};

}  // namespace gempool::keybroker
