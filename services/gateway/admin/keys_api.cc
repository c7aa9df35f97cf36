#include "admin/keys_api.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "admin/key_masks.h"
#include "admin/key_paste.h"
#include "gempool/keypool/admin_json.h"
#include "gempool/keypool/proto_convert.h"
#include "gempool/common/logging.h"
#include "gempool/common/secrets.h"

namespace gempool::gateway::admin {
namespace {

constexpr int kMaxPageSize = 1000;
// Most keys one paste may carry.
constexpr size_t kMaxPastedKeys = 100000;

absl::StatusOr<v1::KeyState> ParseState(absl::string_view name) {
  if (name == "active") return v1::KEY_STATE_ACTIVE;
  if (name == "cooling") return v1::KEY_STATE_COOLING;
  if (name == "failing") return v1::KEY_STATE_FAILING;
  if (name == "disabled") return v1::KEY_STATE_DISABLED;
  if (name == "paused") return v1::KEY_STATE_PAUSED;
  return absl::InvalidArgumentError(
      absl::StrCat("state '", name, "' is not one of active, cooling, failing, disabled, paused"));
}

absl::StatusOr<v1::KeySort> ParseSort(absl::string_view name) {
  if (name.empty() || name == "id") return v1::KEY_SORT_ID;
  if (name == "state") return v1::KEY_SORT_STATE;
  if (name == "failures") return v1::KEY_SORT_FAILURES;
  if (name == "last_used") return v1::KEY_SORT_LAST_USED;
  if (name == "cooling_until") return v1::KEY_SORT_COOLING_UNTIL;
  return absl::InvalidArgumentError(
      absl::StrCat("sort '", name, "' is not one of id, state, failures, last_used, cooling_until"));
}

// "gemini" (or absent: the default pool) or "vertex".
absl::StatusOr<v1::Pool> ParsePool(absl::string_view name) {
  if (name.empty() || name == "gemini") return v1::POOL_GEMINI;
  if (name == "vertex") return v1::POOL_VERTEX;
  return absl::InvalidArgumentError(absl::StrCat("pool '", name, "' is not one of gemini, vertex"));
}

// The "pool" member of a JSON body, if any.
absl::StatusOr<v1::Pool> PoolFromBody(const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("pool")) return v1::POOL_GEMINI;
  if (!body["pool"].is_string()) return absl::InvalidArgumentError("pool must be \"gemini\" or \"vertex\"");
  return ParsePool(body["pool"].get<std::string>());
}

absl::StatusOr<std::vector<int64_t>> ParseIds(const std::string& text) {
  std::vector<int64_t> ids;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    int64_t id = 0;
    if (!absl::SimpleAtoi(part, &id) || id == 0) {
      return absl::InvalidArgumentError(absl::StrCat("key id '", part, "' is not a key id"));
    }
    ids.push_back(id);
  }
  return ids;
}

nlohmann::json SummaryJson(const v1::PoolSummary& s) {
  return {{"total", s.total()},       {"active", s.active()},     {"cooling", s.cooling()},
          {"failing", s.failing()},   {"disabled", s.disabled()}, {"paused", s.paused()},
          {"cooling_some_model", s.cooling_some_model()}};
}

}  // namespace

ApiResult KeysApi::Handle(const ApiCall& call) {
  if (call.method == "GET") {
    if (call.path == "/keys") return List(call);
    if (call.path == "/keys/usage") return Usage(call);
    if (call.path == "/keys/detail") return Detail(call);
    if (call.path == "/keys/ids") return Ids(call);
  } else if (call.method == "POST") {
    if (call.path == "/keys/add") return Add(call);
    for (const char* action : {"reset", "pause", "resume", "delete", "export", "verify"}) {
      if (call.path == absl::StrCat("/keys/", action)) return Action(call, action);
    }
  }
  return ErrorResult(absl::NotFoundError(absl::StrCat(call.method, " /api", call.path, " is not an admin API call")));
}

namespace {

// The filter of a key list (pool, state, search, model) from the query.
absl::Status FilterFromQuery(const ApiCall& call, v1::ListKeysRequest& request) {
  absl::StatusOr<v1::Pool> pool = ParsePool(QueryText(call, "pool"));
  if (!pool.ok()) return pool.status();
  request.set_pool(*pool);
  for (absl::string_view name : absl::StrSplit(QueryText(call, "state"), ',', absl::SkipWhitespace())) {
    absl::StatusOr<v1::KeyState> state = ParseState(name);
    if (!state.ok()) return state.status();
    request.add_states(*state);
  }
  request.set_search(QueryText(call, "search"));
  request.set_model(QueryText(call, "model"));
  return absl::OkStatus();
}

}  // namespace

