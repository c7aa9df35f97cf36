#include "key_admin_service.h"

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "admin_auth.h"
#include "gempool/common/logging.h"
#include "gempool/common/secrets.h"
#include "gempool/rpc/status.h"
#include "key_broker_service.h"
#include "record_convert.h"

namespace gempool::keybroker {
namespace {

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 10000;
// Far longer than any API key; guards against pasting a whole file as one.
constexpr size_t kMaxSecretLength = 512;

keypool::KeySelection ToSelection(const v1::KeySelection& request) {
  keypool::KeySelection selection;
  selection.all = request.all();
  selection.ids.assign(request.ids().begin(), request.ids().end());
  return selection;
}

// Keys are not checked against a format (new kinds appear, e.g. "AQ."), but
// whitespace or control characters inside one mean it was split wrongly.
absl::Status CheckSecret(const std::string& secret) {
  if (secret.size() > kMaxSecretLength) {
    return absl::InvalidArgumentError(absl::StrCat("key ", MaskKey(secret), " is ", secret.size(),
                                                   " characters long: is it several keys run together?"));
  }
  for (char c : secret) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(
          "key ", MaskKey(secret), " contains whitespace or a control character: give one key per entry"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

KeyAdminService::KeyAdminService(keypool::KeyPool& pool, PersistenceClient& persistence,
                                 std::string admin_token, const absl::Notification& ready)
    : pool_(pool), persistence_(persistence), admin_token_(std::move(admin_token)), ready_(ready) {}

grpc::Status KeyAdminService::Admit(const grpc::ServerContext& context) const {
  if (grpc::Status auth = CheckAdminToken(context, admin_token_); !auth.ok()) return auth;
  if (!ready_.HasBeenNotified()) return NotReadyStatus(persistence_.addr());
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::ListKeys(grpc::ServerContext* context, const v1::ListKeysRequest* request,
                                       v1::ListKeysResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  keypool::KeyFilter filter;
  for (int state : request->states()) {
    absl::StatusOr<keypool::KeyState> parsed = FromProto(static_cast<v1::KeyState>(state));
    if (!parsed.ok()) return rpc::ToGrpcStatus(parsed.status());
    filter.states.push_back(*parsed);
  }
  if (request->limit() < 0 || request->limit() > kMaxLimit) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("limit ", request->limit(), " is out of range: expected 1..", kMaxLimit,
                                     " (0 for the default ", kDefaultLimit, ")"));
  }
  if (request->offset() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("offset ", request->offset(), " is negative"));
  }
  filter.model = NormalizeModel(request->model());
  filter.search = request->search();
  filter.limit = request->limit() == 0 ? kDefaultLimit : request->limit();
  filter.offset = request->offset();
  keypool::KeyPage page = pool_.List(filter);
  response->set_total(page.total);
  for (const keypool::KeyInfo& key : page.keys) *response->add_keys() = ToView(key);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::AddKeys(grpc::ServerContext* context, const v1::AddKeysRequest* request,
                                      v1::AddKeysResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  // Trim, drop empties, check, and split into new keys and duplicates.
  std::vector<std::string> fresh;
  absl::flat_hash_set<std::string> seen;
  for (const std::string& raw : request->secrets()) {
    std::string secret(absl::StripAsciiWhitespace(raw));
    if (secret.empty()) continue;
    if (absl::Status ok = CheckSecret(secret); !ok.ok()) return rpc::ToGrpcStatus(ok);
    if (!seen.insert(secret).second || pool_.FindBySecret(secret).has_value()) {
      response->add_duplicates(MaskKey(secret));
      continue;
    }
    fresh.push_back(std::move(secret));
  }
  if (fresh.empty()) return grpc::Status::OK;

  absl::StatusOr<PersistenceClient::StoredKeys> stored = persistence_.AddKeys(fresh);
  if (!stored.ok()) {
    return rpc::ToGrpcStatus(
        absl::Status(stored.status().code(), absl::StrCat(stored.status().message(), "; no key was added")));
  }
  absl::StatusOr<std::vector<bool>> inserted = pool_.Add(stored->keys);
  if (!inserted.ok()) return rpc::ToGrpcStatus(inserted.status());
  for (size_t i = 0; i < inserted->size(); ++i) {
    if ((*inserted)[i]) {
      response->add_added_ids(stored->keys[i].id);
    } else {
      // Added concurrently by another call.
      response->add_duplicates(MaskKey(stored->keys[i].secret));
    }
  }
  response->set_added(response->added_ids_size());
  GEMPOOL_LOG(INFO) << "admin added " << response->added() << " keys (" << response->duplicates_size()
                    << " duplicates)";
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::RemoveKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                                         v1::KeyActionResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  absl::StatusOr<std::vector<int64_t>> ids = pool_.Resolve(ToSelection(*request));
  if (!ids.ok()) return rpc::ToGrpcStatus(ids.status());
  if (ids->empty()) return grpc::Status::OK;
  if (absl::Status deleted = persistence_.DeleteKeys(*ids); !deleted.ok()) {
    return rpc::ToGrpcStatus(
        absl::Status(deleted.code(), absl::StrCat(deleted.message(), "; no key was removed")));
  }
  response->set_affected(pool_.Remove(*ids));
  GEMPOOL_LOG(INFO) << "admin removed " << response->affected() << " keys";
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::PauseKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                                        v1::KeyActionResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  absl::StatusOr<int> affected = pool_.Pause(ToSelection(*request));
  if (!affected.ok()) return rpc::ToGrpcStatus(affected.status());
  response->set_affected(*affected);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::ResumeKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                                         v1::KeyActionResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  absl::StatusOr<int> affected = pool_.Resume(ToSelection(*request));
  if (!affected.ok()) return rpc::ToGrpcStatus(affected.status());
  response->set_affected(*affected);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::ResetKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                                        v1::KeyActionResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  absl::StatusOr<int> affected = pool_.Reset(ToSelection(*request));
  if (!affected.ok()) return rpc::ToGrpcStatus(affected.status());
  response->set_affected(*affected);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::GetPoolSummary(grpc::ServerContext* context, const v1::GetPoolSummaryRequest*,
                                             v1::PoolSummary* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  keypool::PoolCounts counts = pool_.Summary();
  response->set_total(counts.total);
  response->set_active(counts.active);
  response->set_cooling(counts.cooling);
  response->set_failing(counts.failing);
  response->set_disabled(counts.disabled);
  response->set_paused(counts.paused);
  response->set_cooling_some_model(counts.cooling_some_model);
  return grpc::Status::OK;
}

}  // namespace gempool::keybroker
