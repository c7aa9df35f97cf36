#include "key_admin_service.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "admin_auth.h"
#include "gempool/common/logging.h"
#include "gempool/common/request_scope.h"
#include "gempool/common/secrets.h"
#include "gempool/rpc/request_metadata.h"
#include "gempool/rpc/status.h"
#include "key_broker_service.h"
#include "gempool/keypool/proto_convert.h"

namespace gempool::keybroker {
namespace {

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 10000;
// Far longer than any API key; guards against pasting a whole file as one.
constexpr size_t kMaxSecretLength = 512;

keypool::KeySelection IdSelection(std::vector<int64_t> ids) {
  keypool::KeySelection selection;
  selection.ids = std::move(ids);
  return selection;
}

std::vector<int64_t> Joined(const std::array<std::vector<int64_t>, 2>& split) {
  std::vector<int64_t> all = split[0];
  all.insert(all.end(), split[1].begin(), split[1].end());
  std::sort(all.begin(), all.end());
  return all;
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

KeyAdminService::KeyAdminService(keypool::KeyPools& pools, PersistenceClient& persistence,
                                 std::string admin_token, const Notification& ready,
                                 KeyVerifier& verifier, const Clock& clock,
                                 const BrokerSettingsHolder& settings, KeyWatchHub& hub)
    : pools_(pools),
      persistence_(persistence),
      admin_token_(std::move(admin_token)),
      ready_(ready),
      verifier_(verifier),
      clock_(clock),
      settings_(settings),
      hub_(hub) {}

grpc::Status KeyAdminService::Admit(const grpc::ServerContext& context) const {
  if (grpc::Status auth = CheckAdminToken(context, admin_token_); !auth.ok()) return auth;
  if (!ready_.HasBeenNotified()) return NotReadyStatus(persistence_.addr());
  return grpc::Status::OK;
}

absl::StatusOr<std::array<std::vector<int64_t>, 2>> KeyAdminService::Select(
    const v1::KeySelection& selection) const {
  std::array<std::vector<int64_t>, 2> split;
  if (selection.all()) {
    const keypool::Pool pool = keypool::FromProto(selection.pool());
    keypool::KeySelection all;
    all.all = true;
    absl::StatusOr<std::vector<int64_t>> ids = pools_.Get(pool).Resolve(all);
    if (!ids.ok()) return ids.status();
    split[pool == keypool::Pool::kVertex ? 1 : 0] = *std::move(ids);
    return split;
  }
  if (selection.ids().empty()) {
    return absl::InvalidArgumentError("no keys selected: give key ids, or select all keys");
  }
  std::vector<int64_t> ids(selection.ids().begin(), selection.ids().end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return pools_.SplitByPool(ids);
}

absl::StatusOr<int> KeyAdminService::ForSelection(
    const v1::KeySelection& selection, absl::StatusOr<int> (keypool::KeyPool::*action)(const keypool::KeySelection&)) {
  absl::StatusOr<std::array<std::vector<int64_t>, 2>> split = Select(selection);
  if (!split.ok()) return split.status();
  int affected = 0;
  for (keypool::Pool pool : keypool::kAllPools) {
    std::vector<int64_t>& ids = (*split)[pool == keypool::Pool::kVertex ? 1 : 0];
    if (ids.empty()) continue;
    absl::StatusOr<int> changed = (pools_.Get(pool).*action)(IdSelection(std::move(ids)));
    // A key removed meanwhile: act on the others.
    if (absl::IsNotFound(changed.status())) continue;
    if (!changed.ok()) return changed.status();
    affected += *changed;
  }
  return affected;
}

grpc::Status KeyAdminService::ListKeys(grpc::ServerContext* context, const v1::ListKeysRequest* request,
                                       v1::ListKeysResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));  // Names the caller's request in log lines.
  keypool::KeyFilter filter;
  for (int state : request->states()) {
    absl::StatusOr<keypool::KeyState> parsed = keypool::FromProto(static_cast<v1::KeyState>(state));
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
  switch (request->sort()) {
    case v1::KEY_SORT_ID:
      filter.sort = keypool::KeyFilter::Sort::kId;
      break;
    case v1::KEY_SORT_STATE:
      filter.sort = keypool::KeyFilter::Sort::kState;
      break;
    case v1::KEY_SORT_FAILURES:
      filter.sort = keypool::KeyFilter::Sort::kFailures;
      break;
    case v1::KEY_SORT_LAST_USED:
      filter.sort = keypool::KeyFilter::Sort::kLastUsed;
      break;
    case v1::KEY_SORT_COOLING_UNTIL:
      filter.sort = keypool::KeyFilter::Sort::kCoolingUntil;
      break;
    default:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("sort ", request->sort(), " is not a KeySort value"));
  }
  filter.descending = request->descending();
  keypool::KeyPage page = pools_.Get(keypool::FromProto(request->pool())).List(filter);
  response->set_total(page.total);
  for (const keypool::KeyInfo& key : page.keys) *response->add_keys() = keypool::ToView(key);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::AddKeys(grpc::ServerContext* context, const v1::AddKeysRequest* request,
                                      v1::AddKeysResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));  // Names the caller's request in log lines.
  // Trim, drop empties, check, and split into new keys and duplicates.
  std::vector<std::string> fresh;
  absl::flat_hash_set<std::string> seen;
  for (const std::string& raw : request->secrets()) {
    std::string secret(absl::StripAsciiWhitespace(raw));
    if (secret.empty()) continue;
    if (absl::Status ok = CheckSecret(secret); !ok.ok()) return rpc::ToGrpcStatus(ok);
    // A key in either pool is a duplicate (never moved to the other pool).
    if (!seen.insert(secret).second || pools_.Get(keypool::Pool::kGemini).FindBySecret(secret).has_value() ||
        pools_.Get(keypool::Pool::kVertex).FindBySecret(secret).has_value()) {
      response->add_duplicates(MaskKey(secret));
      continue;
    }
    fresh.push_back(std::move(secret));
  }
  if (fresh.empty()) return grpc::Status::OK;

