// The two replicas (key pool, client tokens) under concurrent use while their
// stream delivers snapshots, changes and reconnects, fed without a gRPC
// server: a stub whose WatchKeys / WatchClientTokens hand out readers of an
// in-memory feed. ThreadSanitizer runs these (scripts/test-sanitize.sh): it
// cannot see the hand-overs inside Debian's uninstrumented gRPC, so the
// gRPC-fed suites (key_pool_replica_test.cc, client_token_replica_test.cc)
// would report gRPC's own buffer reuse; here every thread hand-over is ours.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gempool/common/mutex.h"
#include "gempool/common/secrets.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/subprocess.h"
#include "gempool/v1/keybroker_mock.grpc.pb.h"
#include "pool/key_pool_replica.h"
#include "tokens/client_token_replica.h"
#include "tokens/token_usage_reporter.h"
#include "replica_test_keys.h"

namespace gempool::gateway {
namespace {

// How long a test waits for what the replica's thread does next.
constexpr int kWaitMs = 10'000;

using ::testing::_;
using ::testing::NiceMock;

// What a broker would stream, pushed by the test. EndStream() ends the
// stream being read (the replica reconnects and gets a new one); Shutdown()
// ends every read for good (before the replica is stopped: a fake reader
// cannot see the ClientContext being cancelled).
template <typename Update>
class Feed {
 public:
  void Push(Update update) {
    MutexLock lock(&mu_);
    queue_.push_back(std::move(update));
    changed_.SignalAll();
  }
  void EndStream() {
    MutexLock lock(&mu_);
    ++generation_;
    queue_.clear();
    changed_.SignalAll();
  }
  void Shutdown() {
    MutexLock lock(&mu_);
    shutdown_ = true;
    changed_.SignalAll();
  }
  int opened() {
    MutexLock lock(&mu_);
    return opened_;
  }

  // A reader of the stream as it is from now on.
  grpc::ClientReaderInterface<Update>* Open() {
    MutexLock lock(&mu_);
    ++opened_;
    return new Reader(this, generation_);
  }

 private:
  class Reader final : public grpc::ClientReaderInterface<Update> {
   public:
    Reader(Feed* feed, int generation) : feed_(feed), generation_(generation) {}
    grpc::Status Finish() override { return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the feed ended the stream"); }
    bool NextMessageSize(uint32_t* size) override {
      *size = UINT32_MAX;
      return true;
    }
    bool Read(Update* update) override { return feed_->Next(generation_, update); }
    void WaitForInitialMetadata() override {}

   private:
    Feed* const feed_;
    const int generation_;
  };

  bool Next(int generation, Update* update) {
    MutexLock lock(&mu_);
    while (!shutdown_ && generation == generation_ && queue_.empty()) changed_.Wait(&mu_);
    if (shutdown_ || generation != generation_) return false;
    *update = std::move(queue_.front());
    queue_.pop_front();
    return true;
  }

