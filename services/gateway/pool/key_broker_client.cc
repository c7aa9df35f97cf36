#include "pool/key_broker_client.h"

#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"
#include "gempool/rpc/channel.h"
#include "pool/rpc_failure.h"

namespace gempool::gateway {

KeyBrokerClient::KeyBrokerClient(std::shared_ptr<grpc::Channel> channel, std::string address,
                                 int timeout_ms)
    : address_(std::move(address)),
      timeout_ms_(timeout_ms),
      broker_(v1::KeyBroker::NewStub(channel)),
      health_(grpc::health::v1::Health::NewStub(channel)) {}

absl::Status KeyBrokerClient::Failure(const grpc::Status& status, const char* call) const {
  return DescribeRpcFailure(status, "key broker", address_, call,
                            "check that gempool-keybroker runs and KEYBROKER_ADDR points at it");
}

std::optional<v1::AcquireKeyResponse> KeyBrokerClient::TryAcquireLocally(const KeyWanted& wanted) {
  if (replica_ == nullptr) return std::nullopt;
  return replica_->Acquire(wanted.pool, wanted.model, wanted.exclude_key_ids, wanted.pinned_key_id);
}

absl::StatusOr<v1::AcquireKeyResponse> KeyBrokerClient::AcquireKey(const KeyWanted& wanted) {
  if (std::optional<v1::AcquireKeyResponse> local = TryAcquireLocally(wanted)) return *local;
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::AcquireKeyRequest request;
  request.set_model(wanted.model);
  request.set_pool(wanted.pool);
  request.set_key_id(wanted.pinned_key_id);
  if (wanted.pinned_key_id <= 0) {
    for (int64_t id : wanted.exclude_key_ids) request.add_exclude_key_ids(id);
  }
  v1::AcquireKeyResponse response;
  const grpc::Status status = broker_->AcquireKey(&context, request, &response);
  if (!status.ok()) return Failure(status, "AcquireKey");
  return response;
}

absl::Status KeyBrokerClient::ReportOutcome(const v1::ReportOutcomeRequest& request) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::ReportOutcomeResponse response;
  const grpc::Status status = broker_->ReportOutcome(&context, request, &response);
  if (!status.ok()) return Failure(status, "ReportOutcome");
  return absl::OkStatus();
}

void KeyBrokerClient::ApplyOutcomeLocally(const v1::ReportOutcomeRequest& report) {
  if (replica_ != nullptr) replica_->Apply(report);
}

absl::Status KeyBrokerClient::ReportOutcomes(const v1::ReportOutcomesRequest& request) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::ReportOutcomesResponse response;
  const grpc::Status status = broker_->ReportOutcomes(&context, request, &response);
  // A report the broker cannot read would fail every retry: drop the batch.
  if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    GEMPOOL_LOG(WARNING) << "the key broker rejected a batch of " << request.reports_size()
                         << " key outcome reports: " << status.error_message();
    return absl::OkStatus();
  }
  if (!status.ok()) return Failure(status, "ReportOutcomes");
  return absl::OkStatus();
}

absl::Status KeyBrokerClient::ReportTokenUsage(const v1::ReportTokenUsageRequest& request) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::ReportTokenUsageResponse response;
  const grpc::Status status = broker_->ReportTokenUsage(&context, request, &response);
  // A broker without managed tokens has nothing to count: drop the batch.
  if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) return absl::OkStatus();
  if (!status.ok()) return Failure(status, "ReportTokenUsage");
  return absl::OkStatus();
}

absl::Status KeyBrokerClient::CheckHealth(int timeout_ms) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = health_->Check(&context, request, &response);
  if (!status.ok()) return Failure(status, "health check");
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return absl::UnavailableError(absl::StrCat(
        "key broker at ", address_, " reports ",
        grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status())));
  }
  return absl::OkStatus();
}

}  // namespace gempool::gateway
