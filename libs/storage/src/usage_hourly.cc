#include "usage_hourly.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "gempool/common/time_zone.h"
#include "sql_params.h"

namespace gempool::storage {
namespace {

constexpr int64_t kHourMs = 60LL * 60 * 1000;
constexpr int64_t kMaxWindowMs = int64_t{kMaxCalendarDays} * 24 * kHourMs;
constexpr int kDefaultLimit = 20;
constexpr int kMaxLimit = 1000;
// Rows per upsert statement (12 values each, well under SQLite's 32766
// variables).
constexpr size_t kUpsertChunkRows = 500;

constexpr const char* kCountColumns[] = {"requests",       "failures",      "prompt_tokens",
                                         "candidates_tokens", "thoughts_tokens", "cached_tokens",
                                         "tool_use_prompt_tokens", "total_tokens"};

// requests, failures and the six token counts of one hourly row.
struct Sums {
  long long v[8] = {0, 0, 0, 0, 0, 0, 0, 0};
};

long long NonNegative(int64_t n) { return static_cast<long long>(std::max<int64_t>(n, 0)); }

// "SUM(requests), ..., SUM(total_tokens)" with COALESCE so an empty set is 0.
std::string SumColumns() {
  std::string out;
  for (const char* column : kCountColumns) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", "COALESCE(SUM(", column, "), 0)");
  }
  return out;
}

void Into(soci::statement& st, Sums& sums) {
  for (long long& v : sums.v) st.exchange(soci::into(v));
}

void ToCount(const Sums& s, v1::UsageCount* out) {
  out->set_requests(s.v[0]);
  out->set_failures(s.v[1]);
  v1::TokenUsage* u = out->mutable_usage();
  u->set_prompt_tokens(s.v[2]);
  u->set_candidates_tokens(s.v[3]);
  u->set_thoughts_tokens(s.v[4]);
  u->set_cached_tokens(s.v[5]);
  u->set_tool_use_prompt_tokens(s.v[6]);
  u->set_total_tokens(s.v[7]);
}

const char* GroupColumn(v1::UsageGroupBy by) {
  switch (by) {
    case v1::USAGE_GROUP_BY_KEY:
      return "key_id";
    case v1::USAGE_GROUP_BY_TOKEN:
      return "client_token_id";
    default:
      return "model";
  }
}

int64_t UntilMs(const v1::UsageQuery& q, int64_t now_ms) { return q.until_ms() == 0 ? now_ms : q.until_ms(); }

// " WHERE hour_ms >= .. AND hour_ms < .." plus the filters. An hour counts
// when it starts in [since rounded down to its hour, until).
std::string Where(const v1::UsageQuery& q, int64_t now_ms, SqlParams& params) {
  std::string where = absl::StrCat(" WHERE hour_ms >= ", params.Add(static_cast<long long>(HourStartMs(q.since_ms()))),
                                   " AND hour_ms < ", params.Add(static_cast<long long>(UntilMs(q, now_ms))));
  if (q.key_id() != 0) absl::StrAppend(&where, " AND key_id = ", params.Add(static_cast<long long>(q.key_id())));
  if (!q.model().empty()) absl::StrAppend(&where, " AND model = ", params.Add(q.model()));
  if (!q.client_token_id().empty()) {
    absl::StrAppend(&where, " AND client_token_id = ", params.Add(q.client_token_id()));
  }
  return where;
}

}  // namespace

int64_t HourStartMs(int64_t time_ms) { return time_ms <= 0 ? 0 : time_ms - time_ms % kHourMs; }

void AddHourlyUsage(soci::session& session, Backend backend, const std::vector<v1::RequestLogEntry>& entries,
                    int64_t now_ms, const std::vector<UsageNames>& names) {
  // A batch holds many calls of the same hour, key, model and token: one row each.
  std::map<std::tuple<long long, long long, std::string, std::string>, Sums> rows;
  for (size_t i = 0; i < entries.size() && i < names.size(); ++i) {
    const v1::RequestLogEntry& e = entries[i];
    const int64_t time_ms = e.time_ms() != 0 ? e.time_ms() : now_ms;
    Sums& s = rows[{HourStartMs(time_ms), e.key_id(), names[i].model, names[i].client_token_id}];
    const v1::TokenUsage& u = e.usage();
    const long long add[8] = {1,
                              e.status_code() >= 400 ? 1 : 0,
                              NonNegative(u.prompt_tokens()),
                              NonNegative(u.candidates_tokens()),
                              NonNegative(u.thoughts_tokens()),
                              NonNegative(u.cached_tokens()),
                              NonNegative(u.tool_use_prompt_tokens()),
                              NonNegative(u.total_tokens())};
    for (int c = 0; c < 8; ++c) s.v[c] += add[c];
  }
  std::string update;
  for (const char* column : kCountColumns) {
    absl::StrAppend(&update, update.empty() ? "" : ", ", column, " = ", column, " + ",
                    backend == Backend::kMysql ? absl::StrCat("VALUES(", column, ")")
                                               : absl::StrCat("excluded.", column));
  }
  const std::string tail = backend == Backend::kMysql
                               ? absl::StrCat(" ON DUPLICATE KEY UPDATE ", update)
                               : absl::StrCat(" ON CONFLICT(hour_ms, key_id, model, client_token_id) DO UPDATE SET ",
                                              update);
  auto next = rows.begin();
  while (next != rows.end()) {
    SqlParams params;
    std::string sql_text =
        "INSERT INTO gempool_usage_hourly (hour_ms, key_id, model, client_token_id, requests, failures, "
        "prompt_tokens, candidates_tokens, thoughts_tokens, cached_tokens, tool_use_prompt_tokens, total_tokens) "
        "VALUES ";
    for (size_t count = 0; next != rows.end() && count < kUpsertChunkRows; ++next, ++count) {
      const auto& [hour, key_id, model, token] = next->first;
      absl::StrAppend(&sql_text, count == 0 ? "(" : ", (", params.Add(hour), ", ", params.Add(key_id), ", ",
                      params.Add(model), ", ", params.Add(token));
      for (long long v : next->second.v) absl::StrAppend(&sql_text, ", ", params.Add(v));
      absl::StrAppend(&sql_text, ")");
    }
    ExecuteUpdate(session, sql_text + tail, params);
  }
}

