#include "admin/usage_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "admin/test/fake_admin_backend.h"
#include "gempool/testing/fake_clock.h"

namespace gempool::gateway::admin {
namespace {

using ::testing::HasSubstr;

// 2027-01-15 12:00:00 UTC.
constexpr int64_t kNow = 1'800'000'000'000 - 1'800'000'000'000 % 86'400'000 + 12 * 3'600'000;

ApiCall Get(std::map<std::string, std::string> query) {
  ApiCall call;
  call.method = "GET";
  call.path = "/usage";
  call.query = std::move(query);
  return call;
}

v1::UsageCount Count(int64_t requests, int64_t prompt, int64_t candidates, int64_t total) {
  v1::UsageCount c;
  c.set_requests(requests);
  c.mutable_usage()->set_prompt_tokens(prompt);
  c.mutable_usage()->set_candidates_tokens(candidates);
  c.mutable_usage()->set_total_tokens(total);
  return c;
}

// The windows themselves are CalendarDayEdges' (libs/common time_zone_test):
// here, that the API takes them and says what is accepted.
TEST(UsageApiTest, TakesCalendarWindows) {
  gempool::testing::FakeClock clock(kNow);
  testing::FakeAdminBackend backend(clock);
  DisplayZone zone;
  ASSERT_TRUE(zone.Set("UTC").ok());
  UsageApi api(backend, clock, zone);
  for (const auto& [since, days] : std::vector<std::pair<std::string, int>>{{"", 7}, {"today", 1}, {"30d", 30}}) {
    ApiResult result = api.Handle(Get({{"since", since}}));
    ASSERT_EQ(result.status, 200) << since << ": " << result.body.dump();
    EXPECT_EQ(backend.usage_queries.back().day_starts_ms_size(), days) << since;
  }
  ApiResult dates = api.Handle(Get({{"since", "2027-01-01"}, {"until", "2027-01-10"}}));
  ASSERT_EQ(dates.status, 200) << dates.body.dump();
  EXPECT_EQ(backend.usage_queries.back().day_starts_ms_size(), 10);
  EXPECT_EQ(api.Handle(Get({{"since", "0d"}})).status, 400);
  EXPECT_EQ(api.Handle(Get({{"since", "401d"}})).status, 400);
  EXPECT_EQ(api.Handle(Get({{"since", "7"}})).status, 400);
  ApiResult week = api.Handle(Get({{"since", "1w"}}));
  EXPECT_EQ(week.status, 400);
  EXPECT_THAT(week.body.dump(), HasSubstr("today, a number of days (1d to 400d)"));
}

TEST(UsageApiTest, AsksForCalendarDaysInTheZoneAndMasksKeys) {
  gempool::testing::FakeClock clock(kNow);
  testing::FakeAdminBackend backend(clock);
  backend.secrets = {{3, "AIzaSyCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"}};
  DisplayZone zone;
  ASSERT_TRUE(zone.Set("Asia/Shanghai").ok());  // UTC+8: local days start at 16:00 UTC.
  v1::UsageReport& report = backend.usage_report;
  *report.mutable_total() = Count(5, 100, 50, 150);
  for (int i = 0; i < 3; ++i) {
    v1::UsageDay* d = report.add_days();
    d->set_start_ms(kNow - (2 - i) * 86'400'000);
    *d->mutable_count() = Count(i, 0, 0, i * 10);
  }
  v1::UsageGroup* g = report.add_groups();
  g->set_group("3");
  *g->mutable_count() = Count(5, 100, 50, 150);
  report.set_other_groups(2);

  UsageApi api(backend, clock, zone);
  ApiResult result = api.Handle(Get({{"since", "3d"}, {"by", "key"}, {"limit", "1"}}));
  ASSERT_EQ(result.status, 200) << result.body.dump();
  ASSERT_EQ(backend.usage_queries.size(), 1u);
  const v1::UsageQuery& q = backend.usage_queries[0];
  EXPECT_EQ(q.group_by(), v1::USAGE_GROUP_BY_KEY);
  EXPECT_EQ(q.limit(), 1);
  ASSERT_EQ(q.day_starts_ms_size(), 3);
  EXPECT_EQ(q.day_starts_ms(0), q.since_ms());
  EXPECT_EQ((q.since_ms() + 8 * 3'600'000) % 86'400'000, 0) << "local midnight in UTC+8";
  EXPECT_EQ(q.until_ms() - q.day_starts_ms(2), 86'400'000);
  EXPECT_LE(q.day_starts_ms(2), kNow);
  EXPECT_GT(q.until_ms(), kNow);

  EXPECT_EQ(result.body["timezone"], "Asia/Shanghai");
  EXPECT_EQ(result.body["by"], "key");
  EXPECT_EQ(result.body["total"]["requests"], 5);
  EXPECT_EQ(result.body["total"]["prompt_tokens"], 100);
  EXPECT_EQ(result.body["total"]["candidates_tokens"], 50);
  EXPECT_EQ(result.body["total"]["total_tokens"], 150);
  ASSERT_EQ(result.body["days"].size(), 3u);
  EXPECT_EQ(result.body["days"][2]["total_tokens"], 20);
  EXPECT_EQ(result.body["days"][2]["date"].get<std::string>().size(), 10u);
  ASSERT_EQ(result.body["groups"].size(), 1u);
  EXPECT_EQ(result.body["groups"][0]["key_id"], 3);
  EXPECT_EQ(result.body["groups"][0]["key"], "AIzaSy...CCCC");
  EXPECT_EQ(result.body["other_groups"], 2);
}

TEST(UsageApiTest, TokenGroupsCarryManagedNamesWhenKnown) {
  gempool::testing::FakeClock clock(kNow);
  testing::FakeAdminBackend backend(clock);
  for (const char* id : {"abc123", "def456"}) {
    v1::UsageGroup* g = backend.usage_report.add_groups();
    g->set_group(id);
  }
  v1::ClientToken* managed = backend.token_list.add_tokens();
  managed->set_token_id("abc123");
  managed->set_name("ci-bot");
  DisplayZone zone;
  UsageApi api(backend, clock, zone);
  ApiResult result = api.Handle(Get({{"by", "token"}, {"since", "today"}, {"token", "abc123"}}));
  ASSERT_EQ(result.status, 200) << result.body.dump();
  EXPECT_EQ(backend.usage_queries[0].client_token_id(), "abc123");
  EXPECT_EQ(backend.usage_queries[0].day_starts_ms_size(), 1);
  EXPECT_EQ(result.body["groups"][0]["name"], "ci-bot");
  EXPECT_EQ(result.body["groups"][1]["name"], "");
}

TEST(UsageApiTest, RefusesBadParametersSayingWhatIsAccepted) {
  gempool::testing::FakeClock clock(kNow);
  testing::FakeAdminBackend backend(clock);
  DisplayZone zone;
  UsageApi api(backend, clock, zone);
  ApiResult by = api.Handle(Get({{"by", "day"}}));
  EXPECT_EQ(by.status, 400);
  EXPECT_THAT(by.body.dump(), HasSubstr("model, key or token"));
  EXPECT_EQ(api.Handle(Get({{"limit", "0"}})).status, 400);
  EXPECT_EQ(api.Handle(Get({{"since", "forever"}})).status, 400);
  EXPECT_TRUE(backend.usage_queries.empty());
}

}  // namespace
}  // namespace gempool::gateway::admin
