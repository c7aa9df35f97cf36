#include "admin/stats_api.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "admin/key_masks.h"

namespace gempool::gateway::admin {
namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

struct Range {
  const char* name;
  int64_t bucket_ms;
  int buckets;
};

constexpr Range kRanges[] = {{"1h", kMinute, 60}, {"24h", 30 * kMinute, 48}, {"30d", kDay, 30}};

nlohmann::json GroupJson(const v1::RequestLogGroup& g) {
  return {{"model", g.model()},
          {"key_id", g.key_id()},
          {"calls", g.calls()},
          {"successes", g.successes()},
          {"failures", g.failures()},
          {"avg_latency_ms", g.calls() > 0 ? g.latency_ms_sum() / g.calls() : 0}};
}

}  // namespace

int64_t LatencyPercentile(const google::protobuf::RepeatedPtrField<v1::LatencyBin>& bins, double q) {
  int64_t total = 0;
  for (const v1::LatencyBin& b : bins) total += b.count();
  if (total == 0) return 0;
  const double target = q * static_cast<double>(total);
  int64_t seen = 0;
  int64_t lower = 0;
  for (const v1::LatencyBin& b : bins) {
    if (b.count() > 0 && static_cast<double>(seen + b.count()) >= target) {
      if (b.upper_ms() == 0) return lower;  // The open-ended last bin: at least its lower bound.
      const double within = (target - static_cast<double>(seen)) / static_cast<double>(b.count());
      return lower + static_cast<int64_t>(within * static_cast<double>(b.upper_ms() - lower));
    }
    seen += b.count();
    lower = b.upper_ms();
  }
  return lower;
}

ApiResult StatsApi::Handle(const ApiCall& call) {
  if (call.method != "GET" || call.path != "/stats") {
    return ErrorResult(absl::NotFoundError(absl::StrCat(call.method, " /api", call.path, " is not an admin API call")));
  }
  std::string name = QueryText(call, "range");
  if (name.empty()) name = "24h";
  const Range* range = nullptr;
  for (const Range& r : kRanges) {
    if (name == r.name) range = &r;
  }
  if (range == nullptr) return ErrorResult(absl::InvalidArgumentError("range must be 1h, 24h or 30d"));

  const int64_t now = clock_.NowUnixMs();
  v1::AggregateRequestLogsRequest request;
  const int64_t end = (now / range->bucket_ms + 1) * range->bucket_ms;
  request.set_since_ms(end - range->buckets * range->bucket_ms);
  request.set_until_ms(end);
  request.set_bucket_ms(range->bucket_ms);
  request.set_top(10);
  absl::StatusOr<v1::AggregateRequestLogsResponse> agg = backend_.AggregateRequestLogs(request);
  if (!agg.ok()) return ErrorResult(agg.status());

  // Every bucket, empty ones included, so the chart has a point per slot.
  nlohmann::json buckets = nlohmann::json::array();
  int next = 0;
  for (int i = 0; i < range->buckets; ++i) {
    const int64_t start = request.since_ms() + i * range->bucket_ms;
    nlohmann::json b = {{"start_ms", start}, {"calls", 0}, {"successes", 0}, {"failures", 0}, {"avg_latency_ms", 0}};
    if (next < agg->buckets_size() && agg->buckets(next).start_ms() == start) {
      const v1::RequestLogBucket& got = agg->buckets(next++);
      b["calls"] = got.calls();
      b["successes"] = got.successes();
      b["failures"] = got.failures();
      b["avg_latency_ms"] = got.calls() > 0 ? got.latency_ms_sum() / got.calls() : 0;
    }
    buckets.push_back(b);
  }
  nlohmann::json by_model = nlohmann::json::array();
  for (const v1::RequestLogGroup& g : agg->by_model()) by_model.push_back(GroupJson(g));
  std::set<int64_t> key_ids;
  for (const v1::RequestLogGroup& g : agg->by_key()) key_ids.insert(g.key_id());
  const std::map<int64_t, std::string> masks = MaskedKeys(backend_, key_ids);
  nlohmann::json by_key = nlohmann::json::array();
  for (const v1::RequestLogGroup& g : agg->by_key()) {
    nlohmann::json j = GroupJson(g);
    auto it = masks.find(g.key_id());
    j["key"] = it == masks.end() ? "" : it->second;
    by_key.push_back(j);
  }

  // Totals over the last minute, hour, day and 30 days (one bucket each).
  nlohmann::json windows = nlohmann::json::object();
  const struct {
    const char* name;
    int64_t ms;
  } kWindows[] = {{"1m", kMinute}, {"1h", kHour}, {"24h", kDay}, {"30d", 30 * kDay}};
  for (const auto& w : kWindows) {
    v1::AggregateRequestLogsRequest window;
    window.set_since_ms(now + 1 - w.ms);
    window.set_until_ms(now + 1);
    window.set_bucket_ms(w.ms);
    window.set_totals_only(true);
    absl::StatusOr<v1::AggregateRequestLogsResponse> totals = backend_.AggregateRequestLogs(window);
    if (!totals.ok()) return ErrorResult(totals.status());
    windows[w.name] = {{"calls", totals->calls()}, {"successes", totals->successes()}, {"failures", totals->failures()}};
  }

  ApiResult result;
  result.body = {{"range", range->name},
                 {"bucket_ms", range->bucket_ms},
                 {"since_ms", request.since_ms()},
                 {"until_ms", request.until_ms()},
                 {"now_ms", now},
                 {"buckets", buckets},
                 {"calls", agg->calls()},
                 {"successes", agg->successes()},
                 {"failures", agg->failures()},
                 {"avg_latency_ms", agg->calls() > 0 ? agg->latency_ms_sum() / agg->calls() : 0},
                 {"latency", {{"p50", LatencyPercentile(agg->latency(), 0.5)},
                              {"p90", LatencyPercentile(agg->latency(), 0.9)},
                              {"p99", LatencyPercentile(agg->latency(), 0.99)}}},
                 {"by_model", by_model},
                 {"by_key", by_key},
                 {"windows", windows}};
  return result;
}

}  // namespace gempool::gateway::admin
