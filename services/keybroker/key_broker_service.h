#pragma once
// gempool.v1.KeyBroker over the key pool: gateways acquire a key per
// upstream attempt (with the proxy it must use) and report how it went.
// Thread-safe (the pool is; gRPC calls handlers concurrently).

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gempool/keypool/key_pool.h"
#include "gempool/v1/keybroker.grpc.pb.h"

namespace gempool::keybroker {

class KeyBrokerService final : public v1::KeyBroker::Service {
 public:
  // `ready` is notified once the pool holds the stored keys; calls before
  // that answer UNAVAILABLE. `proxies` is PROXIES. All must outlive this.
  KeyBrokerService(keypool::KeyPool& pool, const std::vector<std::string>& proxies,
                   const absl::Notification& ready, std::string persistence_addr);

  grpc::Status AcquireKey(grpc::ServerContext* context, const v1::AcquireKeyRequest* request,
                          v1::AcquireKeyResponse* response) override;
  grpc::Status ReportOutcome(grpc::ServerContext* context, const v1::ReportOutcomeRequest* request,
                             v1::ReportOutcomeResponse* response) override;

 private:
  grpc::Status CheckReady() const;

  keypool::KeyPool& pool_;
  const std::vector<std::string>& proxies_;
  const absl::Notification& ready_;
  const std::string persistence_addr_;
};

// "models/gemini-2.5-pro" → "gemini-2.5-pro".
std::string NormalizeModel(const std::string& model);

// UNAVAILABLE: the broker is still loading keys from persistence.
grpc::Status NotReadyStatus(const std::string& persistence_addr);

}  // namespace gempool::keybroker