  const keypool::Pool pool = keypool::FromProto(request->pool());
  absl::StatusOr<PersistenceClient::StoredKeys> stored = persistence_.AddKeys(fresh, pool);
  if (!stored.ok()) {
    return rpc::ToGrpcStatus(
        absl::Status(stored.status().code(), absl::StrCat(stored.status().message(), "; no key was added")));
  }
  // Each key joins the pool its record names (a secret stored before, but
  // not in memory, keeps its pool).
  std::vector<bool> inserted_all(stored->keys.size(), false);
  for (keypool::Pool target : keypool::kAllPools) {
    std::vector<keypool::KeyInfo> keys;
    std::vector<size_t> positions;
    for (size_t i = 0; i < stored->keys.size(); ++i) {
      if (stored->keys[i].pool != target) continue;
      keys.push_back(stored->keys[i]);
      positions.push_back(i);
    }
    if (keys.empty()) continue;
    absl::StatusOr<std::vector<bool>> inserted = pools_.Get(target).Add(keys);
    if (!inserted.ok()) return rpc::ToGrpcStatus(inserted.status());
    for (size_t j = 0; j < positions.size(); ++j) inserted_all[positions[j]] = (*inserted)[j];
  }
  const std::vector<bool>* inserted = &inserted_all;
  hub_.Notify();
  for (size_t i = 0; i < inserted->size(); ++i) {
    if ((*inserted)[i]) {
      response->add_added_ids(stored->keys[i].id);
    } else {
      // Added concurrently by another call.
      response->add_duplicates(MaskKey(stored->keys[i].secret));
    }
  }
  response->set_added(response->added_ids_size());
  GEMPOOL_LOG(INFO) << "admin added " << response->added() << " keys to the " << keypool::PoolName(pool)
                    << " pool (" << response->duplicates_size() << " duplicates)";
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::RemoveKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                                         v1::KeyActionResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));  // Names the caller's request in log lines.
  absl::StatusOr<std::array<std::vector<int64_t>, 2>> split = Select(*request);
  if (!split.ok()) return rpc::ToGrpcStatus(split.status());
  const std::vector<int64_t> ids = Joined(*split);
  if (ids.empty()) return grpc::Status::OK;
  if (absl::Status deleted = persistence_.DeleteKeys(ids); !deleted.ok()) {
    return rpc::ToGrpcStatus(
        absl::Status(deleted.code(), absl::StrCat(deleted.message(), "; no key was removed")));
  }
  response->set_affected(pools_.Get(keypool::Pool::kGemini).Remove((*split)[0]) +
                         pools_.Get(keypool::Pool::kVertex).Remove((*split)[1]));
  hub_.Notify();
  GEMPOOL_LOG(INFO) << "admin removed " << response->affected() << " keys";
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::PauseKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                                        v1::KeyActionResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));  // Names the caller's request in log lines.
  absl::StatusOr<int> affected = ForSelection(*request, &keypool::KeyPool::Pause);
  if (!affected.ok()) return rpc::ToGrpcStatus(affected.status());
  hub_.Notify();
  response->set_affected(*affected);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::ResumeKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                                         v1::KeyActionResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));  // Names the caller's request in log lines.
  absl::StatusOr<int> affected = ForSelection(*request, &keypool::KeyPool::Resume);
  if (!affected.ok()) return rpc::ToGrpcStatus(affected.status());
  hub_.Notify();
  response->set_affected(*affected);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::ResetKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                                        v1::KeyActionResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));  // Names the caller's request in log lines.
  absl::StatusOr<int> affected = ForSelection(*request, &keypool::KeyPool::Reset);
  if (!affected.ok()) return rpc::ToGrpcStatus(affected.status());
  hub_.Notify();
  response->set_affected(*affected);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::GetPoolSummary(grpc::ServerContext* context, const v1::GetPoolSummaryRequest* request,
                                             v1::PoolSummary* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));  // Names the caller's request in log lines.
  keypool::PoolCounts counts = pools_.Get(keypool::FromProto(request->pool())).Summary();
  response->set_total(counts.total);
  response->set_active(counts.active);
  response->set_cooling(counts.cooling);
  response->set_failing(counts.failing);
  response->set_disabled(counts.disabled);
  response->set_paused(counts.paused);
  response->set_cooling_some_model(counts.cooling_some_model);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::ExportKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                                         v1::ExportKeysResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));  // Names the caller's request in log lines.
  absl::StatusOr<std::array<std::vector<int64_t>, 2>> split = Select(*request);
  if (!split.ok()) return rpc::ToGrpcStatus(split.status());
  for (int64_t id : Joined(*split)) {
    keypool::KeyPool* pool = pools_.Find(id);
    std::optional<keypool::KeyInfo> key = pool != nullptr ? pool->Get(id) : std::nullopt;
    if (!key.has_value()) continue;  // Removed since Resolve.
    response->add_ids(id);
    response->add_secrets(key->secret);
  }
  GEMPOOL_LOG(INFO) << "admin exported " << response->ids_size() << " keys";
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::CheckProxies(grpc::ServerContext* context, const v1::CheckProxiesRequest* request,
                                           v1::CheckProxiesResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));  // Names the caller's request in log lines.
  if (proxy_checker_ == nullptr) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "this key broker does not check proxies");
  }
  const std::vector<ProxyStatus> statuses = request->run_now() ? proxy_checker_->Check() : proxy_checker_->Last();
  for (const ProxyStatus& s : statuses) {
    v1::ProxyHealth* health = response->add_proxies();
    health->set_proxy(MaskProxyCredentials(s.proxy));
    health->set_alive(s.alive);
    health->set_checked_at_ms(s.checked_at_ms);
    health->set_latency_ms(s.latency_ms);
    health->set_error(s.error);
  }
  response->set_interval_seconds(ProxyChecker::kIntervalSeconds);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::VerifyKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                                         v1::VerifyKeysResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));  // Names the caller's request in log lines.
  absl::StatusOr<std::array<std::vector<int64_t>, 2>> split = Select(*request);
  if (!split.ok()) return rpc::ToGrpcStatus(split.status());
  const std::vector<int64_t> all_ids = Joined(*split);
  const std::vector<int64_t>* ids = &all_ids;
  const std::vector<Verification> results = verifier_.Verify(*ids, [context] { return context->IsCancelled(); });
  hub_.Notify();
  if (context->IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED,
                        absl::StrCat("verification stopped after ", results.size(), " of ", ids->size(),
                                     " keys: the call was cancelled or ran out of time (give it longer, e.g. "
                                     "gempoolctl --timeout-ms)"));
  }
  for (const Verification& v : results) {
    v1::KeyVerification* out = response->add_results();
    out->set_id(v.id);
    out->set_masked(v.masked);
    out->set_passed(v.passed);
    out->set_state(keypool::ToProto(v.state));
    out->set_message(v.message);
    out->set_http_status(v.http_status);
    v.passed ? response->set_passed(response->passed() + 1) : response->set_failed(response->failed() + 1);
  }
  GEMPOOL_LOG(INFO) << "admin verified " << results.size() << " keys: " << response->passed() << " passed, "
                    << response->failed() << " failed";
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::GetKeyUsage(grpc::ServerContext* context, const v1::KeyUsageRequest* request,
                                          v1::KeyUsageResponse* response) {
  if (grpc::Status admit = Admit(*context); !admit.ok()) return admit;
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));  // Names the caller's request in log lines.
  std::vector<int64_t> ids;
  if (request->ids_size() > 0) {
    v1::KeySelection selection;
    selection.mutable_ids()->CopyFrom(request->ids());
    absl::StatusOr<std::array<std::vector<int64_t>, 2>> resolved = Select(selection);
    if (!resolved.ok()) return rpc::ToGrpcStatus(resolved.status());
    ids = Joined(*resolved);
  }
  constexpr int64_t kHourMs = 60 * 60 * 1000;
  const int64_t now = clock_.NowUnixMs();
  // Windows from the widest: a (key, model) row in a narrow window is in the
  // wider ones too.
  const int64_t windows[3] = {30 * 24 * kHourMs, 24 * kHourMs, kHourMs};
  std::map<std::pair<int64_t, std::string>, v1::ModelUsage> usage;
  for (int w = 0; w < 3; ++w) {
    absl::StatusOr<std::vector<PersistenceClient::UsageRow>> rows =
        persistence_.GetKeyUsage(ids, std::max<int64_t>(now - windows[w], 0));
    if (!rows.ok()) return rpc::ToGrpcStatus(rows.status());
    for (const PersistenceClient::UsageRow& row : *rows) {
      v1::ModelUsage& u = usage[{row.key_id, row.model}];
      u.set_model(row.model);
      if (w == 0) {
        u.set_calls_30d(row.calls);
        u.set_failures_30d(row.failures);
      } else if (w == 1) {
        u.set_calls_24h(row.calls);
        u.set_failures_24h(row.failures);
      } else {
        u.set_calls_1h(row.calls);
        u.set_failures_1h(row.failures);
      }
    }
  }
  // Requested keys are listed even without calls; otherwise keys with calls
  // that are in the pool (not removed keys, nor requests without a key),
  // and PAID_KEY.
  const std::shared_ptr<const BrokerSettings> settings = settings_.Get();
  std::map<int64_t, v1::KeyUsage> keys;
  auto key_entry = [&](int64_t id) -> v1::KeyUsage* {
    auto it = keys.find(id);
    if (it != keys.end()) return &it->second;
    std::string masked;
    if (id == kPaidKeyId) {
      const std::string& paid_key = settings->paid_key;
      if (paid_key.empty()) return nullptr;
      masked = MaskKey(paid_key);
    } else {
      keypool::KeyPool* pool = pools_.Find(id);
      std::optional<keypool::KeyInfo> key = pool != nullptr ? pool->Get(id) : std::nullopt;
      if (!key.has_value()) return nullptr;
      masked = MaskKey(key->secret);
    }
    v1::KeyUsage& entry = keys[id];
    entry.set_id(id);
    entry.set_masked(std::move(masked));
    return &entry;
  };
  for (int64_t id : ids) key_entry(id);
  for (auto& [key_model, model_usage] : usage) {
    if (v1::KeyUsage* entry = key_entry(key_model.first)) *entry->add_models() = std::move(model_usage);
  }
  for (auto& [id, entry] : keys) *response->add_keys() = std::move(entry);
  response->set_now_ms(now);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::QueryRequestLogs(grpc::ServerContext* context, const v1::LogQuery* request,
                                               v1::QueryRequestLogsResponse* response) {
  if (grpc::Status auth = CheckAdminToken(*context, admin_token_); !auth.ok()) return auth;
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));  // Sent on to persistence.
  absl::StatusOr<v1::QueryRequestLogsResponse> page = persistence_.QueryRequestLogs(*request);
  if (!page.ok()) return rpc::ToGrpcStatus(page.status());
  *response = *std::move(page);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::QueryErrorLogs(grpc::ServerContext* context, const v1::LogQuery* request,
                                             v1::QueryErrorLogsResponse* response) {
  if (grpc::Status auth = CheckAdminToken(*context, admin_token_); !auth.ok()) return auth;
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));
  absl::StatusOr<v1::QueryErrorLogsResponse> page = persistence_.QueryErrorLogs(*request);
  if (!page.ok()) return rpc::ToGrpcStatus(page.status());
  *response = *std::move(page);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::QueryUsage(grpc::ServerContext* context, const v1::UsageQuery* request,
                                         v1::UsageReport* response) {
  if (grpc::Status auth = CheckAdminToken(*context, admin_token_); !auth.ok()) return auth;
  ScopedRequestId request_scope(rpc::RequestIdOf(*context));  // Sent on to persistence.
  absl::StatusOr<v1::UsageReport> report = persistence_.QueryUsage(*request);
  if (!report.ok()) return rpc::ToGrpcStatus(report.status());
  *response = *std::move(report);
  return grpc::Status::OK;
}

