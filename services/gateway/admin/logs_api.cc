#include "admin/logs_api.h"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "admin/key_masks.h"
#include "gempool/keypool/admin_json.h"
#include "gempool/common/logging.h"
#include "gempool/common/request_id.h"

namespace gempool::gateway::admin {
namespace {

constexpr int kMaxLogPageSize = 500;

// The key id a `key` filter names: a number is an id; other text must match
// exactly one pool key.
absl::StatusOr<int64_t> ResolveKey(AdminBackend& backend, const std::string& text) {
  int64_t id = 0;
  if (absl::SimpleAtoi(text, &id)) return id;
  v1::ListKeysRequest request;
  request.set_search(text);
  request.set_limit(2);
  absl::StatusOr<v1::ListKeysResponse> found = backend.ListKeys(request);
  if (!found.ok()) return found.status();
  if (found->total() != 1) {
    return absl::InvalidArgumentError(absl::StrCat("the key filter '", text, "' matches ", found->total(),
                                                   " keys; give more of the key, or its id"));
  }
  return found->keys(0).id();
}

// Sets each of `entries`' (log rows as JSON, with "key_id") "key" to its key's
// masked secret, "" for a key removed since.
void AddMaskedKeys(AdminBackend& backend, nlohmann::json& entries) {
  std::set<int64_t> key_ids;
  for (const nlohmann::json& entry : entries) key_ids.insert(entry["key_id"].get<int64_t>());
  const std::map<int64_t, std::string> masks = MaskedKeys(backend, key_ids);
  for (nlohmann::json& entry : entries) {
    auto it = masks.find(entry["key_id"].get<int64_t>());
    entry["key"] = it == masks.end() ? "" : it->second;
  }
}

}  // namespace

ApiResult LogsApi::Handle(const ApiCall& call) {
  constexpr absl::string_view kErrorRowPrefix = "/logs/errors/";
  if (call.method == "GET" && call.path == "/logs/requests") return Query(call, false);
  if (call.method == "GET" && call.path == "/logs/errors") return Query(call, true);
  if (call.method == "GET" && absl::StartsWith(call.path, kErrorRowPrefix)) {
    return ErrorRow(call.path.substr(kErrorRowPrefix.size()));
  }
  if (call.method == "POST" && call.path == "/logs/delete") return Delete(call);
  return ErrorResult(absl::NotFoundError(absl::StrCat(call.method, " /api", call.path, " is not an admin API call")));
}

ApiResult LogsApi::ErrorRow(const std::string& id_text) {
  int64_t id = 0;
  if (!absl::SimpleAtoi(id_text, &id) || id <= 0) {
    return ErrorResult(absl::NotFoundError(absl::StrCat("'", id_text, "' is not an error log row id")));
  }
  v1::LogQuery query;
  query.set_id(id);
  absl::StatusOr<v1::QueryErrorLogsResponse> found = backend_.QueryErrorLogs(query);
  if (!found.ok()) return ErrorResult(found.status());
  // Matched by id here too: a persistence older than LogQuery.id ignores it
  // and answers a page.
  for (const v1::ErrorLogEntry& e : found->entries()) {
    if (e.id() != id) continue;
    nlohmann::json entries = nlohmann::json::array({nlohmann::json(keypool::ErrorLogEntryJson(e))});
    AddMaskedKeys(backend_, entries);
    ApiResult result;
    result.body = std::move(entries[0]);
    return result;
  }
  return ErrorResult(absl::NotFoundError(absl::StrCat(
      "error log row ", id, " not found: it was deleted, or removed by log retention (or persistence is older "
      "than this gateway and cannot read one row)")));
}

ApiResult LogsApi::Query(const ApiCall& call, bool errors) {
  v1::LogQuery query;
  absl::StatusOr<int64_t> since = QueryInt(call, "since", 0, 0, INT64_MAX);
  if (!since.ok()) return ErrorResult(since.status());
  absl::StatusOr<int64_t> until = QueryInt(call, "until", 0, 0, INT64_MAX);
  if (!until.ok()) return ErrorResult(until.status());
  absl::StatusOr<int64_t> status = QueryInt(call, "status", 0, 0, 999);
  if (!status.ok()) return ErrorResult(status.status());
  absl::StatusOr<int64_t> offset = QueryInt(call, "offset", 0, 0, 1 << 30);
  if (!offset.ok()) return ErrorResult(offset.status());
  absl::StatusOr<int64_t> limit = QueryInt(call, "limit", 50, 1, kMaxLogPageSize);
  if (!limit.ok()) return ErrorResult(limit.status());
  query.set_since_ms(*since);
  query.set_until_ms(*until);
  query.set_status_code(static_cast<int32_t>(*status));
  query.set_offset(static_cast<int32_t>(*offset));
  query.set_limit(static_cast<int32_t>(*limit));
  query.set_model(QueryText(call, "model"));
  query.set_text(QueryText(call, "text"));
  // request_id: the rows of one request (x-request-id), exact match.
  const std::string request_id = QueryText(call, "request_id");
  if (request_id.size() > kMaxRequestIdLength) {
    return ErrorResult(absl::InvalidArgumentError(
        absl::StrCat("request_id is ", request_id.size(), " characters long; request ids have at most ",
                     kMaxRequestIdLength)));
  }
  query.set_request_id(request_id);
  const std::string key = QueryText(call, "key");
  if (!key.empty()) {
    absl::StatusOr<int64_t> key_id = ResolveKey(backend_, key);
    if (!key_id.ok()) return ErrorResult(key_id.status());
    query.set_key_id(*key_id);
  }

  nlohmann::json entries = nlohmann::json::array();
  int64_t total = 0;
  // One page of either log, each row as `to_json` has it.
  auto add_page = [&](const auto& page, auto to_json) -> absl::Status {
    if (!page.ok()) return page.status();
    total = page->total();
    for (const auto& e : page->entries()) entries.push_back(nlohmann::json(to_json(e)));
    return absl::OkStatus();
  };
  const absl::Status listed = errors ? add_page(backend_.QueryErrorLogs(query), &keypool::ErrorLogEntryJson)
                                     : add_page(backend_.QueryRequestLogs(query), &keypool::RequestLogEntryJson);
  if (!listed.ok()) return ErrorResult(listed);
  AddMaskedKeys(backend_, entries);
  ApiResult result;
  result.body = {{"entries", entries}, {"total", total}, {"offset", *offset}, {"limit", *limit}};
  return result;
}

ApiResult LogsApi::Delete(const ApiCall& call) {
  v1::DeleteLogsRequest request;
  const nlohmann::json* table_field = call.body.contains("table") ? &call.body["table"] : nullptr;
  const std::string table = table_field != nullptr && table_field->is_string() ? table_field->get<std::string>() : "";
  if (table == "request") {
    request.set_table(v1::LOG_TABLE_REQUEST);
  } else if (table == "error") {
    request.set_table(v1::LOG_TABLE_ERROR);
  } else {
    return ErrorResult(absl::InvalidArgumentError("table must be \"request\" or \"error\""));
  }
  if (call.body.contains("all") && !call.body["all"].is_boolean()) {
    return ErrorResult(absl::InvalidArgumentError("all must be true or false"));
  }
  if (call.body.contains("all") && call.body["all"].get<bool>()) {
    request.set_all(true);
  } else if (call.body.contains("ids") && call.body["ids"].is_array() && !call.body["ids"].empty()) {
    for (const nlohmann::json& id : call.body["ids"]) {
      if (!id.is_number_integer() || id.get<int64_t>() <= 0) {
        return ErrorResult(absl::InvalidArgumentError(absl::StrCat("log row id ", id.dump(), " is not valid")));
      }
      request.add_ids(id.get<int64_t>());
    }
  } else {
    return ErrorResult(absl::InvalidArgumentError("say which rows: {\"ids\": [..]} or {\"all\": true}"));
  }
  absl::StatusOr<v1::DeleteLogsResponse> deleted = backend_.DeleteLogs(request);
  if (!deleted.ok()) return ErrorResult(deleted.status());
  GEMPOOL_LOG(INFO) << "admin UI: deleted " << deleted->deleted() << " " << table << " log rows";
  ApiResult result;
  result.body = {{"deleted", deleted->deleted()}};
  return result;
}

}  // namespace gempool::gateway::admin
