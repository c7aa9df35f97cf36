#include "responses/stored_responses_client.h"

#include <utility>

#include "gempool/rpc/channel.h"
#include "pool/rpc_failure.h"

namespace gempool::gateway {

StoredResponsesClient::StoredResponsesClient(std::shared_ptr<grpc::Channel> channel, std::string address,
                                             int timeout_ms)
    : address_(std::move(address)), timeout_ms_(timeout_ms), stub_(v1::Persistence::NewStub(channel)) {}

absl::Status StoredResponsesClient::Failure(const grpc::Status& status, const char* call) const {
  return DescribeRpcFailure(status, "persistence", address_, call,
                            "check that gempool-persistence runs and PERSISTENCE_ADDR points at it");
}

absl::Status StoredResponsesClient::Put(const v1::StoredResponse& response) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::PutStoredResponseResponse reply;
  const grpc::Status status = stub_->PutStoredResponse(&context, response, &reply);
  return status.ok() ? absl::OkStatus() : Failure(status, "PutStoredResponse");
}

absl::StatusOr<v1::StoredResponse> StoredResponsesClient::Get(const std::string& id, const std::string& owner) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::GetStoredResponseRequest request;
  request.set_id(id);
  request.set_owner(owner);
  v1::StoredResponse reply;
  const grpc::Status status = stub_->GetStoredResponse(&context, request, &reply);
  if (!status.ok()) return Failure(status, "GetStoredResponse");
  return reply;
}

absl::StatusOr<bool> StoredResponsesClient::Delete(const std::string& id, const std::string& owner) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::DeleteStoredResponseRequest request;
  request.set_id(id);
  request.set_owner(owner);
  v1::DeleteStoredResponseResponse reply;
  const grpc::Status status = stub_->DeleteStoredResponse(&context, request, &reply);
  if (!status.ok()) return Failure(status, "DeleteStoredResponse");
  return reply.deleted();
}

}  // namespace gempool::gateway