absl::Status CheckUsageQuery(const v1::UsageQuery& q, int64_t now_ms) {
  const int64_t since = q.since_ms();
  const int64_t until = UntilMs(q, now_ms);
  if (since < 0 || until <= since) {
    return absl::InvalidArgumentError(absl::StrCat("the usage window needs 0 <= since_ms < until_ms (got since_ms ",
                                                   since, " and until_ms ", until,
                                                   "; until_ms 0 means now): give a start before the end"));
  }
  if (until - since > kMaxWindowMs) {
    return absl::InvalidArgumentError(
        absl::StrCat("the usage window is longer than ", kMaxCalendarDays, " days; choose a later since_ms"));
  }
  if (q.day_starts_ms_size() > kMaxCalendarDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("day_starts_ms holds ", q.day_starts_ms_size(), " days; at most ", kMaxCalendarDays));
  }
  for (int i = 0; i < q.day_starts_ms_size(); ++i) {
    const int64_t day = q.day_starts_ms(i);
    if (day < since || day >= until || (i > 0 && day <= q.day_starts_ms(i - 1))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "day_starts_ms must be ascending and within [since_ms, until_ms); day ", i, " (", day, ") is not"));
    }
  }
  if (!v1::UsageGroupBy_IsValid(q.group_by())) {
    return absl::InvalidArgumentError(
        absl::StrCat("group_by ", static_cast<int>(q.group_by()), " is unknown: use KEY, MODEL or TOKEN"));
  }
  if (q.limit() < 0 || q.limit() > kMaxLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit ", q.limit(), " is out of range: use 1 to ", kMaxLimit, " (0 means ", kDefaultLimit, ")"));
  }
  return absl::OkStatus();
}

v1::UsageReport QueryUsageReport(soci::session& session, const v1::UsageQuery& q, int64_t now_ms) {
  v1::UsageReport report;
  {
    SqlParams params;
    Sums total;
    soci::statement st(session);
    Into(st, total);
    params.Prepare(st, absl::StrCat("SELECT ", SumColumns(), " FROM gempool_usage_hourly", Where(q, now_ms, params)));
    st.execute(true);
    ToCount(total, report.mutable_total());
  }
  if (q.day_starts_ms_size() > 0) {
    // Days in the caller's time zone: the last day start an hour is not before.
    SqlParams params;
    std::string day = "CASE";
    for (int i = q.day_starts_ms_size() - 1; i >= 0; --i) {
      absl::StrAppend(&day, " WHEN hour_ms >= ", params.Add(static_cast<long long>(q.day_starts_ms(i))), " THEN ", i);
    }
    absl::StrAppend(&day, " ELSE -1 END");
    std::vector<Sums> days(q.day_starts_ms_size());
    long long index = 0;
    Sums sums;
    soci::statement st(session);
    st.exchange(soci::into(index));
    Into(st, sums);
    params.Prepare(st, absl::StrCat("SELECT ", day, " AS day_index, ", SumColumns(), " FROM gempool_usage_hourly",
                                    Where(q, now_ms, params), " GROUP BY day_index"));
    st.execute();
    while (st.fetch()) {
      if (index >= 0 && index < static_cast<long long>(days.size())) days[index] = sums;
    }
    for (int i = 0; i < q.day_starts_ms_size(); ++i) {
      v1::UsageDay* d = report.add_days();
      d->set_start_ms(q.day_starts_ms(i));
      ToCount(days[i], d->mutable_count());
    }
  }
  const char* column = GroupColumn(q.group_by());
  const bool by_key = q.group_by() == v1::USAGE_GROUP_BY_KEY;
  const int limit = q.limit() == 0 ? kDefaultLimit : q.limit();
  {
    SqlParams params;
    std::string name;
    long long key_id = 0;
    Sums sums;
    soci::statement st(session);
    if (by_key) {
      st.exchange(soci::into(key_id));
    } else {
      st.exchange(soci::into(name));
    }
    Into(st, sums);
    params.Prepare(st, absl::StrCat("SELECT ", column, ", ", SumColumns(), " FROM gempool_usage_hourly",
                                    Where(q, now_ms, params), " GROUP BY ", column,
                                    " ORDER BY SUM(total_tokens) DESC, SUM(requests) DESC, ", column, " LIMIT ",
                                    limit));
    st.execute();
    while (st.fetch()) {
      v1::UsageGroup* g = report.add_groups();
      g->set_group(by_key ? std::to_string(key_id) : name);
      ToCount(sums, g->mutable_count());
    }
  }
  if (report.groups_size() == limit) {
    SqlParams params;
    long long groups = 0;
    soci::statement st(session);
    st.exchange(soci::into(groups));
    params.Prepare(st, absl::StrCat("SELECT COUNT(DISTINCT ", column, ") FROM gempool_usage_hourly",
                                    Where(q, now_ms, params)));
    st.execute(true);
    report.set_other_groups(std::max<long long>(groups - limit, 0));
  }
  return report;
}

}  // namespace gempool::storage
