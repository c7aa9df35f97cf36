#pragma once
// The gateway's side of stored Responses API responses (store: true and
// previous_response_id), kept by the persistence service so any gateway can
// continue from a response another one made. Blocking calls, each with the
// RPC_TIMEOUT_MS deadline; failures name the persistence address and keep
// persistence's status code, so callers map NOT_FOUND (unknown, expired or
// another client's id) to 404 and INVALID_ARGUMENT to 400 themselves.
//
// Thread-safe.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gempool/v1/persistence.grpc.pb.h"

namespace gempool::gateway {

class StoredResponsesClient {
 public:
  // `channel` leads to gempool-persistence at `address` (named in errors);
  // every call has `timeout_ms` (RPC_TIMEOUT_MS).
  StoredResponsesClient(std::shared_ptr<grpc::Channel> channel, std::string address, int timeout_ms);

  // Stores `response`, or replaces the one with its id and owner
  // (PutStoredResponse in proto/gempool/v1/persistence.proto says what is
  // refused).
  absl::Status Put(const v1::StoredResponse& response);

  // The response `owner` stored as `id`; kNotFound when unknown, expired or
  // stored by another owner.
  absl::StatusOr<v1::StoredResponse> Get(const std::string& id, const std::string& owner);

  // Deletes the response `owner` stored as `id`; whether there was one.
  absl::StatusOr<bool> Delete(const std::string& id, const std::string& owner);

  const std::string& address() const { return address_; }

 private:
  absl::Status Failure(const grpc::Status& status, const char* call) const;

  const std::string address_;
  const int timeout_ms_;
  std::unique_ptr<v1::Persistence::Stub> stub_;
};

}  // namespace gempool::gateway
