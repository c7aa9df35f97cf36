#pragma once
// The gateway's side of the persistence service: log writes (through
// RequestLogWriter, never on a request's path) and Ping for /health. Every call
// has the RPC_TIMEOUT_MS deadline; errors name the service's address.
// Thread-safe.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gempool/v1/persistence.grpc.pb.h"
#include "logs/request_log_writer.h"

namespace gempool::gateway {

class PersistenceClient final : public LogSink {
 public:
  PersistenceClient(std::shared_ptr<grpc::Channel> channel, std::string address, int timeout_ms);

  // LogSink
  absl::Status WriteRequestLogs(absl::string_view sender, const std::vector<v1::RequestLogEntry>& entries) override;
  absl::Status WriteErrorLogs(absl::string_view sender, const std::vector<v1::ErrorLogEntry>& entries) override;

  // The database backend and schema version, or why it cannot be reached
  // (persistence down, or the database refusing the login).
  absl::StatusOr<v1::PingResponse> Ping(int timeout_ms);

  const std::string& address() const { return address_; }

 private:
  absl::Status Failure(const grpc::Status& status, const char* call) const;

  const std::string address_;
  const int timeout_ms_;
  std::unique_ptr<v1::Persistence::Stub> stub_;
};

}  // namespace gempool::gateway
