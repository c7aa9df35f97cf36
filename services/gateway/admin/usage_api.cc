#include "admin/usage_api.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "admin/key_masks.h"
#include "gempool/keypool/admin_json.h"
#include "gempool/common/time_zone.h"

namespace gempool::gateway::admin {
namespace {

absl::StatusOr<v1::UsageGroupBy> ParseBy(const std::string& by) {
  if (by.empty() || by == "model") return v1::USAGE_GROUP_BY_MODEL;
  if (by == "key") return v1::USAGE_GROUP_BY_KEY;
  if (by == "token") return v1::USAGE_GROUP_BY_TOKEN;
  return absl::InvalidArgumentError(absl::StrCat("by=", by, " is not a grouping: use model, key or token"));
}

}  // namespace

std::map<std::string, std::string> ManagedTokenNames(AdminBackend& backend) {
  std::map<std::string, std::string> names;
  absl::StatusOr<v1::ListClientTokensResponse> tokens = backend.ListClientTokens();
  if (!tokens.ok()) return names;
  for (const v1::ClientToken& token : tokens->tokens()) names[token.token_id()] = token.name();
  return names;
}

ApiResult UsageApi::Handle(const ApiCall& call) {
  if (call.method != "GET" || call.path != "/usage") {
    return ErrorResult(absl::NotFoundError(absl::StrCat(call.method, " /api", call.path, " is not an admin API call")));
  }
  absl::StatusOr<v1::UsageGroupBy> by = ParseBy(QueryText(call, "by"));
  if (!by.ok()) return ErrorResult(by.status());
  absl::StatusOr<int64_t> limit = QueryInt(call, "limit", 10, 1, 1000);
  if (!limit.ok()) return ErrorResult(limit.status());
  absl::StatusOr<int64_t> key_id = QueryInt(call, "key_id", 0, INT64_MIN, INT64_MAX);
  if (!key_id.ok()) return ErrorResult(key_id.status());

  const DisplayZone::Zone zone = zone_.Get();
  const int64_t now = clock_.NowUnixMs();
  absl::StatusOr<std::vector<int64_t>> day_edges =
      CalendarDayEdges(QueryText(call, "since"), QueryText(call, "until"), now, zone.zone);
  if (!day_edges.ok()) return ErrorResult(day_edges.status());
  const std::vector<int64_t>& edges = *day_edges;
  v1::UsageQuery query;
  query.set_since_ms(edges.front());
  query.set_until_ms(edges.back());
  for (size_t i = 0; i + 1 < edges.size(); ++i) query.add_day_starts_ms(edges[i]);
  query.set_group_by(*by);
  query.set_limit(static_cast<int32_t>(*limit));
  query.set_key_id(*key_id);
  query.set_model(QueryText(call, "model"));
  query.set_client_token_id(QueryText(call, "token"));
  absl::StatusOr<v1::UsageReport> report = backend_.QueryUsage(query);
  if (!report.ok()) return ErrorResult(report.status());

  nlohmann::json day_rows = nlohmann::json::array();
  for (const v1::UsageDay& d : report->days()) {
    nlohmann::json row = keypool::UsageCountJson(d.count());
    row["start_ms"] = d.start_ms();
    row["date"] = absl::FormatTime("%Y-%m-%d", absl::FromUnixMillis(d.start_ms()), zone.zone);
    day_rows.push_back(std::move(row));
  }
  std::map<int64_t, std::string> masks;
  if (*by == v1::USAGE_GROUP_BY_KEY) {
    std::set<int64_t> ids;
    for (const v1::UsageGroup& g : report->groups()) {
      int64_t id = 0;
      if (absl::SimpleAtoi(g.group(), &id)) ids.insert(id);
    }
    masks = MaskedKeys(backend_, ids);
  }
  std::map<std::string, std::string> names;
  if (*by == v1::USAGE_GROUP_BY_TOKEN) names = ManagedTokenNames(backend_);
  nlohmann::json groups = nlohmann::json::array();
  for (const v1::UsageGroup& g : report->groups()) {
    nlohmann::json row = keypool::UsageCountJson(g.count());
    row["group"] = g.group();
    if (*by == v1::USAGE_GROUP_BY_KEY) {
      int64_t id = 0;
      absl::SimpleAtoi(g.group(), &id);
      auto it = masks.find(id);
      row["key_id"] = id;
      row["key"] = it == masks.end() ? "" : it->second;
    } else if (*by == v1::USAGE_GROUP_BY_TOKEN) {
      auto it = names.find(g.group());
      row["name"] = it == names.end() ? "" : it->second;
    }
    groups.push_back(std::move(row));
  }
  static const char* const kByNames[] = {"model", "key", "model", "token"};
  ApiResult result;
  result.body = {{"since_ms", query.since_ms()},
                 {"until_ms", query.until_ms()},
                 {"now_ms", now},
                 {"timezone", zone.name},
                 {"by", kByNames[static_cast<int>(*by)]},
                 {"total", nlohmann::json(keypool::UsageCountJson(report->total()))},
                 {"days", day_rows},
                 {"groups", groups},
                 {"other_groups", report->other_groups()}};
  return result;
}

}  // namespace gempool::gateway::admin
