#include "admin/stats_api.h"

#include <algorithm>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "admin/key_masks.h"
#include "gempool/common/time_zone.h"

namespace gempool::gateway::admin {
namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

struct Range {
  const char* name;
  int64_t bucket_ms;
  int buckets;
  // One bucket per calendar day in TIMEZONE instead of fixed widths.
  bool calendar_days;
};

constexpr Range kRanges[] = {{"1h", kMinute, 60, false}, {"24h", 30 * kMinute, 48, false}, {"30d", kDay, 30, true}};

int64_t Average(int64_t sum, int64_t calls) { return calls > 0 ? sum / calls : 0; }

nlohmann::json GroupJson(const v1::RequestLogGroup& g) {
  return {{"model", g.model()},
          {"key_id", g.key_id()},
          {"calls", g.calls()},
          {"successes", g.successes()},
          {"failures", g.failures()},
          {"avg_latency_ms", Average(g.latency_ms_sum(), g.calls())}};
}

}  // namespace

int64_t LatencyPercentile(const google::protobuf::RepeatedPtrField<v1::LatencyBin>& bins, double q, int64_t min_ms,
                          int64_t max_ms) {
  int64_t total = 0;
  for (const v1::LatencyBin& b : bins) total += b.count();
  if (total == 0) return 0;
  const double target = q * static_cast<double>(total);
  int64_t seen = 0;
  int64_t lower = 0;
  int64_t estimate = -1;
  for (const v1::LatencyBin& b : bins) {
    if (b.count() > 0 && static_cast<double>(seen + b.count()) >= target) {
      if (b.upper_ms() == 0) {
        estimate = lower;  // The open-ended last bin: at least its lower bound.
      } else {
        const double within = (target - static_cast<double>(seen)) / static_cast<double>(b.count());
        estimate = lower + static_cast<int64_t>(within * static_cast<double>(b.upper_ms() - lower));
      }
      break;
    }
    seen += b.count();
    lower = b.upper_ms();
  }
  if (estimate < 0) estimate = lower;
  // Interpolation assumes calls spread evenly over the bin; when they all sit
  // at one end (every call 1 ms in a 0-50 ms bin), the seen range corrects it.
  if (max_ms > 0 || min_ms > 0) estimate = std::clamp(estimate, min_ms, std::max(min_ms, max_ms));
  return estimate;
}

ApiResult StatsApi::Handle(const ApiCall& call) {
  if (call.method == "GET" && call.path == "/stats") return Stats(call);
  if (call.method == "GET" && call.path == "/stats/attention") return Attention(call);
  return ErrorResult(absl::NotFoundError(absl::StrCat(call.method, " /api", call.path, " is not an admin API call")));
}

