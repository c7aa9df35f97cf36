#pragma once
// The gateway's side of the Files API records kept by the persistence
// service (upload sessions and file records, see the Files API RPCs in
// proto/gempool/v1/persistence.proto), so that any gateway can continue an
// upload another one started and route a later call naming a file. Blocking
// calls, each with the RPC_TIMEOUT_MS deadline; failures name the
// persistence address and keep persistence's status code (NOT_FOUND for an
// unknown or expired session).
//
// Thread-safe.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gempool/v1/persistence.grpc.pb.h"

namespace gempool::gateway {

class FileRecordsClient {
 public:
  // `channel` leads to gempool-persistence at `address` (named in errors);
  // every call has `timeout_ms` (RPC_TIMEOUT_MS).
  FileRecordsClient(std::shared_ptr<grpc::Channel> channel, std::string address, int timeout_ms);
  virtual ~FileRecordsClient() = default;

  virtual absl::Status PutUploadSession(const v1::UploadSession& session);
  virtual absl::StatusOr<v1::UploadSession> GetUploadSession(const std::string& id);
  virtual absl::Status PutFileRecord(const v1::FileRecord& record);
  // The unexpired records among `names` (at most 1000).
  virtual absl::StatusOr<std::vector<v1::FileRecord>> GetFileRecords(const std::vector<std::string>& names);
  virtual absl::StatusOr<v1::ListFileRecordsResponse> ListFileRecords(const v1::ListFileRecordsRequest& request);
  virtual absl::StatusOr<bool> DeleteFileRecord(const std::string& name);

 protected:
  FileRecordsClient() : timeout_ms_(0) {}  // For test doubles.

 private:
  absl::Status Failure(const grpc::Status& status, const char* call) const;

  const std::string address_;
  const int timeout_ms_;
  std::unique_ptr<v1::Persistence::Stub> stub_;
};

}  // namespace gempool::gateway
