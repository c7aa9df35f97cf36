#pragma once
// The gateway's side of the key broker: acquire a key per upstream attempt,
// report how it went, and check the broker is up for /health. With a replica
// of the pool (UseReplica), keys come from it in-process and the broker is
// only asked while the replica has no snapshot. Every call has the
// RPC_TIMEOUT_MS deadline; failures come back as absl::Status naming the
// broker's address, so a client-facing 503 says what is down. Thread-safe.

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gempool/v1/keybroker.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "pool/key_pool_replica.h"

namespace gempool::gateway {

class KeyBrokerClient {
 public:
  // `address` is only used in messages; `channel` is where calls go.
  KeyBrokerClient(std::shared_ptr<grpc::Channel> channel, std::string address, int timeout_ms);

  // Hands keys out from `replica` (not owned; must outlive this) once it has
  // a snapshot. Call before serving.
  void UseReplica(KeyPoolReplica* replica) { replica_ = replica; }

  // What to acquire: a key of `pool` for `model` (empty for
  // model-independent calls), skipping `exclude_key_ids`; or, with
  // `pinned_key_id` > 0, that key and no other (exclusions do not apply).
  struct KeyWanted {
    v1::Pool pool = v1::POOL_GEMINI;
    std::string model;
    std::vector<int64_t> exclude_key_ids;
    int64_t pinned_key_id = 0;
  };

  // A key as `wanted` says. `available == false` is an answer, not an
  // error (for a pinned key: it is cooling, disabled, paused or removed).
  absl::StatusOr<v1::AcquireKeyResponse> AcquireKey(const KeyWanted& wanted);
  // The same answer from the in-process replica, without blocking; nullopt
  // when only the broker can answer (no replica yet): then AcquireKey(),
  // which asks it over gRPC, from a thread that may block.
  std::optional<v1::AcquireKeyResponse> TryAcquireLocally(const KeyWanted& wanted);
  // A Gemini pool key for `model`, skipping `exclude_key_ids`.
  absl::StatusOr<v1::AcquireKeyResponse> AcquireKey(const std::string& model,
                                                    const std::vector<int64_t>& exclude_key_ids) {
    return AcquireKey(KeyWanted{v1::POOL_GEMINI, model, exclude_key_ids, 0});
  }
  std::optional<v1::AcquireKeyResponse> TryAcquireLocally(const std::string& model,
                                                         const std::vector<int64_t>& exclude_key_ids) {
    return TryAcquireLocally(KeyWanted{v1::POOL_GEMINI, model, exclude_key_ids, 0});
  }
  // This gateway's outcome of an attempt, applied to the replica at once (the
  // report itself goes to the broker through the OutcomeReporter).
  void ApplyOutcomeLocally(const v1::ReportOutcomeRequest& report);
  absl::Status ReportOutcome(const v1::ReportOutcomeRequest& request);
  absl::Status ReportOutcomes(const v1::ReportOutcomesRequest& request);
  // This gateway's use of managed client tokens (TokenUsageReporter).
  absl::Status ReportTokenUsage(const v1::ReportTokenUsageRequest& request);
  // OK when the broker's gRPC health service says SERVING.
  absl::Status CheckHealth(int timeout_ms);

  const std::string& address() const { return address_; }

 private:
  absl::Status Failure(const grpc::Status& status, const char* call) const;

  const std::string address_;
  const int timeout_ms_;
  std::unique_ptr<v1::KeyBroker::Stub> broker_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
  KeyPoolReplica* replica_ = nullptr;
};

}  // namespace gempool::gateway
