#include "key_broker_service.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/rpc/status.h"
#include "proxy_for_key.h"
#include "record_convert.h"

namespace gempool::keybroker {

std::string NormalizeModel(const std::string& model) {
  if (absl::StartsWith(model, "models/")) return model.substr(7);
  return model;
}

grpc::Status NotReadyStatus(const std::string& persistence_addr) {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      absl::StrCat("the key broker is still loading keys from persistence at ",
                                   persistence_addr, " (is gempool-persistence running?)"));
}

KeyBrokerService::KeyBrokerService(keypool::KeyPool& pool, const std::vector<std::string>& proxies,
                                   const absl::Notification& ready, std::string persistence_addr)
    : pool_(pool), proxies_(proxies), ready_(ready), persistence_addr_(std::move(persistence_addr)) {}

grpc::Status KeyBrokerService::CheckReady() const {
  return ready_.HasBeenNotified() ? grpc::Status::OK : NotReadyStatus(persistence_addr_);
}

grpc::Status KeyBrokerService::AcquireKey(grpc::ServerContext*, const v1::AcquireKeyRequest* request,
                                          v1::AcquireKeyResponse* response) {
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  const std::vector<int64_t> exclude(request->exclude_key_ids().begin(), request->exclude_key_ids().end());
  keypool::AcquireResult result = pool_.Acquire(NormalizeModel(request->model()), exclude);
  response->set_available(result.available);
  if (result.available) {
    response->set_key_id(result.key_id);
    response->set_proxy(ProxyForKey(proxies_, result.secret));
    response->set_secret(std::move(result.secret));
  } else {
    response->set_retry_at_ms(result.retry_at_ms);
    response->set_unavailable_reason(std::move(result.unavailable_reason));
  }
  return grpc::Status::OK;
}

grpc::Status KeyBrokerService::ReportOutcome(grpc::ServerContext*, const v1::ReportOutcomeRequest* request,
                                             v1::ReportOutcomeResponse* response) {
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  absl::StatusOr<keypool::Outcome> outcome = FromProto(*request);
  if (!outcome.ok()) return rpc::ToGrpcStatus(outcome.status());
  absl::StatusOr<keypool::KeyState> state =
      pool_.Report(request->key_id(), NormalizeModel(request->model()), *outcome);
  if (absl::IsNotFound(state.status())) {
    // The key was removed since it was handed out: nothing to update.
    response->set_state(v1::KEY_STATE_UNSPECIFIED);
    return grpc::Status::OK;
  }
  if (!state.ok()) return rpc::ToGrpcStatus(state.status());
  response->set_state(ToProto(*state));
  return grpc::Status::OK;
}

}  // namespace gempool::keybroker
