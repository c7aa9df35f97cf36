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
  StatsApi api(backend, clock);
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
  ASSERT_GE(backend.aggregate_requests.size(), 5u);
  EXPECT_EQ(backend.aggregate_requests[0].since_ms() % 60000, 0);
  EXPECT_EQ(backend.aggregate_requests[0].until_ms(), end);
  EXPECT_TRUE(backend.aggregate_requests[1].totals_only());
  call.query["range"] = "1y";
  EXPECT_EQ(api.Handle(call).status, 400);
}

}  // namespace
}  // namespace gempool::gateway::admin
