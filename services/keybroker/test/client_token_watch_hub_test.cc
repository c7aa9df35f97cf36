// The token hub's coalescing: a watcher that is busy (its stream blocked)
// while tokens and counters change many times is sent one update with the
// latest of each, never the backlog.
#include "client_token_watch_hub.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/mutex.h"

namespace gempool::keybroker {
namespace {

using ::testing::ElementsAre;

constexpr int64_t kHubMinute = 1'800'000'000'000;  // A UTC minute's start.

v1::ClientToken Token(int64_t id, int64_t updated_at_ms, const std::string& name) {
  v1::ClientToken token;
  token.set_id(id);
  token.set_name(name);
  token.set_token_id("tok" + std::to_string(id));
  token.set_updated_at_ms(updated_at_ms);
  return token;
}

v1::ReportTokenUsageRequest Requests(const std::string& token_id, int64_t requests) {
  v1::ReportTokenUsageRequest report;
  v1::TokenUsageDelta* delta = report.add_deltas();
  delta->set_token_id(token_id);
  delta->set_minute_start_ms(kHubMinute);
  delta->set_requests(requests);
  return report;
}

// Records what is written; the first Write (the snapshot) waits until
// released, as a slow client's stream would.
class BlockingWriter final : public grpc::ServerWriterInterface<v1::ClientTokenUpdate> {
 public:
  void SendInitialMetadata() override {}
  bool Write(const v1::ClientTokenUpdate& update, grpc::WriteOptions) override ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    written_.push_back(update);
    changed_.SignalAll();
    if (written_.size() == 1) {
      while (!released_) changed_.Wait(&mu_);
    }
    return true;
  }
  void Release() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    released_ = true;
    changed_.SignalAll();
  }
  // Waits until `n` updates were written; false after 5 s.
  bool WaitForWrites(size_t n) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (written_.size() < n && !changed_.WaitWithDeadline(&mu_, deadline)) {
    }
    return written_.size() >= n;
  }
  std::vector<v1::ClientTokenUpdate> written() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return written_;
  }

 private:
  Mutex mu_;
  // Signalled when released_ or written_ changes.
  CondVar changed_;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<v1::ClientTokenUpdate> written_ ABSL_GUARDED_BY(mu_);
};

TEST(ClientTokenPendingTest, KeepsTheLatestOfEachAndARemovalCancelsTheRecord) {
  ClientTokenPending pending;
  EXPECT_TRUE(pending.empty());
  v1::ClientTokenUpdate first;
  *first.add_tokens() = Token(1, 1, "old");
  *first.add_tokens() = Token(2, 1, "two");
  first.add_counters()->set_token_id("tok1");
  pending.Add(first);
  v1::ClientTokenUpdate second;
  *second.add_tokens() = Token(1, 2, "new");
  second.add_removed_ids(2);
  v1::TokenCounter* counter = second.add_counters();
  counter->set_token_id("tok1");
  counter->set_requests(5);
  pending.Add(second);

  const v1::ClientTokenUpdate update = pending.Take();
  EXPECT_TRUE(pending.empty()) << "taken";
  ASSERT_EQ(update.tokens_size(), 1);
  EXPECT_EQ(update.tokens(0).name(), "new");
  EXPECT_THAT(update.removed_ids(), ElementsAre(2));
  ASSERT_EQ(update.counters_size(), 1);
  EXPECT_EQ(update.counters(0).requests(), 5);
}

TEST(ClientTokenWatchHubTest, ABusyWatcherGetsOneCoalescedUpdate) {
  ClientTokenRegistry registry(absl::UTCTimeZone());
  registry.Load({Token(1, 1, "one"), Token(2, 1, "two")});
  ClientTokenWatchHub hub(registry);  // Not started: the test drains.
  BlockingWriter writer;
  grpc::ServerContext context;
  std::thread serving([&] { hub.Serve(&context, &writer, "test"); });
  ASSERT_TRUE(writer.WaitForWrites(1)) << "no snapshot";

  // Meanwhile: a token renamed twice, one deleted, a counter moved thrice.
  registry.Upsert(Token(1, 2, "renamed"));
  hub.DrainOnce();
  registry.Upsert(Token(1, 3, "renamed again"));
  registry.Remove(2);
  for (int i = 0; i < 3; ++i) {
    registry.AddUsage(Requests("tok1", 1));
    hub.DrainOnce();
  }
  writer.Release();
  ASSERT_TRUE(writer.WaitForWrites(2));
  hub.Stop();
  serving.join();

  const std::vector<v1::ClientTokenUpdate> written = writer.written();
  ASSERT_EQ(written.size(), 2u) << "the snapshot and one update, not the backlog";
  EXPECT_TRUE(written[0].snapshot());
  const v1::ClientTokenUpdate& update = written[1];
  EXPECT_FALSE(update.snapshot());
  ASSERT_EQ(update.tokens_size(), 1);
  EXPECT_EQ(update.tokens(0).name(), "renamed again");
  EXPECT_THAT(update.removed_ids(), ElementsAre(2));
  ASSERT_EQ(update.counters_size(), 1);
  EXPECT_EQ(update.counters(0).token_id(), "tok1");
  EXPECT_EQ(update.counters(0).requests(), 3);
}

}  // namespace
}  // namespace gempool::keybroker
