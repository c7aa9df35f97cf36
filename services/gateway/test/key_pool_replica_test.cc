// The gateway's replica of the key pool against a scripted WatchKeys stream
// over real gRPC: it hands keys out as the broker would, applies this
// gateway's outcomes at once, follows the broker's updates, and keeps
// serving when the stream breaks.
#include "pool/key_pool_replica.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>

#include "absl/strings/str_cat.h"
#include "gempool/common/mutex.h"
#include "gempool/keypool/proxy_for_key.h"
#include "gempool/rpc/channel.h"
#include "gempool/rpc/server.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/subprocess.h"
#include "replica_test_keys.h"

namespace gempool::gateway {
namespace {

using ::testing::HasSubstr;

// WatchKeys sends what the test queues; the stream ends when told to.
class ScriptedBroker final : public v1::KeyBroker::Service {
 public:
  void Send(v1::KeyPoolUpdate update) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    queue_.push_back(std::move(update));
    changed_.SignalAll();
  }
  // Ends the current stream with `status`.
  void EndStream(grpc::Status status) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    end_ = status;
    changed_.SignalAll();
  }
  int streams() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return streams_;
  }

  grpc::Status WatchKeys(grpc::ServerContext* context, const v1::WatchKeysRequest*,
                         grpc::ServerWriter<v1::KeyPoolUpdate>* writer) override ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    ++streams_;
    while (true) {
      // Wakes now and then to notice a replica that went away.
      const absl::Time deadline = absl::Now() + absl::Milliseconds(50);
      while (queue_.empty() && !end_.has_value()) {
        if (changed_.WaitWithDeadline(&mu_, deadline)) break;
      }
      if (context->IsCancelled()) return grpc::Status::CANCELLED;
      if (end_.has_value()) {
        grpc::Status status = *end_;
        end_.reset();
        return status;
      }
      while (!queue_.empty()) {
        v1::KeyPoolUpdate update = std::move(queue_.front());
        queue_.pop_front();
        mu_.Unlock();  // Not held while writing to the stream.
        writer->Write(update);
        mu_.Lock();
      }
    }
  }

 private:
  Mutex mu_;
  CondVar changed_;  // Signalled when queue_ or end_ changes.
  std::deque<v1::KeyPoolUpdate> queue_ ABSL_GUARDED_BY(mu_);
  std::optional<grpc::Status> end_ ABSL_GUARDED_BY(mu_);
  int streams_ ABSL_GUARDED_BY(mu_) = 0;
};


v1::KeyPoolUpdate Snapshot(std::vector<v1::KeyRecord> keys, std::string paid_key = "",
                           std::vector<std::string> proxies = {}) {
  v1::KeyPoolUpdate update;
  update.set_snapshot(true);
  update.set_snapshot_complete(true);
  update.mutable_settings()->set_max_failures(3);
  update.mutable_settings()->set_paid_key(paid_key);
  for (const std::string& proxy : proxies) update.mutable_settings()->add_proxies(proxy);
  for (v1::KeyRecord& key : keys) *update.add_keys() = std::move(key);
  return update;
}