ApiResult KeysApi::Ids(const ApiCall& call) {
  v1::ListKeysRequest request;
  if (absl::Status filter = FilterFromQuery(call, request); !filter.ok()) return ErrorResult(filter);
  // The ids alone are small (100,000 keys: about 700 KB of JSON).
  absl::StatusOr<std::vector<v1::KeyView>> keys = ListAllKeys(backend_, request);
  if (!keys.ok()) return ErrorResult(keys.status());
  std::vector<int64_t> ids;
  ids.reserve(keys->size());
  for (const v1::KeyView& key : *keys) ids.push_back(key.id());
  ApiResult result;
  result.body = {{"ids", ids}, {"total", static_cast<int64_t>(ids.size())}};
  return result;
}

ApiResult KeysApi::List(const ApiCall& call) {
  v1::ListKeysRequest request;
  if (absl::Status filter = FilterFromQuery(call, request); !filter.ok()) return ErrorResult(filter);
  const v1::Pool pool = request.pool();
  absl::StatusOr<v1::KeySort> sort = ParseSort(QueryText(call, "sort"));
  if (!sort.ok()) return ErrorResult(sort.status());
  request.set_sort(*sort);
  const std::string order = QueryText(call, "order");
  if (!order.empty() && order != "asc" && order != "desc") {
    return ErrorResult(absl::InvalidArgumentError("order must be asc or desc"));
  }
  request.set_descending(order == "desc");
  absl::StatusOr<int64_t> offset = QueryInt(call, "offset", 0, 0, 1 << 30);
  if (!offset.ok()) return ErrorResult(offset.status());
  absl::StatusOr<int64_t> limit = QueryInt(call, "limit", 50, 1, kMaxPageSize);
  if (!limit.ok()) return ErrorResult(limit.status());
  request.set_offset(static_cast<int32_t>(*offset));
  request.set_limit(static_cast<int32_t>(*limit));

  absl::StatusOr<v1::ListKeysResponse> listed = backend_.ListKeys(request);
  if (!listed.ok()) return ErrorResult(listed.status());
  // Both pools' counts: the page shows them on its pool switch.
  absl::StatusOr<v1::PoolSummary> gemini = backend_.GetPoolSummary(v1::POOL_GEMINI);
  if (!gemini.ok()) return ErrorResult(gemini.status());
  absl::StatusOr<v1::PoolSummary> vertex = backend_.GetPoolSummary(v1::POOL_VERTEX);
  if (!vertex.ok()) return ErrorResult(vertex.status());
  const v1::PoolSummary* summary = pool == v1::POOL_VERTEX ? &*vertex : &*gemini;
  ApiResult result;
  nlohmann::json keys = nlohmann::json::array();
  for (const v1::KeyView& key : listed->keys()) keys.push_back(nlohmann::json(keypool::KeyViewJson(key)));
  result.body = {{"keys", keys},
                 {"total", listed->total()},
                 {"offset", *offset},
                 {"limit", *limit},
                 {"pool", pool == v1::POOL_VERTEX ? "vertex" : "gemini"},
                 {"summary", SummaryJson(*summary)},
                 {"summaries", {{"gemini", SummaryJson(*gemini)}, {"vertex", SummaryJson(*vertex)}}}};
  return result;
}

ApiResult KeysApi::Usage(const ApiCall& call) {
  absl::StatusOr<std::vector<int64_t>> ids = ParseIds(QueryText(call, "ids"));
  if (!ids.ok()) return ErrorResult(ids.status());
  if (ids->empty() || ids->size() > static_cast<size_t>(kMaxPageSize)) {
    return ErrorResult(absl::InvalidArgumentError(
        absl::StrCat("ids must list 1 to ", kMaxPageSize, " key ids, comma-separated")));
  }
  v1::KeyUsageRequest request;
  for (int64_t id : *ids) request.add_ids(id);
  absl::StatusOr<v1::KeyUsageResponse> usage = backend_.GetKeyUsage(request);
  if (!usage.ok()) return ErrorResult(usage.status());
  nlohmann::json keys = nlohmann::json::array();
  for (const v1::KeyUsage& key : usage->keys()) {
    nlohmann::json total = {{"calls_1h", 0}, {"calls_24h", 0}, {"calls_30d", 0},
                            {"failures_1h", 0}, {"failures_24h", 0}, {"failures_30d", 0}};
    for (const v1::ModelUsage& m : key.models()) {
      total["calls_1h"] = total["calls_1h"].get<int64_t>() + m.calls_1h();
      total["calls_24h"] = total["calls_24h"].get<int64_t>() + m.calls_24h();
      total["calls_30d"] = total["calls_30d"].get<int64_t>() + m.calls_30d();
      total["failures_1h"] = total["failures_1h"].get<int64_t>() + m.failures_1h();
      total["failures_24h"] = total["failures_24h"].get<int64_t>() + m.failures_24h();
      total["failures_30d"] = total["failures_30d"].get<int64_t>() + m.failures_30d();
    }
    total["id"] = key.id();
    keys.push_back(total);
  }
  ApiResult result;
  result.body = {{"keys", keys}, {"now_ms", usage->now_ms()}};
  return result;
}

