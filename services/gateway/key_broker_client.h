#pragma once
// The gateway's side of the key broker: acquire a key per upstream attempt,
// report how it went, and check the broker is up for /health. Every call has
// the RPC_TIMEOUT_MS deadline; failures come back as absl::Status naming the
// broker's address, so a client-facing 503 says what is down. Thread-safe.

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gempool/v1/keybroker.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace gempool::gateway {

class KeyBrokerClient {
 public:
  // `address` is only used in messages; `channel` is where calls go.
  KeyBrokerClient(std::shared_ptr<grpc::Channel> channel, std::string address, int timeout_ms);

  // A key for `model` (empty for model-independent calls), skipping
  // `exclude_key_ids`. `available == false` is an answer, not an error.
  absl::StatusOr<v1::AcquireKeyResponse> AcquireKey(const std::string& model,
                                                    const std::vector<int64_t>& exclude_key_ids);
  absl::Status ReportOutcome(const v1::ReportOutcomeRequest& request);
  // OK when the broker's gRPC health service says SERVING.
  absl::Status CheckHealth(int timeout_ms);

  const std::string& address() const { return address_; }

 private:
  absl::Status Failure(const grpc::Status& status, const char* call) const;

  const std::string address_;
  const int timeout_ms_;
  std::unique_ptr<v1::KeyBroker::Stub> broker_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

}  // namespace gempool::gateway