// This gateway's own 429 for `key_id` on gemini-2.5-flash, 30 s retry delay.
v1::ReportOutcomeRequest RateLimitedFor30s(int64_t key_id) {
  v1::ReportOutcomeRequest limited;
  limited.set_key_id(key_id);
  limited.set_model("gemini-2.5-flash");
  limited.set_kind(v1::OUTCOME_KIND_RATE_LIMITED);
  limited.set_http_status(429);
  limited.set_retry_delay_ms(30'000);
  return limited;
}

class KeyPoolReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = rpc::StartServer("scripted broker", "127.0.0.1:0", {&broker_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    KeyPoolReplica::Options options;
    options.reconnect_initial_ms = 20;
    options.reconnect_max_ms = 50;
    options.watcher = "test";
    const std::string address = absl::StrCat("127.0.0.1:", server_.port);
    replica_ = std::make_unique<KeyPoolReplica>(rpc::MakeChannel(address), address, clock_, options);
    replica_->Start();
  }
  void TearDown() override {
    replica_->Stop();
    server_.server->Shutdown();
  }

  int64_t AcquireId(const std::string& model = "gemini-2.5-flash", std::vector<int64_t> exclude = {}) {
    std::optional<v1::AcquireKeyResponse> got = replica_->Acquire(model, exclude);
    EXPECT_TRUE(got.has_value());
    if (!got.has_value()) return 0;
    EXPECT_TRUE(got->available()) << got->unavailable_reason();
    return got->key_id();
  }

  ScriptedBroker broker_;
  rpc::RunningServer server_;
  gempool::testing::FakeClock clock_{1'750'000'000'000};
  std::unique_ptr<KeyPoolReplica> replica_;
};

TEST_F(KeyPoolReplicaTest, AnswersNothingUntilTheSnapshotThenRotates) {
  EXPECT_FALSE(replica_->Acquire("gemini-2.5-flash", {}).has_value()) << "no snapshot yet: ask the broker";
  broker_.Send(Snapshot({ReplicaKey(1), ReplicaKey(2), ReplicaKey(3, v1::KEY_STATE_DISABLED)}));
  ASSERT_TRUE(replica_->WaitUntilSynced(5000));
  std::vector<int64_t> got;
  for (int i = 0; i < 4; ++i) got.push_back(AcquireId());
  EXPECT_THAT(got, ::testing::ElementsAre(1, 2, 1, 2)) << "the disabled key is never handed out";
  EXPECT_EQ(AcquireId("gemini-2.5-flash", {1}), 2) << "retries exclude keys already tried";
}

TEST_F(KeyPoolReplicaTest, ASnapshotInPagesIsOnlyUsedWhenComplete) {
  v1::KeyPoolUpdate first = Snapshot({ReplicaKey(1)});
  first.set_snapshot_complete(false);
  broker_.Send(first);
  v1::KeyPoolUpdate second;
  second.set_snapshot(true);
  second.set_snapshot_complete(true);
  *second.add_keys() = ReplicaKey(2);
  ASSERT_TRUE(gempool::testing::WaitFor([&] { return replica_->snapshot_pages() == 1; }, 5000));
  EXPECT_FALSE(replica_->synced()) << "the first page alone is not a snapshot";
  broker_.Send(second);
  ASSERT_TRUE(replica_->WaitUntilSynced(5000));
  EXPECT_EQ(AcquireId(), 1);
  EXPECT_EQ(AcquireId(), 2);
}

// A new snapshot (the broker resyncs) is built page by page, sized by its
// hint, and does not undo this gateway's own recent 429 the broker had not
// seen when it took the snapshot.
TEST_F(KeyPoolReplicaTest, ANewSnapshotInPagesKeepsOwnReportsItPredates) {
  broker_.Send(Snapshot({ReplicaKey(1), ReplicaKey(2)}));
  ASSERT_TRUE(replica_->WaitUntilSynced(5000));
  replica_->Apply(RateLimitedFor30s(1));

  v1::KeyRecord stale = ReplicaKey(1);
  stale.set_updated_at_ms(clock_.NowUnixMs() - 1000);
  v1::KeyPoolUpdate first = Snapshot({stale, ReplicaKey(2)});
  first.set_snapshot_complete(false);
  first.set_snapshot_size(5);  // A hint only: the pool changed since it began.
  broker_.Send(first);
  v1::KeyPoolUpdate second;
  second.set_snapshot(true);
  second.set_snapshot_complete(true);
  *second.add_keys() = ReplicaKey(3);
  broker_.Send(second);
  ASSERT_TRUE(gempool::testing::WaitFor([&] { return replica_->snapshots() == 2; }, 5000));
  std::vector<int64_t> got;
  for (int i = 0; i < 4; ++i) got.push_back(AcquireId());
  EXPECT_THAT(got, ::testing::ElementsAre(2, 3, 2, 3)) << "key 1 still cools from this gateway's own 429";
}

TEST_F(KeyPoolReplicaTest, OwnOutcomesApplyAtOnceAndTheBrokersVerdictWins) {
  broker_.Send(Snapshot({ReplicaKey(1), ReplicaKey(2)}));
  ASSERT_TRUE(replica_->WaitUntilSynced(5000));
  v1::ReportOutcomeRequest invalid;
  invalid.set_key_id(1);
  invalid.set_model("gemini-2.5-flash");
  invalid.set_kind(v1::OUTCOME_KIND_KEY_INVALID);
  invalid.set_http_status(400);
  replica_->Apply(invalid);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(AcquireId(), 2) << "key 1 failed here a moment ago";

  // An admin resets key 1 at the broker, after the report: it comes back.
  v1::KeyPoolUpdate reset;
  clock_.AdvanceMs(5);
  v1::KeyRecord after = ReplicaKey(1);
  after.set_updated_at_ms(clock_.NowUnixMs());
  *reset.add_keys() = after;
  broker_.Send(reset);
  EXPECT_TRUE(gempool::testing::WaitFor([&] {
    int64_t a = AcquireId();
    int64_t b = AcquireId();
    return a == 1 || b == 1;
  }, 5000));
}

TEST_F(KeyPoolReplicaTest, FollowsRemovalsAndPerModelCooldowns) {
  broker_.Send(Snapshot({ReplicaKey(1), ReplicaKey(2)}));
  ASSERT_TRUE(replica_->WaitUntilSynced(5000));
  v1::KeyPoolUpdate update;
  v1::KeyRecord cooling = ReplicaKey(2);
  v1::ModelCooldown* cooldown = cooling.add_model_cooldowns();
  cooldown->set_model("gemini-2.5-pro");
  cooldown->set_until_ms(clock_.NowUnixMs() + 30'000);
  *update.add_keys() = cooling;
  broker_.Send(update);
  ASSERT_TRUE(gempool::testing::WaitFor([&] { return AcquireId("gemini-2.5-pro") == 1 && AcquireId("gemini-2.5-pro") == 1; }, 5000));
  std::set<int64_t> flash = {AcquireId(), AcquireId()};
  EXPECT_EQ(flash, (std::set<int64_t>{1, 2})) << "key 2 still serves other models";

  v1::KeyPoolUpdate removal;
  removal.add_removed_key_ids(1);
  broker_.Send(removal);
  ASSERT_TRUE(gempool::testing::WaitFor([&] { return AcquireId() == 2 && AcquireId() == 2; }, 5000));
  std::optional<v1::AcquireKeyResponse> none = replica_->Acquire("gemini-2.5-pro", {});
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->available());
  EXPECT_GT(none->retry_at_ms(), 0) << "says when key 2 frees up for gemini-2.5-pro";
}

TEST_F(KeyPoolReplicaTest, PaidKeyAndProxiesAsTheBrokerHandsThemOut) {
  const std::vector<std::string> proxies = {"http://p1:3128", "http://p2:3128"};
  broker_.Send(Snapshot({ReplicaKey(1)}, "AIzaPaidKey", proxies));
  ASSERT_TRUE(replica_->WaitUntilSynced(5000));
  std::optional<v1::AcquireKeyResponse> paid = replica_->Acquire("models/imagen-4.0-generate-001", {});
  ASSERT_TRUE(paid.has_value());
  EXPECT_EQ(paid->key_id(), -1);
  EXPECT_EQ(paid->secret(), "AIzaPaidKey");
  EXPECT_EQ(paid->proxy(), keypool::ProxyForKey(proxies, "AIzaPaidKey"));
  std::optional<v1::AcquireKeyResponse> pool = replica_->Acquire("gemini-2.5-flash", {});
  ASSERT_TRUE(pool.has_value());
  EXPECT_EQ(pool->proxy(), keypool::ProxyForKey(proxies, ReplicaKey(1).secret()));
  std::optional<v1::AcquireKeyResponse> again = replica_->Acquire("imagen-4.0-generate-001", {-1});
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->available());
  EXPECT_THAT(again->unavailable_reason(), HasSubstr("PAID_KEY"));
}

