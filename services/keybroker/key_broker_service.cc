#include "key_broker_service.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"
#include "gempool/common/request_scope.h"
#include "gempool/common/status_macros.h"
#include "gempool/keypool/key_info.h"
#include "gempool/rpc/request_metadata.h"
#include "gempool/rpc/status.h"
#include "gempool/keypool/proxy_for_key.h"
#include "gempool/keypool/proto_convert.h"

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

KeyBrokerService::KeyBrokerService(keypool::KeyPools& pools, const BrokerSettingsHolder& settings,
                                   KeyWatchHub& hub, const Notification& ready,
                                   std::string persistence_addr)
    : pools_(pools), settings_(settings), hub_(hub), ready_(ready), persistence_addr_(std::move(persistence_addr)) {}

grpc::Status KeyBrokerService::CheckReady() const {
  return ready_.HasBeenNotified() ? grpc::Status::OK : NotReadyStatus(persistence_addr_);
}

grpc::Status KeyBrokerService::AcquireKey(grpc::ServerContext* context, const v1::AcquireKeyRequest* request,
                                          v1::AcquireKeyResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  const std::vector<int64_t> exclude(request->exclude_key_ids().begin(), request->exclude_key_ids().end());
  const std::string model = NormalizeModel(request->model());
  const std::shared_ptr<const BrokerSettings> settings = settings_.Get();
  const keypool::Pool pool = keypool::FromProto(request->pool());
  keypool::AcquireResult result;
  if (request->key_id() > 0) {
    result = pools_.Get(pool).AcquirePinned(request->key_id(), model);
  } else {
    // PAID_KEY (a Gemini API key) serves image models outside the rotation:
    // the pool is not asked.
    std::optional<keypool::AcquireResult> paid =
        pool == keypool::Pool::kGemini ? keypool::AcquirePaidKey(settings->paid_key, model, exclude) : std::nullopt;
    result = paid.has_value() ? *std::move(paid) : pools_.Get(pool).Acquire(model, exclude);
  }
  response->set_available(result.available);
  if (result.available) {
    response->set_key_id(result.key_id);
    response->set_proxy(settings->proxy_chooser.Choose(result.secret));
    response->set_secret(std::move(result.secret));
  } else {
    response->set_retry_at_ms(result.retry_at_ms);
    response->set_unavailable_reason(std::move(result.unavailable_reason));
  }
  return grpc::Status::OK;
}

absl::StatusOr<v1::KeyState> KeyBrokerService::Apply(const v1::ReportOutcomeRequest& report) {
  GEMPOOL_ASSIGN_OR_RETURN(keypool::Outcome outcome, keypool::FromProto(report));
  // PAID_KEY is not health-tracked.
  if (report.key_id() == kPaidKeyId) return v1::KEY_STATE_UNSPECIFIED;
  keypool::KeyPool* pool = pools_.Find(report.key_id());
  if (pool == nullptr) return v1::KEY_STATE_UNSPECIFIED;  // Removed since it was handed out.
  // The state before, for the log line when a failure changes it.
  keypool::KeyState before = keypool::KeyState::kActive;
  absl::StatusOr<keypool::KeyState> state =
      pool->Report(report.key_id(), NormalizeModel(report.model()), outcome, &before);
  // The key was removed since it was handed out: nothing to update.
  if (absl::IsNotFound(state.status())) return v1::KEY_STATE_UNSPECIFIED;
  GEMPOOL_RETURN_IF_ERROR(state.status());
  if (report.kind() != v1::OUTCOME_KIND_SUCCESS && before != *state) {
    // Names the client request whose attempt caused the change.
    GEMPOOL_LOG_REQUEST(INFO, report.request_id())
        << "key #" << report.key_id() << " (" << keypool::PoolName(pool->pool()) << ") went from "
        << keypool::KeyStateName(before) << " to " << keypool::KeyStateName(*state) << " after "
        << v1::OutcomeKind_Name(report.kind()) << " (HTTP " << report.http_status()
        << (report.error_reason().empty() ? "" : absl::StrCat(", ", report.error_reason())) << ") for model "
        << (report.model().empty() ? "(none)" : report.model());
  }
  return keypool::ToProto(*state);
}

