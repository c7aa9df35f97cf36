#include "usage_command.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "gempool/common/clock.h"
#include "gempool/common/time_zone.h"
#include "gempool/keypool/admin_json.h"
#include "gempool/rpc/channel.h"
#include "gempool/v1/keybroker.grpc.pb.h"
#include "shown_time_zone.h"
#include "admin_client.h"
#include "text_table.h"

namespace gempool::ctl {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kDefaultLimit = 10;

std::vector<std::string> CountCells(const v1::UsageCount& c) {
  const v1::TokenUsage& u = c.usage();
  return {absl::StrCat(c.requests()),        absl::StrCat(c.failures()),
          absl::StrCat(u.prompt_tokens() + u.tool_use_prompt_tokens()),
          absl::StrCat(u.candidates_tokens()), absl::StrCat(u.thoughts_tokens()),
          absl::StrCat(u.cached_tokens()),   absl::StrCat(u.total_tokens())};
}

v1::UsageGroupBy GroupBy(const std::string& by) {
  if (by == "key") return v1::USAGE_GROUP_BY_KEY;
  if (by == "token") return v1::USAGE_GROUP_BY_TOKEN;
  return v1::USAGE_GROUP_BY_MODEL;
}

}  // namespace

int RunUsage(const Invocation& inv, const Targets& targets, std::ostream& out, std::ostream& err) {
  // Days are calendar days in TIMEZONE, in JSON too (their starts differ by zone).
  const ShownTimeZone zone = ResolveShownTimeZone(targets.persistence_addr, 2000);
  absl::StatusOr<std::vector<int64_t>> edges =
      CalendarDayEdges(inv.usage_since, inv.usage_until, SystemClock::Get().NowUnixMs(), zone.zone);
  if (!edges.ok()) {
    // The messages start with the parameter's name ("since ...", "until ..."): here, the flag's.
    return Fail(inv, static_cast<grpc::StatusCode>(edges.status().code()),
                absl::StrCat("--", edges.status().message()), out, err);
  }

  v1::UsageQuery query;
  query.set_since_ms(edges->front());
  query.set_until_ms(edges->back());
  for (size_t i = 0; i + 1 < edges->size(); ++i) query.add_day_starts_ms((*edges)[i]);
  query.set_group_by(GroupBy(inv.usage_by));
  query.set_limit(inv.limit > 0 ? inv.limit : kDefaultLimit);

  AdminClient admin(targets, inv.timeout_ms);
  v1::UsageReport report;
  const grpc::Status status = admin.stub().QueryUsage(admin.Context().get(), query, &report);
  if (!status.ok()) return FailRpc(inv, status, targets.keybroker_addr, out, err);

  const std::string by = inv.usage_by.empty() ? "model" : inv.usage_by;
  // Managed client tokens by name (the flat ALLOWED_TOKENS have ids only);
  // without the list (an older broker), ids alone.
  std::map<std::string, std::string> token_names;
  if (by == "token") {
    v1::ListClientTokensResponse tokens;
    if (admin.stub().ListClientTokens(admin.Context().get(), v1::ListClientTokensRequest(), &tokens).ok()) {
      for (const v1::ClientToken& token : tokens.tokens()) token_names[token.token_id()] = token.name();
    }
  }
  auto date = [&zone](int64_t ms) { return absl::FormatTime("%Y-%m-%d", absl::FromUnixMillis(ms), zone.zone); };
  if (inv.json) {
    Json days = Json::array();
    for (const v1::UsageDay& d : report.days()) {
      Json row = Json{{"date", date(d.start_ms())}, {"start_ms", d.start_ms()}};
      row.update(keypool::UsageCountJson(d.count()));
      days.push_back(std::move(row));
    }
    Json groups = Json::array();
    for (const v1::UsageGroup& g : report.groups()) {
      Json row = Json{{"group", g.group()}};
      if (auto name = token_names.find(g.group()); name != token_names.end()) row["name"] = name->second;
      row.update(keypool::UsageCountJson(g.count()));
      groups.push_back(std::move(row));
    }
    out << Json{{"since_ms", query.since_ms()}, {"until_ms", query.until_ms()}, {"timezone", zone.name},
                {"by", by},
                {"total", keypool::UsageCountJson(report.total())},
                {"days", days},
                {"groups", groups},
                {"other_groups", report.other_groups()}}
               .dump(2)
        << "\n";
    return kExitOk;
  }

  const std::vector<std::string> counts = {"REQUESTS", "FAILED", "PROMPT", "COMPLETION", "THINKING", "CACHED", "TOTAL"};
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"DAY"});
  rows[0].insert(rows[0].end(), counts.begin(), counts.end());
  for (const v1::UsageDay& d : report.days()) {
    std::vector<std::string> row = {date(d.start_ms())};
    for (std::string& cell : CountCells(d.count())) row.push_back(std::move(cell));
    rows.push_back(std::move(row));
  }
  std::vector<std::string> total = {"total"};
  for (std::string& cell : CountCells(report.total())) total.push_back(std::move(cell));
  rows.push_back(std::move(total));
  PrintTable(out, rows, TableAlign::kNumbersRight);
  out << "\n";

  const char* heading = by == "key" ? "KEY" : by == "token" ? "CLIENT TOKEN" : "MODEL";
  rows.clear();
  rows.push_back({heading});
  rows[0].insert(rows[0].end(), counts.begin(), counts.end());
  for (const v1::UsageGroup& g : report.groups()) {
    std::string name = g.group();
    if (by == "key") name = name == "0" ? "(no key)" : absl::StrCat("#", name);
    if (name.empty()) name = by == "token" ? "(no client token)" : "(no model)";
    if (auto managed = token_names.find(g.group()); managed != token_names.end()) {
      name = absl::StrCat(managed->second, " (", g.group(), ")");
    }
    std::vector<std::string> row = {name};
    for (std::string& cell : CountCells(g.count())) row.push_back(std::move(cell));
    rows.push_back(std::move(row));
  }
  if (report.groups_size() == 0) {
    out << "no usage in these days\n";
  } else {
    PrintTable(out, rows, TableAlign::kNumbersRight);
  }
  if (report.other_groups() > 0) out << report.other_groups() << " more (--limit shows more)\n";
  out << "days in " << zone.name << " (TIMEZONE); PROMPT includes tool-use prompt tokens, CACHED is part of it\n";
  return kExitOk;
}

}  // namespace gempool::ctl