TEST_F(KeyPoolReplicaTest, ASettingsOnlyUpdateSwapsTheProxiesAndKeepsTheKeys) {
  const std::vector<std::string> proxies = {"http://p1:3128", "http://p2:3128"};
  broker_.Send(Snapshot({ReplicaKey(1), ReplicaKey(2)}, "", proxies));
  ASSERT_TRUE(replica_->WaitUntilSynced(5000));
  // This gateway's own failure of key 1: kept across the settings update
  // (a snapshot would have started over from the broker's picture).
  v1::ReportOutcomeRequest invalid;
  invalid.set_key_id(1);
  invalid.set_model("gemini-2.5-flash");
  invalid.set_kind(v1::OUTCOME_KIND_KEY_INVALID);
  invalid.set_http_status(400);
  replica_->Apply(invalid);
  const std::string home = keypool::ProxyForKey(proxies, ReplicaKey(2).secret());
  const std::string other = home == proxies[0] ? proxies[1] : proxies[0];

  v1::KeyPoolUpdate health;
  health.mutable_settings()->set_max_failures(3);
  for (const std::string& proxy : proxies) health.mutable_settings()->add_proxies(proxy);
  health.mutable_settings()->add_dead_proxies(home);
  broker_.Send(health);
  ASSERT_TRUE(gempool::testing::WaitFor([&] { return replica_->Acquire("gemini-2.5-flash", {})->proxy() == other; }, 5000))
      << "key 2's own proxy is dead: it goes through the live one";
  EXPECT_EQ(replica_->snapshots(), 1) << "no snapshot";
  for (int i = 0; i < 3; ++i) EXPECT_EQ(AcquireId(), 2) << "the replica kept its keys and its own reports";
}

