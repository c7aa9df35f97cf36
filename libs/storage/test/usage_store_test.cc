// The Store's hourly token usage (WriteRequestLogs adds to it, QueryUsage
// sums it, log retention leaves it alone), against every backend: SQLite
// (a temporary file, always) and MariaDB/MySQL (a throwaway database, when
// configured; see test_database.h).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "gempool/storage/soci_store.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/status_matchers.h"
#include "test_database.h"
#include "usage_hourly.h"

namespace gempool::storage {
namespace {

using ::gempool::storage::testing::StoreTest;
using ::gempool::storage::testing::TestDatabase;
using ::gempool::testing::IsOk;
using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;

constexpr int64_t kHour = 3'600'000;
constexpr int64_t kDay = 24 * kHour;
// 2023-11-14 00:00:00 UTC.
constexpr int64_t kDay0 = 1'699'920'000'000;

class UsageStoreTest : public StoreTest {
 protected:
  UsageStoreTest() : StoreTest(kDay0 + 3 * kDay) {}

  // A call with prompt p, candidates c, thoughts t, cached k; total p+c+t.
  static v1::RequestLogEntry Call(int64_t time_ms, int64_t key_id, const std::string& model, const std::string& token,
                                  int status, int64_t p, int64_t c, int64_t t = 0, int64_t k = 0) {
    v1::RequestLogEntry e;
    e.set_time_ms(time_ms);
    e.set_key_id(key_id);
    e.set_model(model);
    e.set_client_token_id(token);
    e.set_operation("generateContent");
    e.set_status_code(status);
    v1::TokenUsage* u = e.mutable_usage();
    u->set_prompt_tokens(p);
    u->set_candidates_tokens(c);
    u->set_thoughts_tokens(t);
    u->set_cached_tokens(k);
    u->set_total_tokens(p + c + t);
    return e;
  }

  long long CountRows(const std::string& table) {
    long long n = 0;
    *db_->Connect() << "SELECT COUNT(*) FROM " + table, soci::into(n);
    return n;
  }
};

TEST(HourStartMsTest, RoundsDownToTheUtcHour) {
  EXPECT_EQ(HourStartMs(kDay0 + kHour + 59 * 60 * 1000 + 999), kDay0 + kHour);
  EXPECT_EQ(HourStartMs(kDay0), kDay0);
  EXPECT_EQ(HourStartMs(-5), 0);
}

TEST_P(UsageStoreTest, BatchesAreSummedPerHourKeyModelAndToken) {
  ASSERT_THAT(store_->WriteRequestLogs({
                  Call(kDay0 + 10, 1, "gemini-2.5-flash", "tokA", 200, 10, 20, 5, 2),
                  Call(kDay0 + 20, 1, "gemini-2.5-flash", "tokA", 200, 1, 2, 0, 0),
                  Call(kDay0 + 30, 2, "gemini-2.5-flash", "tokA", 429, 0, 0),
                  Call(kDay0 + kHour + 1, 1, "gemini-2.5-pro", "tokB", 200, 100, 200),
              }),
              IsOk());
  // A second batch adds to the same hourly row (the upsert).
  ASSERT_THAT(store_->WriteRequestLogs({Call(kDay0 + 40, 1, "gemini-2.5-flash", "tokA", 500, 3, 4)}), IsOk());
  EXPECT_EQ(CountRows("gempool_usage_hourly"), 3);

  v1::UsageQuery query;
  query.set_since_ms(kDay0);
  query.set_group_by(v1::USAGE_GROUP_BY_KEY);
  auto report = store_->QueryUsage(query);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->total().requests(), 5);
  EXPECT_EQ(report->total().failures(), 2);
  EXPECT_EQ(report->total().usage().prompt_tokens(), 114);
  EXPECT_EQ(report->total().usage().candidates_tokens(), 226);
  EXPECT_EQ(report->total().usage().thoughts_tokens(), 5);
  EXPECT_EQ(report->total().usage().cached_tokens(), 2);
  EXPECT_EQ(report->total().usage().total_tokens(), 345);
  ASSERT_EQ(report->groups_size(), 2);
  EXPECT_EQ(report->groups(0).group(), "1");
  EXPECT_EQ(report->groups(0).count().requests(), 4);
  EXPECT_EQ(report->groups(0).count().usage().total_tokens(), 345);
  EXPECT_EQ(report->groups(1).group(), "2");
  EXPECT_EQ(report->groups(1).count().failures(), 1);
  EXPECT_EQ(report->other_groups(), 0);

