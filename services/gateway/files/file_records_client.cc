#include "files/file_records_client.h"

#include <utility>

#include "gempool/rpc/channel.h"
#include "pool/rpc_failure.h"

namespace gempool::gateway {

FileRecordsClient::FileRecordsClient(std::shared_ptr<grpc::Channel> channel, std::string address, int timeout_ms)
    : address_(std::move(address)), timeout_ms_(timeout_ms), stub_(v1::Persistence::NewStub(channel)) {}

absl::Status FileRecordsClient::Failure(const grpc::Status& status, const char* call) const {
  return DescribeRpcFailure(status, "persistence", address_, call,
                            "check that gempool-persistence runs and PERSISTENCE_ADDR points at it");
}

absl::Status FileRecordsClient::PutUploadSession(const v1::UploadSession& session) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::PutUploadSessionResponse reply;
  const grpc::Status status = stub_->PutUploadSession(&context, session, &reply);
  return status.ok() ? absl::OkStatus() : Failure(status, "PutUploadSession");
}

absl::StatusOr<v1::UploadSession> FileRecordsClient::GetUploadSession(const std::string& id) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::GetUploadSessionRequest request;
  request.set_id(id);
  v1::UploadSession reply;
  const grpc::Status status = stub_->GetUploadSession(&context, request, &reply);
  if (!status.ok()) return Failure(status, "GetUploadSession");
  return reply;
}

absl::Status FileRecordsClient::PutFileRecord(const v1::FileRecord& record) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::PutFileRecordResponse reply;
  const grpc::Status status = stub_->PutFileRecord(&context, record, &reply);
  return status.ok() ? absl::OkStatus() : Failure(status, "PutFileRecord");
}

absl::StatusOr<std::vector<v1::FileRecord>> FileRecordsClient::GetFileRecords(const std::vector<std::string>& names) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::GetFileRecordsRequest request;
  for (const std::string& name : names) request.add_names(name);
  v1::GetFileRecordsResponse reply;
  const grpc::Status status = stub_->GetFileRecords(&context, request, &reply);
  if (!status.ok()) return Failure(status, "GetFileRecords");
  return std::vector<v1::FileRecord>(reply.records().begin(), reply.records().end());
}

absl::StatusOr<v1::ListFileRecordsResponse> FileRecordsClient::ListFileRecords(
    const v1::ListFileRecordsRequest& request) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::ListFileRecordsResponse reply;
  const grpc::Status status = stub_->ListFileRecords(&context, request, &reply);
  if (!status.ok()) return Failure(status, "ListFileRecords");
  return reply;
}

absl::StatusOr<bool> FileRecordsClient::DeleteFileRecord(const std::string& name) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::DeleteFileRecordRequest request;
  request.set_name(name);
  v1::DeleteFileRecordResponse reply;
  const grpc::Status status = stub_->DeleteFileRecord(&context, request, &reply);
  if (!status.ok()) return Failure(status, "DeleteFileRecord");
  return reply.deleted();
}

}  // namespace gempool::gateway
