#include "log_stats.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sql_params.h"

namespace gempool::storage {
namespace {

constexpr int64_t kMaxAggregateWindowMs = 400LL * 24 * 60 * 60 * 1000;
constexpr int64_t kMaxAggregateBuckets = 1000;
constexpr int kDefaultAggregateTop = 10;
constexpr int kMaxAggregateTop = 100;
// Upper bounds (ms, exclusive) of the latency histogram bins; a last bin
// without a bound follows. Fine at the low end: percentiles are interpolated
// within a bin, and with a first bin of 0-50 ms a log of 1 ms calls showed
// a p50 of 25 ms beside its 1 ms average.
constexpr long long kLatencyBounds[] = {1,    2,    5,    10,   20,    30,    50,    75,    100,
                                        150,  200,  300,  500,  750,   1000,  1500,  2000,  3000,
                                        5000, 7500, 10000, 15000, 20000, 30000, 60000, 120000};

absl::Status CheckWindow(int64_t since, int64_t until) {
  if (since < 0 || until <= since) {
    return absl::InvalidArgumentError(absl::StrCat("the statistics window needs 0 <= since_ms < until_ms (got ", since,
                                                   " and ", until, ")"));
  }
  if (until - since > kMaxAggregateWindowMs) {
    return absl::InvalidArgumentError("the statistics window is longer than 400 days; choose a shorter one");
  }
  return absl::OkStatus();
}

absl::Status CheckTop(int top) {
  if (top < 0 || top > kMaxAggregateTop) {
    return absl::InvalidArgumentError(absl::StrCat("top ", top, " is out of range: use 1 to ", kMaxAggregateTop,
                                                   " (0 means ", kDefaultAggregateTop, ")"));
  }
  return absl::OkStatus();
}

// " WHERE time_ms >= since AND time_ms < until".
std::string WindowWhere(int64_t since, int64_t until, SqlParams& params) {
  return absl::StrCat(" WHERE time_ms >= ", params.Add(static_cast<long long>(since)), " AND time_ms < ",
                      params.Add(static_cast<long long>(until)));
}

constexpr char kSuccessSum[] = "SUM(CASE WHEN status_code >= 200 AND status_code < 300 THEN 1 ELSE 0 END)";

// The SQL expression numbering a row's time bucket from 0.
std::string BucketExpression(const v1::AggregateRequestLogsRequest& r, Backend backend, SqlParams& params) {
  if (r.bucket_starts_size() > 0) {
    // Unequal buckets (calendar days): the last start the row is not before.
    std::string expr = "CASE";
    for (int i = r.bucket_starts_size() - 1; i >= 1; --i) {
      absl::StrAppend(&expr, " WHEN time_ms >= ", params.Add(static_cast<long long>(r.bucket_starts(i))), " THEN ", i);
    }
    absl::StrAppend(&expr, " ELSE 0 END");
    return expr;
  }
  const std::string offset = params.Add(static_cast<long long>(r.since_ms()));
  const std::string width = params.Add(static_cast<long long>(r.bucket_ms()));
  return absl::StrCat("(time_ms - ", offset, ")", backend == Backend::kMysql ? " DIV " : " / ", width);
}

// Calls per model or per key (`column`), busiest first.
void AggregateGroups(soci::session& session, const v1::AggregateRequestLogsRequest& r, const char* column, int top,
                     google::protobuf::RepeatedPtrField<v1::RequestLogGroup>* out) {
  SqlParams params;
  const std::string where = WindowWhere(r.since_ms(), r.until_ms(), params);
  std::string model;
  long long key_id = 0, calls = 0, successes = 0, latency = 0;
  soci::statement st(session);
  const bool by_model = std::string(column) == "model";
  if (by_model) {
    st.exchange(soci::into(model));
  } else {
    st.exchange(soci::into(key_id));
  }
  st.exchange(soci::into(calls));
  st.exchange(soci::into(successes));
  st.exchange(soci::into(latency));
  params.Prepare(st, absl::StrCat("SELECT ", column, ", COUNT(*) AS calls, ", kSuccessSum,
                                  ", SUM(latency_ms) FROM gempool_request_log", where, " GROUP BY ", column,
                                  " ORDER BY calls DESC, ", column, " LIMIT ", top));
  st.execute();
  while (st.fetch()) {
    v1::RequestLogGroup* g = out->Add();
    if (by_model) {
      g->set_model(model);
    } else {
      g->set_key_id(key_id);
    }
    g->set_calls(calls);
    g->set_successes(successes);
    g->set_failures(calls - successes);
    g->set_latency_ms_sum(latency);
  }
}

void LatencyHistogram(soci::session& session, const v1::AggregateRequestLogsRequest& r,
                      v1::AggregateRequestLogsResponse& response) {
  SqlParams params;
  const std::string where = WindowWhere(r.since_ms(), r.until_ms(), params);
  std::string bin = "CASE";
  int n = 0;
  for (long long bound : kLatencyBounds) absl::StrAppend(&bin, " WHEN latency_ms < ", bound, " THEN ", n++);
  absl::StrAppend(&bin, " ELSE ", n, " END");
  std::vector<long long> counts(n + 1, 0);
  long long index = 0, count = 0;
  soci::statement st(session);
  st.exchange(soci::into(index));
  st.exchange(soci::into(count));
  params.Prepare(st, absl::StrCat("SELECT ", bin, " AS bin, COUNT(*) FROM gempool_request_log", where, " GROUP BY bin"));
  st.execute();
  while (st.fetch()) {
    if (index >= 0 && index <= n) counts[index] = count;
  }
  for (int i = 0; i <= n; ++i) {
    v1::LatencyBin* b = response.add_latency();
    b->set_upper_ms(i < n ? kLatencyBounds[i] : 0);
    b->set_count(counts[i]);
  }
}

}  // namespace

absl::Status CheckAggregateRequest(const v1::AggregateRequestLogsRequest& request) {
  const int64_t since = request.since_ms();
  const int64_t until = request.until_ms();
  if (absl::Status window = CheckWindow(since, until); !window.ok()) return window;
  if (request.bucket_starts_size() > 0) {
    if (request.bucket_starts_size() > kMaxAggregateBuckets) {
      return absl::InvalidArgumentError(absl::StrCat("bucket_starts holds ", request.bucket_starts_size(),
                                                     " buckets; at most ", kMaxAggregateBuckets));
    }
    if (request.bucket_starts(0) != since) {
      return absl::InvalidArgumentError("bucket_starts must begin at since_ms");
    }
    for (int i = 1; i < request.bucket_starts_size(); ++i) {
      if (request.bucket_starts(i) <= request.bucket_starts(i - 1) || request.bucket_starts(i) >= until) {
        return absl::InvalidArgumentError("bucket_starts must be ascending and before until_ms");
      }
    }
  } else if (request.bucket_ms() <= 0 ||
             (until - since + request.bucket_ms() - 1) / request.bucket_ms() > kMaxAggregateBuckets) {
    return absl::InvalidArgumentError(absl::StrCat("bucket_ms ", request.bucket_ms(), " does not cut the window into 1 to ",
                                                   kMaxAggregateBuckets, " buckets"));
  }
  return CheckTop(request.top());
}

absl::Status CheckTopErrorKeysRequest(const v1::TopErrorKeysRequest& request) {
  if (absl::Status window = CheckWindow(request.since_ms(), request.until_ms()); !window.ok()) return window;
  if (request.status_code() < 100 || request.status_code() > 599) {
    return absl::InvalidArgumentError(
        absl::StrCat("status_code ", request.status_code(), " is not an HTTP status (100 to 599)"));
  }
  return CheckTop(request.top());
}

v1::AggregateRequestLogsResponse QueryAggregate(soci::session& session, Backend backend,
                                                const v1::AggregateRequestLogsRequest& request) {
  const int top = request.top() == 0 ? kDefaultAggregateTop : request.top();
  v1::AggregateRequestLogsResponse response;
  {
    SqlParams params;
    const std::string bucket = BucketExpression(request, backend, params);
    const std::string where = WindowWhere(request.since_ms(), request.until_ms(), params);
    long long index = 0, calls = 0, successes = 0, latency = 0, low = 0, high = 0;
    soci::statement st(session);
    st.exchange(soci::into(index));
    st.exchange(soci::into(calls));
    st.exchange(soci::into(successes));
    st.exchange(soci::into(latency));
    st.exchange(soci::into(low));
    st.exchange(soci::into(high));
    params.Prepare(st, absl::StrCat("SELECT ", bucket, " AS bucket, COUNT(*), ", kSuccessSum,
                                    ", SUM(latency_ms), MIN(latency_ms), MAX(latency_ms) FROM gempool_request_log",
                                    where, " GROUP BY bucket ORDER BY bucket"));
    st.execute();
    bool first = true;
    while (st.fetch()) {
      v1::RequestLogBucket* b = response.add_buckets();
      b->set_start_ms(request.bucket_starts_size() > 0 ? request.bucket_starts(static_cast<int>(index))
                                                       : request.since_ms() + index * request.bucket_ms());
      b->set_calls(calls);
      b->set_successes(successes);
      b->set_failures(calls - successes);
      b->set_latency_ms_sum(latency);
      response.set_calls(response.calls() + calls);
      response.set_successes(response.successes() + successes);
      response.set_failures(response.failures() + calls - successes);
      response.set_latency_ms_sum(response.latency_ms_sum() + latency);
      response.set_latency_min_ms(first ? low : std::min<int64_t>(response.latency_min_ms(), low));
      response.set_latency_max_ms(first ? high : std::max<int64_t>(response.latency_max_ms(), high));
      first = false;
    }
  }
  if (response.calls() == 0 || request.totals_only()) return response;
  AggregateGroups(session, request, "model", top, response.mutable_by_model());
  AggregateGroups(session, request, "key_id", top, response.mutable_by_key());
  LatencyHistogram(session, request, response);
  return response;
}

v1::TopErrorKeysResponse QueryTopErrorKeys(soci::session& session, const v1::TopErrorKeysRequest& request) {
  const int top = request.top() == 0 ? kDefaultAggregateTop : request.top();
  SqlParams params;
  const std::string where = WindowWhere(request.since_ms(), request.until_ms(), params);
  const std::string status = params.Add(static_cast<long long>(request.status_code()));
  long long key_id = 0, count = 0;
  soci::statement st(session);
  st.exchange(soci::into(key_id));
  st.exchange(soci::into(count));
  params.Prepare(st, absl::StrCat("SELECT key_id, COUNT(*) AS n FROM gempool_error_log", where,
                                  " AND status_code = ", status, " AND key_id > 0 GROUP BY key_id"
                                  " ORDER BY n DESC, key_id LIMIT ", top));
  st.execute();
  v1::TopErrorKeysResponse response;
  while (st.fetch()) {
    v1::ErrorKeyCount* k = response.add_keys();
    k->set_key_id(key_id);
    k->set_count(count);
  }
  return response;
}

}  // namespace gempool::storage
