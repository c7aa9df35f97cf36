#include "admin/stats_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "admin/test/fake_admin_backend.h"
#include "gempool/testing/fake_clock.h"

namespace gempool::gateway::admin {
namespace {

google::protobuf::RepeatedPtrField<v1::LatencyBin> Bins(std::vector<std::pair<int64_t, int64_t>> bins) {
  google::protobuf::RepeatedPtrField<v1::LatencyBin> out;
  for (auto [upper, count] : bins) {
    v1::LatencyBin* b = out.Add();
    b->set_upper_ms(upper);
    b->set_count(count);
  }
  return out;
}

TEST(StatsApiTest, PercentilesInterpolateWithinABin) {
  auto bins = Bins({{100, 50}, {200, 50}, {0, 0}});
  EXPECT_EQ(LatencyPercentile(bins, 0.5), 100);
  EXPECT_EQ(LatencyPercentile(bins, 0.75), 150);
  EXPECT_EQ(LatencyPercentile(Bins({{100, 0}, {0, 10}}), 0.5), 100) << "open last bin: its lower bound";
  EXPECT_EQ(LatencyPercentile(Bins({}), 0.5), 0);
}

TEST(StatsApiTest, AlignsBucketsAndFillsEmptyOnes) {
  gempool::testing::FakeClock clock(1'800'000'030'000);
  testing::FakeAdminBackend backend(clock);
  backend.secrets = {{3, "AIzaSyCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"}};
  v1::RequestLogBucket* b = backend.aggregate.add_buckets();
  const int64_t end = (clock.NowUnixMs() / 60000 + 1) * 60000;
  b->set_start_ms(end - 60000);
  b->set_calls(4);
  b->set_successes(3);
  b->set_failures(1);
  b->set_latency_ms_sum(400);
  backend.aggregate.set_calls(4);
  v1::RequestLogGroup* key = backend.aggregate.add_by_key();
  key->set_key_id(3);
  key->set_calls(4);
  DisplayZone zone;  // UTC.
  StatsApi api(backend, clock, zone);
  ApiCall call;
  call.method = "GET";
  call.path = "/stats";
  call.query["range"] = "1h";
  ApiResult result = api.Handle(call);
  ASSERT_EQ(result.status, 200) << result.body.dump();
  ASSERT_EQ(result.body["buckets"].size(), 60u);
  EXPECT_EQ(result.body["buckets"][59]["calls"], 4);
  EXPECT_EQ(result.body["buckets"][59]["avg_latency_ms"], 100);
  EXPECT_EQ(result.body["buckets"][0]["calls"], 0);
  EXPECT_EQ(result.body["by_key"][0]["key"], "AIzaSy...CCCC");
  ASSERT_EQ(backend.aggregate_requests.size(), 6u) << "the range, then 1m, 1h, 24h, 30d and the month";
  EXPECT_EQ(backend.aggregate_requests[0].since_ms() % 60000, 0);
  EXPECT_EQ(backend.aggregate_requests[0].until_ms(), end);
  EXPECT_TRUE(backend.aggregate_requests[1].totals_only());
  call.query["range"] = "1y";
  EXPECT_EQ(api.Handle(call).status, 400);
}


TEST(StatsApiTest, PercentilesStayWithinTheLatenciesSeen) {
  // Every call took 1 ms: the first bin is 0-1 ms wide in the store now, but
  // even a wide bin must not report a p50 above the highest latency seen.
  auto wide = Bins({{50, 100}, {0, 0}});
  EXPECT_EQ(LatencyPercentile(wide, 0.5), 25) << "unclamped interpolation, the old bug";
  EXPECT_EQ(LatencyPercentile(wide, 0.5, 1, 1), 1);
  EXPECT_EQ(LatencyPercentile(wide, 0.99, 1, 1), 1);
  // Latencies 40..48 ms: interpolation in 0-50 would say 25 for p50.
  EXPECT_EQ(LatencyPercentile(wide, 0.5, 40, 48), 40);
  // Open last bin: at most the highest seen.
  EXPECT_EQ(LatencyPercentile(Bins({{100, 0}, {0, 10}}), 0.5, 150, 900), 150);
}

int64_t UtcMs(int y, int mo, int d, int h = 0) {
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(y, mo, d, h, 0, 0), absl::UTCTimeZone()));
}

ApiCall Get(const std::string& path, std::map<std::string, std::string> query = {}) {
  ApiCall call;
  call.method = "GET";
  call.path = path;
  call.query = std::move(query);
  return call;
}