  Mutex mu_;
  CondVar changed_;
  std::deque<Update> queue_ ABSL_GUARDED_BY(mu_);
  int generation_ ABSL_GUARDED_BY(mu_) = 0;
  int opened_ ABSL_GUARDED_BY(mu_) = 0;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
};

// A snapshot of keys 1..count, `page` keys a message; key `only_active`
// active and the others disabled when it is set.
std::vector<v1::KeyPoolUpdate> SnapshotPages(int count, int page, int64_t only_active = 0) {
  std::vector<v1::KeyPoolUpdate> pages;
  for (int first = 1; first <= count; first += page) {
    v1::KeyPoolUpdate update;
    update.set_snapshot(true);
    update.mutable_settings()->set_max_failures(3);
    for (int id = first; id < first + page && id <= count; ++id) {
      const bool active = only_active == 0 || id == only_active;
      *update.add_keys() = ReplicaKey(id, active ? v1::KEY_STATE_ACTIVE : v1::KEY_STATE_DISABLED);
    }
    pages.push_back(std::move(update));
  }
  pages.back().set_snapshot_complete(true);
  return pages;
}

TEST(ReplicaFeedTest, KeyPoolReplicaServesCallersWhileSnapshotsChangesAndReconnectsArrive) {
  auto feed = std::make_shared<Feed<v1::KeyPoolUpdate>>();
  auto stub = std::make_unique<NiceMock<v1::MockKeyBrokerStub>>();
  ON_CALL(*stub, WatchKeysRaw(_, _)).WillByDefault([feed](grpc::ClientContext*, const v1::WatchKeysRequest&) {
    return feed->Open();
  });
  gempool::testing::FakeClock clock;
  KeyPoolReplica::Options options;
  options.reconnect_initial_ms = 1;
  options.reconnect_max_ms = 5;
  options.watcher = "feed-test";
  KeyPoolReplica replica(std::move(stub), "feed", clock, options);
  for (v1::KeyPoolUpdate& page : SnapshotPages(40, 7)) feed->Push(std::move(page));
  replica.Start();
  ASSERT_TRUE(replica.WaitUntilSynced(10'000));

  // Request threads hand keys out and apply their outcomes while the stream
  // moves on under them.
  std::atomic<bool> done{false};
  std::atomic<int64_t> served{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      int64_t n = 0;
      while (!done.load()) {
        std::optional<v1::AcquireKeyResponse> got = replica.Acquire("gemini-2.5-flash", {});
        if (!got.has_value() || !got->available()) continue;
        v1::ReportOutcomeRequest report;
        report.set_key_id(got->key_id());
        report.set_model("gemini-2.5-flash");
        report.set_kind(++n % 10 == 0 ? v1::OUTCOME_KIND_RATE_LIMITED : v1::OUTCOME_KIND_SUCCESS);
        report.set_http_status(n % 10 == 0 ? 429 : 200);
        report.set_retry_delay_ms(n % 10 == 0 ? 1000 : 0);
        replica.Apply(report);
        served.fetch_add(1);
        if (t == 0 && n % 50 == 0) replica.Counts();  // A metrics scrape.
      }
    });
  }
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 20; ++i) {
      v1::KeyPoolUpdate change;
      const v1::KeyState state = i % 3 == 0 ? v1::KEY_STATE_COOLING : v1::KEY_STATE_ACTIVE;
      *change.add_keys() = ReplicaKey(1 + (round * 20 + i) % 40, state);
      feed->Push(std::move(change));
    }
    if (round % 5 == 4) {
      // The broker restarts: the replica reconnects and gets a new snapshot.
      const int opened = feed->opened();
      feed->EndStream();
      EXPECT_TRUE(gempool::testing::WaitFor([&] { return feed->opened() > opened; }, kWaitMs))
          << "no reconnect after round " << round;
    }
    for (v1::KeyPoolUpdate& page : SnapshotPages(40, 7)) feed->Push(std::move(page));
  }
  // Time moves on, so the keys the callers' own 429s cooled come back.
  EXPECT_TRUE(gempool::testing::WaitFor([&] {
    clock.AdvanceMs(100);
    return served.load() >= 1000;
  }, kWaitMs)) << served.load() << " keys served";
  done = true;
  for (std::thread& caller : callers) caller.join();

