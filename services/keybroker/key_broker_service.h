#pragma once
// gempool.v1.KeyBroker over the key pools (Gemini API, Vertex AI Express):
// gateways acquire a key per upstream attempt from the pool they name, or
// one exact key (a pinned call), with the proxy it must use, and report how
// it went (reports find the key by id in either pool).
// Image models (Imagen) get PAID_KEY instead when it is set: handed out
// outside the rotation under the reserved id kPaidKeyId, never stored in the
// pool, and reports against it are ignored.
// Gateways may instead keep a replica of the pool (WatchKeys, served by the
// KeyWatchHub) and send outcomes in batches (ReportOutcomes).
// Thread-safe (the pool is; gRPC calls handlers concurrently).

#include <grpcpp/grpcpp.h>

#include <functional>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/common/notification.h"
#include "broker_settings.h"
#include "client_token_registry.h"
#include "client_token_watch_hub.h"
#include "gempool/common/delivery_ledger.h"
#include "gempool/keypool/key_pools.h"
#include "gempool/keypool/paid_key.h"
#include "gempool/v1/keybroker.grpc.pb.h"
#include "key_watch_hub.h"

namespace gempool::keybroker {

using keypool::IsPaidKeyModel;
using keypool::kPaidKeyId;

class KeyBrokerService final : public v1::KeyBroker::Service {
 public:
  // `ready` is notified once the pool holds the stored keys; calls before
  // that answer UNAVAILABLE. PROXIES and PAID_KEY come from `settings` at
  // each call. All references must outlive this.
  KeyBrokerService(keypool::KeyPools& pools, const BrokerSettingsHolder& settings, KeyWatchHub& hub,
                   const Notification& ready, std::string persistence_addr);

  grpc::Status AcquireKey(grpc::ServerContext* context, const v1::AcquireKeyRequest* request,
                          v1::AcquireKeyResponse* response) override;
  grpc::Status ReportOutcome(grpc::ServerContext* context, const v1::ReportOutcomeRequest* request,
                             v1::ReportOutcomeResponse* response) override;
  grpc::Status ReportOutcomes(grpc::ServerContext* context, const v1::ReportOutcomesRequest* request,
                              v1::ReportOutcomesResponse* response) override;
  grpc::Status WatchKeys(grpc::ServerContext* context, const v1::WatchKeysRequest* request,
                         grpc::ServerWriter<v1::KeyPoolUpdate>* writer) override;
  // Managed client tokens and their shared counters (ClientTokenWatchHub),
  // and gateways' use of them (added to the counters).
  grpc::Status WatchClientTokens(grpc::ServerContext* context, const v1::WatchClientTokensRequest* request,
                                 grpc::ServerWriter<v1::ClientTokenUpdate>* writer) override;
  grpc::Status ReportTokenUsage(grpc::ServerContext* context, const v1::ReportTokenUsageRequest* request,
                                v1::ReportTokenUsageResponse* response) override;

  // Set once, before serving (the broker owns both); the client token calls
  // answer UNIMPLEMENTED without them.
  void SetClientTokens(ClientTokenRegistry* registry, ClientTokenWatchHub* hub) {
    token_registry_ = registry;
    token_hub_ = hub;
  }

  // Told the kind of every outcome report received (the metrics). Set
  // before serving.
  void CountOutcomesWith(std::function<void(v1::OutcomeKind)> count) { count_outcome_ = std::move(count); }

 private:
  std::function<void(v1::OutcomeKind)> count_outcome_;
  grpc::Status CheckReady() const;
  // Applies one report; the key's state afterwards (UNSPECIFIED for the paid
  // key and removed keys).
  absl::StatusOr<v1::KeyState> Apply(const v1::ReportOutcomeRequest& report);

  keypool::KeyPools& pools_;
  const BrokerSettingsHolder& settings_;
  KeyWatchHub& hub_;
  const Notification& ready_;
  const std::string persistence_addr_;
  ClientTokenRegistry* token_registry_ = nullptr;
  ClientTokenWatchHub* token_hub_ = nullptr;
  // Which numbered reports each gateway's batches already applied: a batch
  // sent again after a lost answer counts each outcome once.
  DeliveryLedger delivered_;
};

// "models/gemini-2.5-pro" → "gemini-2.5-pro".
std::string NormalizeModel(const std::string& model);

// UNAVAILABLE: the broker is still loading keys from persistence.
grpc::Status NotReadyStatus(const std::string& persistence_addr);

}  // namespace gempool::keybroker