TEST(StatsApiTest, ThirtyDaysAreCalendarDaysAndTheMonthStartsAtLocalMidnight) {
  // 2026-11-03 02:00 UTC is 2026-11-02 21:00 in New York, two days after the
  // clocks went back (1 November: a 25-hour day).
  gempool::testing::FakeClock clock(UtcMs(2026, 11, 3, 2));
  testing::FakeAdminBackend backend(clock);
  DisplayZone zone;
  ASSERT_TRUE(zone.Set("America/New_York").ok());
  StatsApi api(backend, clock, zone);
  ApiResult result = api.Handle(Get("/stats", {{"range", "30d"}}));
  ASSERT_EQ(result.status, 200) << result.body.dump();
  EXPECT_EQ(result.body["timezone"], "America/New_York");
  const v1::AggregateRequestLogsRequest& days = backend.aggregate_requests[0];
  ASSERT_EQ(days.bucket_starts_size(), 30);
  EXPECT_EQ(days.since_ms(), days.bucket_starts(0));
  // Today (2 November) began at 05:00 UTC (EST); tomorrow ends the window.
  EXPECT_EQ(days.bucket_starts(29), UtcMs(2026, 11, 2, 5));
  EXPECT_EQ(days.until_ms(), UtcMs(2026, 11, 3, 5));
  // 1 November began at 04:00 UTC (EDT) and lasted 25 hours.
  EXPECT_EQ(days.bucket_starts(28), UtcMs(2026, 11, 1, 4));
  ASSERT_EQ(result.body["buckets"].size(), 30u);
  EXPECT_EQ(result.body["buckets"][28]["start_ms"], UtcMs(2026, 11, 1, 4));
  // The month window: November from its local midnight.
  const v1::AggregateRequestLogsRequest& month = backend.aggregate_requests.back();
  EXPECT_EQ(month.since_ms(), UtcMs(2026, 11, 1, 4));
  EXPECT_EQ(month.until_ms(), clock.NowUnixMs() + 1);
  EXPECT_EQ(result.body["windows"]["month"]["since_ms"], UtcMs(2026, 11, 1, 4));

  // In Shanghai the same instant is 3 November 10:00; the month began at
  // 16:00 UTC on 31 October.
  ASSERT_TRUE(zone.Set("Asia/Shanghai").ok());
  backend.aggregate_requests.clear();
  result = api.Handle(Get("/stats", {{"range", "30d"}}));
  ASSERT_EQ(result.status, 200) << result.body.dump();
  EXPECT_EQ(backend.aggregate_requests[0].bucket_starts(29), UtcMs(2026, 11, 2, 16));
  EXPECT_EQ(backend.aggregate_requests.back().since_ms(), UtcMs(2026, 10, 31, 16));
}

TEST(StatsApiTest, AttentionKeysAreMaskedWithTheirCounts) {
  gempool::testing::FakeClock clock(1'800'000'030'000);
  testing::FakeAdminBackend backend(clock);
  backend.secrets = {{3, "AIzaSyCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"}, {5, "AIzaSyEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE"}};
  for (auto [id, count] : std::vector<std::pair<int64_t, int64_t>>{{5, 7}, {3, 2}}) {
    v1::ErrorKeyCount* k = backend.top_error_keys.add_keys();
    k->set_key_id(id);
    k->set_count(count);
  }
  DisplayZone zone;
  StatsApi api(backend, clock, zone);
  ApiResult result = api.Handle(Get("/stats/attention", {{"status", "403"}, {"limit", "5"}}));
  ASSERT_EQ(result.status, 200) << result.body.dump();
  EXPECT_EQ(result.body["status"], 403);
  ASSERT_EQ(result.body["keys"].size(), 2u);
  EXPECT_EQ(result.body["keys"][0]["key_id"], 5);
  EXPECT_EQ(result.body["keys"][0]["key"], "AIzaSy...EEEE");
  EXPECT_EQ(result.body["keys"][0]["count"], 7);
  ASSERT_EQ(backend.top_error_requests.size(), 1u);
  EXPECT_EQ(backend.top_error_requests[0].status_code(), 403);
  EXPECT_EQ(backend.top_error_requests[0].top(), 5);
  EXPECT_EQ(backend.top_error_requests[0].until_ms() - backend.top_error_requests[0].since_ms(), 24 * 3600 * 1000);
  // The default is 429; a status outside HTTP's range is refused.
  EXPECT_EQ(api.Handle(Get("/stats/attention")).body["status"], 429);
  EXPECT_EQ(api.Handle(Get("/stats/attention", {{"status", "99"}})).status, 400);
}

}  // namespace
}  // namespace gempool::gateway::admin