ApiResult KeysApi::Detail(const ApiCall& call) {
  absl::StatusOr<int64_t> id = QueryInt(call, "id", 0, 1, INT64_MAX);
  if (!id.ok()) return ErrorResult(id.status());
  if (*id == 0) return ErrorResult(absl::InvalidArgumentError("parameter id (the key id) is required"));
  v1::KeyUsageRequest request;
  request.add_ids(*id);
  absl::StatusOr<v1::KeyUsageResponse> usage = backend_.GetKeyUsage(request);
  if (!usage.ok()) return ErrorResult(usage.status());
  nlohmann::json models = nlohmann::json::array();
  for (const v1::KeyUsage& key : usage->keys()) {
    for (const v1::ModelUsage& m : key.models()) models.push_back(nlohmann::json(keypool::ModelUsageJson(m)));
  }
  v1::LogQuery query;
  query.set_key_id(*id);
  query.set_limit(10);
  absl::StatusOr<v1::QueryErrorLogsResponse> errors = backend_.QueryErrorLogs(query);
  if (!errors.ok()) return ErrorResult(errors.status());
  nlohmann::json last_errors = nlohmann::json::array();
  for (const v1::ErrorLogEntry& e : errors->entries()) {
    last_errors.push_back({{"id", e.id()},
                           {"time_ms", e.time_ms()},
                           {"model", e.model()},
                           {"status_code", e.status_code()},
                           {"error_type", e.error_type()},
                           {"message", e.message()}});
  }
  ApiResult result;
  result.body = {{"id", *id}, {"models", models}, {"errors", last_errors}, {"now_ms", usage->now_ms()}};
  return result;
}

ApiResult KeysApi::Add(const ApiCall& call) {
  if (!call.body.contains("text") || !call.body["text"].is_string()) {
    return ErrorResult(absl::InvalidArgumentError("send the pasted keys as {\"text\": \"...\"}"));
  }
  std::vector<std::string> keys = SplitPastedKeys(call.body["text"].get<std::string>());
  if (keys.empty()) return ErrorResult(absl::InvalidArgumentError("no keys found in the pasted text"));
  if (keys.size() > kMaxPastedKeys) {
    return ErrorResult(absl::InvalidArgumentError(
        absl::StrCat(keys.size(), " keys in one paste; add at most ", kMaxPastedKeys, " at a time")));
  }
  absl::StatusOr<v1::Pool> pool = PoolFromBody(call.body);
  if (!pool.ok()) return ErrorResult(pool.status());
  v1::AddKeysRequest request;
  request.set_pool(*pool);
  for (std::string& key : keys) request.add_secrets(std::move(key));
  absl::StatusOr<v1::AddKeysResponse> added = backend_.AddKeys(request);
  if (!added.ok()) return ErrorResult(added.status());
  ApiResult result;
  result.body = {{"submitted", request.secrets_size()},
                 {"added", added->added()},
                 {"duplicates", std::vector<std::string>(added->duplicates().begin(), added->duplicates().end())}};
  return result;
}

ApiResult KeysApi::Action(const ApiCall& call, const std::string& action) {
  absl::StatusOr<v1::KeySelection> selection = SelectionFromBody(call.body);
  if (!selection.ok()) return ErrorResult(selection.status());
  absl::StatusOr<v1::Pool> pool = PoolFromBody(call.body);  // For "all": that pool's keys.
  if (!pool.ok()) return ErrorResult(pool.status());
  selection->set_pool(*pool);
  ApiResult result;
  if (action == "export") {
    absl::StatusOr<v1::ExportKeysResponse> exported = backend_.ExportKeys(*selection);
    if (!exported.ok()) return ErrorResult(exported.status());
    result.body = {{"secrets", std::vector<std::string>(exported->secrets().begin(), exported->secrets().end())},
                   {"ids", std::vector<int64_t>(exported->ids().begin(), exported->ids().end())}};
    return result;
  }
  if (action == "verify") {
    absl::StatusOr<v1::VerifyKeysResponse> verified = backend_.VerifyKeys(*selection);
    if (!verified.ok()) return ErrorResult(verified.status());
    nlohmann::json results = nlohmann::json::array();
    for (const v1::KeyVerification& v : verified->results()) {
      results.push_back(nlohmann::json(keypool::KeyVerificationJson(v)));
    }
    result.body = {{"results", results}, {"passed", verified->passed()}, {"failed", verified->failed()}};
    return result;
  }
  KeyAction kind = KeyAction::kReset;
  if (action == "pause") kind = KeyAction::kPause;
  if (action == "resume") kind = KeyAction::kResume;
  if (action == "delete") kind = KeyAction::kRemove;
  absl::StatusOr<v1::KeyActionResponse> done = backend_.ApplyKeyAction(kind, *selection);
  if (!done.ok()) return ErrorResult(done.status());
  GEMPOOL_LOG(INFO) << "admin UI: " << action << " " << (selection->all() ? "every key" : absl::StrCat(selection->ids_size(), " keys"))
                    << " (" << done->affected() << " changed)";
  result.body = {{"affected", done->affected()}};
  return result;
}

}  // namespace gempool::gateway::admin