grpc::Status KeyBrokerService::ReportOutcome(grpc::ServerContext* context, const v1::ReportOutcomeRequest* request,
                                             v1::ReportOutcomeResponse* response) {
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  if (count_outcome_) count_outcome_(request->kind());
  absl::StatusOr<v1::KeyState> state = Apply(*request);
  if (!state.ok()) return rpc::ToGrpcStatus(state.status());
  if (request->kind() != v1::OUTCOME_KIND_SUCCESS) hub_.Notify();
  response->set_state(*state);
  return grpc::Status::OK;
}

grpc::Status KeyBrokerService::ReportOutcomes(grpc::ServerContext*, const v1::ReportOutcomesRequest* request,
                                              v1::ReportOutcomesResponse* response) {
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  int applied = 0;
  bool news = false;
  grpc::Status result = grpc::Status::OK;
  DeliveryLedger::Turn turn = delivered_.Begin(request->sender(), "outcomes");
  for (int i = 0; i < request->reports_size(); ++i) {
    const v1::ReportOutcomeRequest& report = request->reports(i);
    // Applied by an earlier attempt of this batch whose answer was lost.
    if (!turn.IsNew(report.delivery_sequence())) continue;
    if (count_outcome_) count_outcome_(report.kind());
    absl::StatusOr<v1::KeyState> state = Apply(report);
    if (!state.ok()) {
      result = rpc::ToGrpcStatus(absl::Status(
          state.status().code(), absl::StrCat("report ", i, " of ", request->reports_size(), " (key id ",
                                              report.key_id(), "): ", state.status().message())));
      break;
    }
    turn.Applied(report.delivery_sequence());
    if (*state != v1::KEY_STATE_UNSPECIFIED) ++applied;
    news = news || report.kind() != v1::OUTCOME_KIND_SUCCESS;
  }
  // Replicas learn of a key that went bad without waiting for the next poll.
  if (news) hub_.Notify();
  response->set_applied(applied);
  return result;
}

grpc::Status KeyBrokerService::WatchKeys(grpc::ServerContext* context, const v1::WatchKeysRequest* request,
                                         grpc::ServerWriter<v1::KeyPoolUpdate>* writer) {
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  return hub_.Serve(context, writer, request->watcher().empty() ? context->peer() : request->watcher());
}

grpc::Status KeyBrokerService::WatchClientTokens(grpc::ServerContext* context,
                                                 const v1::WatchClientTokensRequest* request,
                                                 grpc::ServerWriter<v1::ClientTokenUpdate>* writer) {
  if (token_hub_ == nullptr) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "this key broker does not manage client tokens");
  }
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  return token_hub_->Serve(context, writer, request->gateway().empty() ? context->peer() : request->gateway());
}

grpc::Status KeyBrokerService::ReportTokenUsage(grpc::ServerContext*, const v1::ReportTokenUsageRequest* request,
                                                v1::ReportTokenUsageResponse*) {
  if (token_registry_ == nullptr) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "this key broker does not manage client tokens");
  }
  if (grpc::Status ready = CheckReady(); !ready.ok()) return ready;
  // A batch sent again after a lost answer is counted once.
  DeliveryLedger::Turn turn = delivered_.Begin(request->sender(), "token_usage");
  if (!turn.IsNew(request->delivery_sequence())) return grpc::Status::OK;
  token_registry_->AddUsage(*request);
  turn.Applied(request->delivery_sequence());
  // Every gateway gets the moved counters now, not on the next tick: the
  // less they lag, the less a shared limit can overshoot.
  if (token_hub_ != nullptr) token_hub_->Notify();
  return grpc::Status::OK;
}

}  // namespace gempool::keybroker