TEST_F(KeyPoolReplicaTest, KeepsServingWhenTheStreamBreaksAndTakesTheNextSnapshot) {
  broker_.Send(Snapshot({ReplicaKey(1), ReplicaKey(2)}));
  ASSERT_TRUE(replica_->WaitUntilSynced(5000));
  broker_.EndStream(grpc::Status(grpc::StatusCode::UNAVAILABLE, "broker restarting"));
  ASSERT_TRUE(gempool::testing::WaitFor([&] { return broker_.streams() >= 2; }, 5000)) << "reconnects";
  EXPECT_TRUE(replica_->synced());
  EXPECT_GT(AcquireId(), 0) << "the keys as last known still serve";
  broker_.Send(Snapshot({ReplicaKey(7)}));
  ASSERT_TRUE(gempool::testing::WaitFor([&] { return replica_->snapshots() == 2; }, 5000));
  EXPECT_EQ(AcquireId(), 7) << "the new snapshot replaced the old pool";
  EXPECT_EQ(AcquireId(), 7);
}

TEST_F(KeyPoolReplicaTest, ABrokerWithoutWatchKeysLeavesTheReplicaEmpty) {
  broker_.EndStream(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no WatchKeys"));
  ASSERT_TRUE(gempool::testing::WaitFor([&] { return broker_.streams() >= 2; }, 5000));
  EXPECT_FALSE(replica_->Acquire("gemini-2.5-flash", {}).has_value());
}


TEST_F(KeyPoolReplicaTest, ABrokerUpdateOlderThanOwnReportDoesNotBringTheKeyBack) {
  broker_.Send(Snapshot({ReplicaKey(1), ReplicaKey(2)}));
  ASSERT_TRUE(replica_->WaitUntilSynced(5000));
  replica_->Apply(RateLimitedFor30s(1));

  // The broker's picture of key 1 from before it saw the report.
  v1::KeyPoolUpdate stale;
  v1::KeyRecord before = ReplicaKey(1);
  before.set_updated_at_ms(clock_.NowUnixMs() - 1000);
  *stale.add_keys() = before;
  // Key 2 changes too, so the test can tell the update was applied.
  v1::KeyRecord marker = ReplicaKey(2);
  marker.set_state_reason("marker");
  marker.set_state(v1::KEY_STATE_DISABLED);
  *stale.add_keys() = marker;
  broker_.Send(stale);
  ASSERT_TRUE(gempool::testing::WaitFor([&] {
    std::optional<v1::AcquireKeyResponse> got = replica_->Acquire("gemini-2.5-flash", {});
    return got.has_value() && !got->available();
  }, 5000)) << "key 2 disabled, key 1 still cooling from this gateway's own 429";

  // A later change at the broker (an admin reset) wins.
  v1::KeyPoolUpdate reset;
  v1::KeyRecord after = ReplicaKey(1);
  clock_.AdvanceMs(5);
  after.set_updated_at_ms(clock_.NowUnixMs());
  *reset.add_keys() = after;
  broker_.Send(reset);
  EXPECT_TRUE(gempool::testing::WaitFor([&] {
    std::optional<v1::AcquireKeyResponse> got = replica_->Acquire("gemini-2.5-flash", {});
    return got.has_value() && got->available() && got->key_id() == 1;
  }, 5000));
}

}  // namespace
}  // namespace gempool::gateway