  // The broker's last word, once this gateway's own reports are older than
  // the replica keeps them (10 s): only key 17 is active.
  clock.AdvanceMs(20'000);
  for (v1::KeyPoolUpdate& page : SnapshotPages(40, 7, /*only_active=*/17)) feed->Push(std::move(page));
  const auto active_gemini_keys = [&] {
    for (const KeyPoolReplica::PoolCounts& pool : replica.Counts()) {
      if (pool.pool == keypool::Pool::kGemini) return pool.counts.active;
    }
    return -1;
  };
  EXPECT_TRUE(gempool::testing::WaitFor([&] {
    clock.AdvanceMs(100);  // Cooldowns the replica re-applied on top of the snapshot run out.
    std::optional<v1::AcquireKeyResponse> got = replica.Acquire("gemini-2.5-flash", {});
    return got.has_value() && got->available() && got->key_id() == 17 && active_gemini_keys() == 1;
  }, kWaitMs));
  EXPECT_GE(feed->opened(), 5);  // The first stream and one after each EndStream.
  feed->Shutdown();
  replica.Stop();
}

constexpr char kFeedSecret[] = "gp-feedfeedfeedfeedfeedfeedfeedfeedfeedfe";

v1::ClientTokenUpdate TokenSnapshot(int rpm, int64_t requests_counted) {
  v1::ClientToken token;
  token.set_id(1);
  token.set_name("laptop");
  token.set_secret_sha256(Sha256Hex(kFeedSecret));
  token.set_token_id(token.secret_sha256().substr(0, 12));
  token.mutable_limits()->set_requests_per_minute(rpm);
  v1::ClientTokenUpdate update;
  update.set_snapshot(true);
  update.set_snapshot_complete(true);
  *update.add_tokens() = token;
  v1::TokenCounter* counter = update.add_counters();
  counter->set_token_id(token.token_id());
  counter->set_minute_start_ms(1'800'000'000'000);
  counter->set_requests(requests_counted);
  counter->set_day_start_ms(1'800'000'000'000 - 8 * 3'600'000LL);
  return update;
}

TEST(ReplicaFeedTest, ClientTokenReplicaAdmitsCountsAndReportsWhileTheStreamMovesOn) {
  auto feed = std::make_shared<Feed<v1::ClientTokenUpdate>>();
  auto stub = std::make_unique<NiceMock<v1::MockKeyBrokerStub>>();
  ON_CALL(*stub, WatchClientTokensRaw(_, _))
      .WillByDefault([feed](grpc::ClientContext*, const v1::WatchClientTokensRequest&) { return feed->Open(); });
  gempool::testing::FakeClock clock(1'800'000'010'000);
  ClientTokenReplica::Options options;
  options.reconnect_initial_ms = 1;
  options.reconnect_max_ms = 5;
  ClientTokenReplica replica(std::move(stub), "feed", clock, absl::UTCTimeZone(), options);
  feed->Push(TokenSnapshot(/*rpm=*/1'000'000, 0));
  replica.Start();
  ASSERT_TRUE(replica.WaitUntilSynced(10'000));

  std::atomic<bool> done{false};
  std::atomic<int64_t> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      while (!done.load()) {
        const ClientTokenReplica::Admission admission = replica.Admit(kFeedSecret);
        if (admission.kind != ClientTokenReplica::Admission::Kind::kAdmitted) continue;
        replica.CheckModel(admission.token_id, "gemini-2.5-flash");
        replica.RecordTokens(admission.token_id, clock.NowUnixMs(), 10);
        admitted.fetch_add(1);
      }
    });
  }
  // The usage reporter, whose every third send gets no answer (the batch
  // stays in flight and goes again).
  int sends = 0;  // The reporter thread's.
  TokenUsageReporter reporter(
      replica,
      [&sends](const v1::ReportTokenUsageRequest&) {
        return ++sends % 3 == 0 ? absl::UnavailableError("no answer") : absl::OkStatus();
      },
      TokenUsageReporter::Options());
  threads.emplace_back([&] {
    while (!done.load()) reporter.ReportOnce();
  });
  for (int round = 0; round < 30; ++round) {
    feed->Push(TokenSnapshot(1'000'000, round * 10));
    if (round % 10 == 9) {
      const int opened = feed->opened();
      feed->EndStream();
      EXPECT_TRUE(gempool::testing::WaitFor([&] { return feed->opened() > opened; }, kWaitMs))
          << "no reconnect after round " << round;
    }
  }
  EXPECT_TRUE(gempool::testing::WaitFor([&] { return admitted.load() >= 1000; }, kWaitMs))
      << admitted.load() << " admitted";

  // A limit of one request a minute already used up by other gateways:
  // every caller is refused from then on.
  feed->Push(TokenSnapshot(/*rpm=*/1, /*requests_counted=*/1));
  EXPECT_TRUE(gempool::testing::WaitFor([&] {
    return replica.Admit(kFeedSecret).kind == ClientTokenReplica::Admission::Kind::kLimited;
  }, kWaitMs));
  done = true;
  for (std::thread& thread : threads) thread.join();
  EXPECT_GE(feed->opened(), 4);
  feed->Shutdown();
  replica.Stop();
}

}  // namespace
}  // namespace gempool::gateway