// --- Managed client tokens ---

namespace {

grpc::Status NoClientTokens() {
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "this key broker does not manage client tokens");
}

}  // namespace

grpc::Status KeyAdminService::CreateClientToken(grpc::ServerContext* context,
                                                const v1::CreateClientTokenRequest* request,
                                                v1::CreateClientTokenResponse* response) {
  if (grpc::Status admitted = Admit(*context); !admitted.ok()) return admitted;
  if (client_tokens_ == nullptr) return NoClientTokens();
  absl::StatusOr<v1::CreateClientTokenResponse> created = client_tokens_->Create(*request);
  if (!created.ok()) return rpc::ToGrpcStatus(created.status());
  *response = *std::move(created);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::ListClientTokens(grpc::ServerContext* context, const v1::ListClientTokensRequest*,
                                               v1::ListClientTokensResponse* response) {
  if (grpc::Status admitted = Admit(*context); !admitted.ok()) return admitted;
  if (client_tokens_ == nullptr) return NoClientTokens();
  *response = client_tokens_->List();
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::UpdateClientToken(grpc::ServerContext* context,
                                                const v1::UpdateClientTokenRequest* request,
                                                v1::ClientToken* response) {
  if (grpc::Status admitted = Admit(*context); !admitted.ok()) return admitted;
  if (client_tokens_ == nullptr) return NoClientTokens();
  absl::StatusOr<v1::ClientToken> updated = client_tokens_->Update(*request);
  if (!updated.ok()) return rpc::ToGrpcStatus(updated.status());
  *response = *std::move(updated);
  return grpc::Status::OK;
}

grpc::Status KeyAdminService::DeleteClientToken(grpc::ServerContext* context,
                                                const v1::DeleteClientTokenRequest* request,
                                                v1::DeleteClientTokenResponse* response) {
  if (grpc::Status admitted = Admit(*context); !admitted.ok()) return admitted;
  if (client_tokens_ == nullptr) return NoClientTokens();
  absl::StatusOr<v1::DeleteClientTokenResponse> deleted = client_tokens_->Delete(*request);
  if (!deleted.ok()) return rpc::ToGrpcStatus(deleted.status());
  *response = *std::move(deleted);
  return grpc::Status::OK;
}

}  // namespace gempool::keybroker