  query.set_group_by(v1::USAGE_GROUP_BY_TOKEN);
  query.set_model("gemini-2.5-flash");
  report = store_->QueryUsage(query);
  ASSERT_THAT(report, IsOk());
  ASSERT_EQ(report->groups_size(), 1);
  EXPECT_EQ(report->groups(0).group(), "tokA");
  EXPECT_EQ(report->groups(0).count().usage().prompt_tokens(), 14);
  EXPECT_EQ(report->total().requests(), 4);
}

TEST_P(UsageStoreTest, DaysAreCutWhereTheCallerSaysAndGroupsAreLimited) {
  // Days starting at 22:00 UTC (a UTC+2 zone): an hour at 23:00 UTC belongs
  // to the next local day.
  const int64_t d0 = kDay0 - 2 * kHour, d1 = d0 + kDay, d2 = d1 + kDay;
  ASSERT_THAT(store_->WriteRequestLogs({
                  Call(kDay0 + 5 * kHour, 1, "m1", "", 200, 1, 1),          // day 0
                  Call(d1 + kHour, 1, "m2", "", 200, 10, 10),                // day 1 (23:00 UTC)
                  Call(d1 + 2 * kHour, 1, "m3", "", 200, 100, 100),          // day 1
                  Call(d2 + kHour, 1, "m3", "", 200, 1000, 1000),            // day 2
                  Call(d0 - kHour, 1, "m4", "", 200, 7, 7),                  // before the window
              }),
              IsOk());
  v1::UsageQuery query;
  query.set_since_ms(d0);
  query.add_day_starts_ms(d0);
  query.add_day_starts_ms(d1);
  query.add_day_starts_ms(d2);
  query.set_limit(2);
  auto report = store_->QueryUsage(query);  // Grouped by model (the default).
  ASSERT_THAT(report, IsOk());
  ASSERT_EQ(report->days_size(), 3);
  EXPECT_EQ(report->days(0).start_ms(), d0);
  EXPECT_EQ(report->days(0).count().usage().total_tokens(), 2);
  EXPECT_EQ(report->days(1).count().usage().total_tokens(), 220);
  EXPECT_EQ(report->days(1).count().requests(), 2);
  EXPECT_EQ(report->days(2).count().usage().total_tokens(), 2000);
  EXPECT_EQ(report->total().usage().total_tokens(), 2222);
  ASSERT_EQ(report->groups_size(), 2);
  EXPECT_EQ(report->groups(0).group(), "m3");
  EXPECT_EQ(report->groups(1).group(), "m2");
  EXPECT_EQ(report->other_groups(), 1);

  // until_ms is exclusive; the hour of since_ms counts from its start.
  query.clear_day_starts_ms();
  query.set_since_ms(d1 + kHour + 5);
  query.set_until_ms(d2);
  report = store_->QueryUsage(query);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->total().usage().total_tokens(), 220);
}

TEST_P(UsageStoreTest, LogRetentionNeverDeletesUsage) {
  ASSERT_THAT(store_->WriteRequestLogs({Call(kDay0, 1, "m", "t", 200, 5, 6),
                                        Call(kDay0 + 2 * kDay, 1, "m", "t", 200, 1, 1)}),
              IsOk());
  v1::DeleteLogsRequest older;
  older.set_table(v1::LOG_TABLE_REQUEST);
  older.set_before_ms(kDay0 + kDay);
  ASSERT_THAT(store_->DeleteLogs(older), IsOk());
  v1::DeleteLogsRequest all;
  all.set_table(v1::LOG_TABLE_REQUEST);
  all.set_all(true);
  ASSERT_THAT(store_->DeleteLogs(all), IsOk());
  EXPECT_EQ(CountRows("gempool_request_log"), 0);
  EXPECT_EQ(CountRows("gempool_usage_hourly"), 2);

  v1::UsageQuery query;
  query.set_since_ms(kDay0);
  auto report = store_->QueryUsage(query);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->total().usage().total_tokens(), 13);
  EXPECT_EQ(report->total().requests(), 2);
}

TEST_P(UsageStoreTest, AnEmptyWindowIsZeros) {
  v1::UsageQuery query;
  query.set_since_ms(kDay0);
  query.add_day_starts_ms(kDay0);
  auto report = store_->QueryUsage(query);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->total().requests(), 0);
  ASSERT_EQ(report->days_size(), 1);
  EXPECT_EQ(report->days(0).count().usage().total_tokens(), 0);
  EXPECT_EQ(report->groups_size(), 0);
}

TEST_P(UsageStoreTest, RefusesBadQueriesSayingWhatToChange) {
  v1::UsageQuery q;
  q.set_since_ms(kDay0);
  q.set_until_ms(kDay0);
  EXPECT_THAT(store_->QueryUsage(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("since_ms < until_ms")));
  q.set_until_ms(0);
  q.set_since_ms(kDay0 + 4 * kDay);  // After now.
  EXPECT_THAT(store_->QueryUsage(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("until_ms 0 means now")));
  q.set_since_ms(kDay0 - 500 * kDay);
  EXPECT_THAT(store_->QueryUsage(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("400 days")));
  q.set_since_ms(kDay0);
  q.add_day_starts_ms(kDay0 + kDay);
  q.add_day_starts_ms(kDay0 + kDay);
  EXPECT_THAT(store_->QueryUsage(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ascending")));
  q.clear_day_starts_ms();
  q.add_day_starts_ms(kDay0 - kDay);
  EXPECT_THAT(store_->QueryUsage(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("day 0")));
  q.clear_day_starts_ms();
  q.set_limit(1001);
  EXPECT_THAT(store_->QueryUsage(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1 to 1000")));
  q.set_limit(0);
  q.set_group_by(static_cast<v1::UsageGroupBy>(9));
  EXPECT_THAT(store_->QueryUsage(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("KEY, MODEL or TOKEN")));
}

GEMPOOL_INSTANTIATE_STORE_TESTS(UsageStoreTest);

}  // namespace
}  // namespace gempool::storage