ApiResult StatsApi::Stats(const ApiCall& call) {
  std::string name = QueryText(call, "range");
  if (name.empty()) name = "24h";
  const Range* range = nullptr;
  for (const Range& r : kRanges) {
    if (name == r.name) range = &r;
  }
  if (range == nullptr) return ErrorResult(absl::InvalidArgumentError("range must be 1h, 24h or 30d"));

  const DisplayZone::Zone zone = zone_.Get();
  const int64_t now = clock_.NowUnixMs();
  v1::AggregateRequestLogsRequest request;
  std::vector<int64_t> starts;  // Of every bucket, in order.
  if (range->calendar_days) {
    std::vector<int64_t> edges = DayEdgesMs(now, range->buckets, zone.zone);
    request.set_since_ms(edges.front());
    request.set_until_ms(edges.back());
    edges.pop_back();
    for (int64_t start : edges) request.add_bucket_starts(start);
    starts = std::move(edges);
  } else {
    const int64_t end = (now / range->bucket_ms + 1) * range->bucket_ms;
    request.set_since_ms(end - range->buckets * range->bucket_ms);
    request.set_until_ms(end);
    for (int i = 0; i < range->buckets; ++i) starts.push_back(request.since_ms() + i * range->bucket_ms);
  }
  request.set_bucket_ms(range->bucket_ms);
  request.set_top(10);
  absl::StatusOr<v1::AggregateRequestLogsResponse> agg = backend_.AggregateRequestLogs(request);
  if (!agg.ok()) return ErrorResult(agg.status());

  // Every bucket, empty ones included, so the chart has a point per slot.
  nlohmann::json buckets = nlohmann::json::array();
  int next = 0;
  for (int64_t start : starts) {
    nlohmann::json b = {{"start_ms", start}, {"calls", 0}, {"successes", 0}, {"failures", 0}, {"avg_latency_ms", 0}};
    if (next < agg->buckets_size() && agg->buckets(next).start_ms() == start) {
      const v1::RequestLogBucket& got = agg->buckets(next++);
      b["calls"] = got.calls();
      b["successes"] = got.successes();
      b["failures"] = got.failures();
      b["avg_latency_ms"] = Average(got.latency_ms_sum(), got.calls());
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

  // Totals over the last minute, hour, day and 30 days, and the calendar
  // month so far in TIMEZONE (one bucket each).
  nlohmann::json windows = nlohmann::json::object();
  const int64_t month_start = StartOfMonthMs(now, zone.zone);
  const struct {
    const char* name;
    int64_t since_ms;
  } kWindows[] = {{"1m", now + 1 - kMinute},
                  {"1h", now + 1 - kHour},
                  {"24h", now + 1 - kDay},
                  {"30d", now + 1 - 30 * kDay},
                  {"month", month_start}};
  for (const auto& w : kWindows) {
    v1::AggregateRequestLogsRequest window;
    window.set_since_ms(w.since_ms);
    window.set_until_ms(now + 1);
    window.set_bucket_ms(now + 1 - w.since_ms);
    window.set_totals_only(true);
    absl::StatusOr<v1::AggregateRequestLogsResponse> totals = backend_.AggregateRequestLogs(window);
    if (!totals.ok()) return ErrorResult(totals.status());
    windows[w.name] = {{"calls", totals->calls()},
                       {"successes", totals->successes()},
                       {"failures", totals->failures()},
                       {"since_ms", w.since_ms}};
  }

  const int64_t low = agg->latency_min_ms();
  const int64_t high = agg->latency_max_ms();
  ApiResult result;
  result.body = {{"range", range->name},
                 {"bucket_ms", range->bucket_ms},
                 {"since_ms", request.since_ms()},
                 {"until_ms", request.until_ms()},
                 {"now_ms", now},
                 {"timezone", zone.name},
                 {"buckets", buckets},
                 {"calls", agg->calls()},
                 {"successes", agg->successes()},
                 {"failures", agg->failures()},
                 {"avg_latency_ms", Average(agg->latency_ms_sum(), agg->calls())},
                 {"latency", {{"p50", LatencyPercentile(agg->latency(), 0.5, low, high)},
                              {"p90", LatencyPercentile(agg->latency(), 0.9, low, high)},
                              {"p99", LatencyPercentile(agg->latency(), 0.99, low, high)},
                              {"min", low},
                              {"max", high}}},
                 {"by_model", by_model},
                 {"by_key", by_key},
                 {"windows", windows}};
  return result;
}

ApiResult StatsApi::Attention(const ApiCall& call) {
  absl::StatusOr<int64_t> status = QueryInt(call, "status", 429, 100, 599);
  if (!status.ok()) return ErrorResult(status.status());
  absl::StatusOr<int64_t> limit = QueryInt(call, "limit", 10, 1, 100);
  if (!limit.ok()) return ErrorResult(limit.status());
  const int64_t now = clock_.NowUnixMs();
  v1::TopErrorKeysRequest request;
  request.set_since_ms(now + 1 - kDay);
  request.set_until_ms(now + 1);
  request.set_status_code(static_cast<int32_t>(*status));
  request.set_top(static_cast<int32_t>(*limit));
  absl::StatusOr<v1::TopErrorKeysResponse> top = backend_.TopErrorKeys(request);
  if (!top.ok()) return ErrorResult(top.status());
  std::set<int64_t> key_ids;
  for (const v1::ErrorKeyCount& k : top->keys()) key_ids.insert(k.key_id());
  const std::map<int64_t, std::string> masks = MaskedKeys(backend_, key_ids);
  nlohmann::json keys = nlohmann::json::array();
  for (const v1::ErrorKeyCount& k : top->keys()) {
    auto it = masks.find(k.key_id());
    keys.push_back({{"key_id", k.key_id()}, {"key", it == masks.end() ? "" : it->second}, {"count", k.count()}});
  }
  ApiResult result;
  result.body = {{"status", *status},
                 {"since_ms", request.since_ms()},
                 {"until_ms", request.until_ms()},
                 {"keys", keys}};
  return result;
}

}  // namespace gempool::gateway::admin
