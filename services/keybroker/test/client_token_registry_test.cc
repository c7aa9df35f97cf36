#include "client_token_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::keybroker {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr int64_t kMinute = 1'800'000'000'000;  // A UTC minute's start (2027-01-15 08:00 UTC).

v1::ClientToken Token(int64_t id, const std::string& token_id, int64_t updated_at_ms = 1) {
  v1::ClientToken token;
  token.set_id(id);
  token.set_name("t" + std::to_string(id));
  token.set_token_id(token_id);
  token.set_updated_at_ms(updated_at_ms);
  return token;
}

v1::ReportTokenUsageRequest Report(const std::string& token_id, int64_t minute, int64_t requests, int64_t tokens,
                                   int64_t finished_at_ms) {
  v1::ReportTokenUsageRequest report;
  v1::TokenUsageDelta* delta = report.add_deltas();
  delta->set_token_id(token_id);
  delta->set_minute_start_ms(minute);
  delta->set_requests(requests);
  delta->set_tokens(tokens);
  delta->set_finished_at_ms(finished_at_ms);
  return report;
}

TEST(ClientTokenRegistryTest, LoadFeedsNoChangesAndUpsertDoes) {
  ClientTokenRegistry registry(absl::UTCTimeZone());
  registry.Load({Token(1, "aaa")});
  const v1::ClientTokenUpdate loaded = registry.TakeChanges();
  EXPECT_EQ(loaded.tokens_size(), 0);
  EXPECT_EQ(loaded.removed_ids_size(), 0);
  EXPECT_EQ(loaded.counters_size(), 0);
  registry.Upsert(Token(2, "bbb"));
  const v1::ClientTokenUpdate update = registry.TakeChanges();
  ASSERT_EQ(update.tokens_size(), 1);
  EXPECT_EQ(update.tokens(0).id(), 2);
  EXPECT_EQ(update.removed_ids_size(), 0);
  EXPECT_EQ(registry.TakeChanges().tokens_size(), 0) << "taken once";
  EXPECT_THAT(registry.List(), SizeIs(2));
  EXPECT_EQ(registry.FindByName("t2"), 2);
}

TEST(ClientTokenRegistryTest, OlderRecordDoesNotReplaceNewer) {
  ClientTokenRegistry registry(absl::UTCTimeZone());
  registry.Upsert(Token(1, "aaa", 10));
  v1::ClientToken older = Token(1, "aaa", 5);
  older.set_disabled(true);
  registry.Upsert(older);
  EXPECT_FALSE(registry.Find(1)->disabled());
}

TEST(ClientTokenRegistryTest, CountersAddUpPerWindowAndFeedMovedOnes) {
  ClientTokenRegistry registry(absl::UTCTimeZone());
  registry.Load({Token(1, "aaa"), Token(2, "bbb")});
  registry.AddUsage(Report("aaa", kMinute, 2, 100, kMinute + 5));
  registry.AddUsage(Report("aaa", kMinute, 1, 50, kMinute + 6));
  registry.AddUsage(Report("unknown", kMinute, 7, 7, kMinute));  // Deleted meanwhile: ignored.
  const v1::ClientTokenUpdate update = registry.TakeChanges();
  ASSERT_EQ(update.counters_size(), 1);
  EXPECT_EQ(update.counters(0).token_id(), "aaa");
  EXPECT_EQ(update.counters(0).minute_start_ms(), kMinute);
  EXPECT_EQ(update.counters(0).requests(), 3);
  EXPECT_EQ(update.counters(0).tokens(), 150);
  EXPECT_EQ(update.counters(0).day_start_ms(), kMinute - 8 * 3'600'000LL);  // 00:00 UTC that day.
  // A new minute starts from zero; the day goes on.
  registry.AddUsage(Report("aaa", kMinute + 60'000, 1, 10, kMinute + 60'001));
  const v1::ClientTokenUpdate next = registry.TakeChanges();
  ASSERT_EQ(next.counters_size(), 1);
  EXPECT_EQ(next.counters(0).requests(), 1);
  EXPECT_EQ(next.counters(0).tokens(), 160);
  EXPECT_THAT(registry.TakeChanges().counters(), IsEmpty());
}

TEST(ClientTokenRegistryTest, RemoveDropsCounterAndFeedsTheId) {
  ClientTokenRegistry registry(absl::UTCTimeZone());
  registry.Load({Token(1, "aaa")});
  registry.AddUsage(Report("aaa", kMinute, 1, 0, kMinute));
  EXPECT_TRUE(registry.Remove(1));
  EXPECT_FALSE(registry.Remove(1));
  const v1::ClientTokenUpdate update = registry.TakeChanges();
  EXPECT_THAT(update.removed_ids(), ElementsAre(1));
  EXPECT_THAT(update.counters(), IsEmpty());
  EXPECT_THAT(registry.Counters(), IsEmpty());
}

TEST(ClientTokenRegistryTest, SeededDayTokensCountOnTheirDay) {
  ClientTokenRegistry registry(absl::UTCTimeZone());
  registry.Load({Token(1, "aaa")});
  const int64_t day = kMinute - 8 * 3'600'000LL;
  registry.SeedDayTokens({{"aaa", 900}}, day);
  registry.AddUsage(Report("aaa", kMinute, 0, 100, kMinute));
  ASSERT_THAT(registry.Counters(), SizeIs(1));
  EXPECT_EQ(registry.Counters()[0].tokens(), 1000);
}

}  // namespace
}  // namespace gempool::keybroker
