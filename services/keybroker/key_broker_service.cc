#include "key_broker_service.h"

#include <algorithm>

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

bool IsPaidKeyModel(const std::string& model) { return absl::StartsWith(model, "imagen-"); }

KeyBrokerService::KeyBrokerService(keypool::KeyPool& pool, const std::vector<std::string>& proxies,
                                   const absl::Notification& ready, std::string persistence_addr,
                                   std::string paid_key)
    : pool_(pool),
      proxies_(proxies),
      ready_(ready),
      persistence_addr_(std::move(persistence_addr)),
      paid_key_(std::move(paid_key)) {}

grpc::Status KeyBrokerService::CheckReady() const {
  return ready_.HasBeenNotified() ? grpc::Status::OK : NotReadyStatus(persistence_addr_);
}

grpc::Status KeyBrokerService::AcquireKey(grpc::ServerContext*, const v1::AcquireKeyRequest* request,
                                          v1::AcquireKeyResponse* response) {
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  const std::vector<int64_t> exclude(request->exclude_key_ids().begin(), request->exclude_key_ids().end());
  const std::string model = NormalizeModel(request->model());
  if (!paid_key_.empty() && IsPaidKeyModel(model)) {
    // Outside the rotation: the pool's keys are not asked.
    if (std::find(exclude.begin(), exclude.end(), kPaidKeyId) != exclude.end()) {
      response->set_available(false);
      response->set_unavailable_reason(absl::StrCat(
          "image model ", model, " is served by PAID_KEY only, and it was already tried for this request"));
      return grpc::Status::OK;
    }
    response->set_available(true);
    response->set_key_id(kPaidKeyId);
    response->set_proxy(ProxyForKey(proxies_, paid_key_));
    response->set_secret(paid_key_);
    return grpc::Status::OK;
  }
  keypool::AcquireResult result = pool_.Acquire(model, exclude);
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
  if (request->key_id() == kPaidKeyId) {
    // PAID_KEY is not health-tracked.
    response->set_state(v1::KEY_STATE_UNSPECIFIED);
    return grpc::Status::OK;
  }
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
