#include "logs/persistence_client.h"

#include "absl/strings/str_cat.h"
#include "gempool/rpc/channel.h"
#include "pool/rpc_failure.h"

namespace gempool::gateway {

PersistenceClient::PersistenceClient(std::shared_ptr<grpc::Channel> channel, std::string address,
                                     int timeout_ms)
    : address_(std::move(address)),
      timeout_ms_(timeout_ms),
      stub_(v1::Persistence::NewStub(channel)) {}

absl::Status PersistenceClient::Failure(const grpc::Status& status, const char* call) const {
  return DescribeRpcFailure(status, "persistence", address_, call,
                            "check that gempool-persistence runs and PERSISTENCE_ADDR points at it");
}

absl::Status PersistenceClient::WriteRequestLogs(absl::string_view sender,
                                                 const std::vector<v1::RequestLogEntry>& entries) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::WriteRequestLogsRequest request;
  request.set_sender(std::string(sender));
  for (const auto& e : entries) *request.add_entries() = e;
  v1::WriteLogsResponse response;
  const grpc::Status status = stub_->WriteRequestLogs(&context, request, &response);
  return status.ok() ? absl::OkStatus() : Failure(status, "WriteRequestLogs");
}

absl::Status PersistenceClient::WriteErrorLogs(absl::string_view sender,
                                               const std::vector<v1::ErrorLogEntry>& entries) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::WriteErrorLogsRequest request;
  request.set_sender(std::string(sender));
  for (const auto& e : entries) *request.add_entries() = e;
  v1::WriteLogsResponse response;
  const grpc::Status status = stub_->WriteErrorLogs(&context, request, &response);
  return status.ok() ? absl::OkStatus() : Failure(status, "WriteErrorLogs");
}

absl::StatusOr<v1::PingResponse> PersistenceClient::Ping(int timeout_ms) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms);
  v1::PingResponse response;
  const grpc::Status status = stub_->Ping(&context, v1::PingRequest(), &response);
  if (!status.ok()) return Failure(status, "Ping");
  return response;
}

}  // namespace gempool::gateway
