#pragma once
// gempool.v1.KeyBroker over the key pool: gateways acquire a key per
// upstream attempt (with the proxy it must use) and report how it went.
// Image models (Imagen) get PAID_KEY instead when it is set: handed out
// outside the rotation under the reserved id kPaidKeyId, never stored in the
// pool, and reports against it are ignored.
// Thread-safe (the pool is; gRPC calls handlers concurrently).

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gempool/keypool/key_pool.h"
#include "gempool/v1/keybroker.grpc.pb.h"

namespace gempool::keybroker {

// The key id AcquireKey answers with for PAID_KEY; no pool key has it
// (persistence assigns ids from 1).
inline constexpr int64_t kPaidKeyId = -1;

// Whether `model` (without "models/") is an image model PAID_KEY serves:
// Imagen, ids starting with "imagen-".
bool IsPaidKeyModel(const std::string& model);

class KeyBrokerService final : public v1::KeyBroker::Service {
 public:
  // `ready` is notified once the pool holds the stored keys; calls before
  // that answer UNAVAILABLE. `proxies` is PROXIES, `paid_key` PAID_KEY ("" for
  // none). All references must outlive this.
  KeyBrokerService(keypool::KeyPool& pool, const std::vector<std::string>& proxies,
                   const absl::Notification& ready, std::string persistence_addr, std::string paid_key = "");

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
  const std::string paid_key_;
};

// "models/gemini-2.5-pro" → "gemini-2.5-pro".
std::string NormalizeModel(const std::string& model);

// UNAVAILABLE: the broker is still loading keys from persistence.
grpc::Status NotReadyStatus(const std::string& persistence_addr);

}  // namespace gempool::keybroker
