#include "broker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "broker_harness.h"
#include "test_outcomes.h"
#include "gempool/testing/subprocess.h"

namespace gempool::keybroker {
namespace {

using ::gempool::keybroker::testing::BrokerHarness;
using ::gempool::keybroker::testing::TestKey;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using HealthStatus = grpc::health::v1::HealthCheckResponse;

v1::KeyRecord Stored(int64_t id, const std::string& secret, v1::KeyState state,
                     const std::string& reason = "") {
  v1::KeyRecord record;
  record.set_id(id);
  record.set_secret(secret);
  record.set_state(state);
  record.set_state_reason(reason);
  return record;
}

TEST(BrokerTest, LoadsStoredKeysAndAddsOnlyNewApiKeys) {
  BrokerHarness harness;
  harness.persistence().Seed(Stored(1, TestKey(1), v1::KEY_STATE_DISABLED, "API_KEY_INVALID"));
  harness.persistence().Seed(Stored(2, TestKey(2), v1::KEY_STATE_ACTIVE));  // Added by an admin earlier.
  Broker& broker =
      harness.StartBroker(harness.MakeConfig({TestKey(1), TestKey(3), TestKey(3), " " + TestKey(4) + " "}),
                          BrokerHarness::Options(false));

  EXPECT_THAT(harness.persistence().add_calls(), ElementsAre(ElementsAre(TestKey(3), TestKey(4))));
  EXPECT_EQ(harness.persistence().keys().size(), 4u);
  EXPECT_EQ(broker.pool().size(), 4u);
  EXPECT_EQ(broker.pool().Get(1)->state, keypool::KeyState::kDisabled);
  EXPECT_EQ(broker.pool().Get(1)->state_reason, "API_KEY_INVALID");
  EXPECT_TRUE(broker.pool().FindBySecret(TestKey(2)).has_value()) << "keys not in API_KEYS are kept";
  EXPECT_EQ(harness.Health(), HealthStatus::SERVING);
}

TEST(BrokerTest, WaitsForPersistenceThenServes) {
  BrokerHarness harness;
  harness.persistence().set_down(true);
  harness.StartBroker(harness.MakeConfig({TestKey(1)}), BrokerHarness::Options(false), /*wait=*/false);
  EXPECT_EQ(harness.Health(), HealthStatus::NOT_SERVING);
  v1::AcquireKeyResponse response;
  grpc::Status status =
      harness.broker_stub().AcquireKey(BrokerHarness::Context().get(), v1::AcquireKeyRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("still loading keys from persistence at 127.0.0.1:"));
  EXPECT_FALSE(harness.broker().WaitUntilReady(absl::Milliseconds(100)));

  harness.persistence().set_down(false);
  ASSERT_TRUE(harness.broker().WaitUntilReady(absl::Seconds(10)));
  EXPECT_EQ(harness.Health(), HealthStatus::SERVING);
  EXPECT_TRUE(harness.Acquire("gemini-2.5-flash").available());
}

TEST(BrokerTest, ShutdownWhileWaitingForPersistenceIsPrompt) {
  BrokerHarness harness;
  harness.persistence().set_down(true);
  harness.StartBroker(harness.MakeConfig({TestKey(1)}), BrokerHarness::Options(true), /*wait=*/false);
  harness.StopBroker();  // Must not hang.
  EXPECT_TRUE(harness.persistence().keys().empty());
}

TEST(BrokerTest, StatesSurviveARestart) {
  BrokerHarness harness;
  const std::vector<std::string> keys = {TestKey(1), TestKey(2), TestKey(3), TestKey(4)};
  BrokerOptions options = BrokerHarness::Options(true);
  options.writer.interval_ms = 60'000;  // Only the shutdown flush writes.
  {
    Broker& broker = harness.StartBroker(harness.MakeConfig(keys), options);
    keypool::Outcome limited = keypool::testing::Of(keypool::OutcomeKind::kRateLimited);
    limited.retry_delay_ms = 60'000;
    ASSERT_TRUE(broker.pool().Report(1, "gemini-2.5-pro", limited).ok());
    ASSERT_TRUE(broker.pool().Report(2, "", keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid)).ok());
    ASSERT_TRUE(broker.pool().Pause({{3}}).ok());
    ASSERT_TRUE(broker.pool().Report(4, "", keypool::testing::Of(keypool::OutcomeKind::kServerError)).ok());
    harness.StopBroker();
  }
  EXPECT_EQ(harness.persistence().key(2)->state(), v1::KEY_STATE_DISABLED);
  EXPECT_EQ(harness.persistence().key(3)->state(), v1::KEY_STATE_PAUSED);

  Broker& broker = harness.StartBroker(harness.MakeConfig(keys), options);
  EXPECT_EQ(harness.persistence().add_calls().size(), 1u) << "API_KEYS are stored once";
  keypool::KeyInfo one = *broker.pool().Get(1);
  ASSERT_EQ(one.model_cooldowns.size(), 1u);
  EXPECT_EQ(one.model_cooldowns[0].model, "gemini-2.5-pro");
  EXPECT_EQ(one.model_cooldowns[0].until_ms, harness.clock().NowUnixMs() + 60'000);
  EXPECT_EQ(broker.pool().Get(2)->state, keypool::KeyState::kDisabled);
  EXPECT_EQ(broker.pool().Get(3)->state, keypool::KeyState::kPaused);
  EXPECT_EQ(broker.pool().Get(4)->state, keypool::KeyState::kFailing);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(harness.Acquire("gemini-2.5-pro").key_id(), 4);
}

TEST(BrokerTest, WriterSavesStateChangesInBatches) {
  BrokerHarness harness;
  std::vector<std::string> keys;
  for (int i = 1; i <= 7; ++i) keys.push_back(TestKey(i));
  BrokerOptions options = BrokerHarness::Options(false);
  options.writer.batch_size = 3;
  Broker& broker = harness.StartBroker(harness.MakeConfig(keys), options);
  ASSERT_TRUE(broker.writer().Flush().ok());
  EXPECT_TRUE(harness.persistence().save_batches().empty()) << "nothing changed yet";

  for (int64_t id = 1; id <= 7; ++id) {
    keypool::Outcome invalid = keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid);
    invalid.error_reason = "API_KEY_INVALID";
    ASSERT_TRUE(broker.pool().Report(id, "", invalid).ok());
    ASSERT_TRUE(broker.pool().Report(id, "", invalid).ok());  // Twice: written once.
  }
  ASSERT_TRUE(broker.writer().Flush().ok());
  EXPECT_THAT(harness.persistence().save_batches(), ElementsAre(3, 3, 1));
  for (const auto& [id, record] : harness.persistence().keys()) {
    EXPECT_EQ(record.state(), v1::KEY_STATE_DISABLED) << "key " << id;
    EXPECT_EQ(record.state_reason(), "API_KEY_INVALID");
    EXPECT_EQ(record.secret(), TestKey(static_cast<int>(id))) << "state writes never change the secret";
  }
}

TEST(BrokerTest, KeepsServingAndKeepsTheBacklogWhilePersistenceIsDown) {
  BrokerHarness harness;
  Broker& broker = harness.StartBroker(harness.MakeConfig({TestKey(1), TestKey(2), TestKey(3)}),
                                       BrokerHarness::Options(false));
  ASSERT_TRUE(broker.writer().Flush().ok());
  harness.persistence().set_down(true);

  ASSERT_TRUE(broker.pool().Report(1, "", keypool::testing::Of(keypool::OutcomeKind::kServerError)).ok());
  ASSERT_TRUE(broker.pool().Report(2, "", keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid)).ok());
  EXPECT_EQ(broker.writer().Flush().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(broker.writer().backlog_size(), 2u);
  // Later changes to the same key replace its queued state.
  ASSERT_TRUE(broker.pool().Report(1, "", keypool::testing::Of(keypool::OutcomeKind::kServerError)).ok());
  ASSERT_TRUE(broker.pool().Report(1, "", keypool::testing::Of(keypool::OutcomeKind::kServerError)).ok());
  EXPECT_FALSE(broker.writer().Flush().ok());
  EXPECT_EQ(broker.writer().backlog_size(), 2u);
  // Hand-outs go on from memory.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(harness.Acquire("gemini-2.5-flash").key_id(), 3);

  harness.persistence().set_down(false);
  ASSERT_TRUE(broker.writer().Flush().ok());
  EXPECT_EQ(broker.writer().backlog_size(), 0u);
  v1::KeyRecord one = *harness.persistence().key(1);
  EXPECT_EQ(one.state(), v1::KEY_STATE_DISABLED);
  EXPECT_EQ(one.state_reason(), "MAX_FAILURES");
  EXPECT_EQ(one.failure_count(), 3);
  EXPECT_EQ(harness.persistence().key(2)->state(), v1::KEY_STATE_DISABLED);
}

TEST(BrokerTest, WriterThreadSavesInTheBackground) {
  BrokerHarness harness;
  BrokerOptions options = BrokerHarness::Options(true);
  options.writer.interval_ms = 20;
  Broker& broker = harness.StartBroker(harness.MakeConfig({TestKey(1), TestKey(2)}), options);
  ASSERT_TRUE(broker.pool().Report(2, "", keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid)).ok());
  EXPECT_TRUE(gempool::testing::WaitFor(
      [&] { return harness.persistence().key(2)->state() == v1::KEY_STATE_DISABLED; }, 10'000));
}

TEST(BrokerTest, WriterWakesEarlyWhenAFullBatchIsWaiting) {
  BrokerHarness harness;
  BrokerOptions options = BrokerHarness::Options(true);
  options.writer.interval_ms = 600'000;  // Never by the clock in this test.
  options.writer.batch_size = 3;
  Broker& broker = harness.StartBroker(harness.MakeConfig({TestKey(1), TestKey(2), TestKey(3)}), options);
  for (int64_t id = 1; id <= 3; ++id) {
    ASSERT_TRUE(broker.pool().Report(id, "", keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid)).ok());
  }
  EXPECT_TRUE(gempool::testing::WaitFor(
      [&] { return harness.persistence().key(3)->state() == v1::KEY_STATE_DISABLED; }, 10'000));
}

TEST(BrokerTest, WriterThreadRetriesUntilPersistenceReturns) {
  BrokerHarness harness;
  BrokerOptions options = BrokerHarness::Options(true);
  options.writer.interval_ms = 20;
  options.writer.max_retry_interval_ms = 50;
  Broker& broker = harness.StartBroker(harness.MakeConfig({TestKey(1), TestKey(2)}), options);
  harness.persistence().set_down(true);
  ASSERT_TRUE(broker.pool().Report(1, "", keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid)).ok());
  EXPECT_TRUE(gempool::testing::WaitFor([&] { return broker.writer().backlog_size() == 1; }, 10'000));
  harness.persistence().set_down(false);
  EXPECT_TRUE(gempool::testing::WaitFor(
      [&] { return harness.persistence().key(1)->state() == v1::KEY_STATE_DISABLED; }, 10'000));
}

TEST(BrokerTest, AKeyPausedWhileDisabledIsStillDisabledAfterARestartAndAResume) {
  BrokerHarness harness;
  const std::vector<std::string> keys = {TestKey(1), TestKey(2)};
  BrokerOptions options = BrokerHarness::Options(true);
  options.writer.interval_ms = 60'000;  // Only the shutdown flush writes.
  {
    Broker& broker = harness.StartBroker(harness.MakeConfig(keys), options);
    keypool::Outcome invalid = keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid);
    invalid.error_reason = "API_KEY_INVALID";
    ASSERT_TRUE(broker.pool().Report(1, "", invalid).ok());
    ASSERT_TRUE(broker.pool().Pause({{1}}).ok());
    harness.StopBroker();
  }
  EXPECT_EQ(harness.persistence().key(1)->state(), v1::KEY_STATE_PAUSED);
  EXPECT_EQ(harness.persistence().key(1)->underlying_state(), v1::KEY_STATE_DISABLED);

  Broker& broker = harness.StartBroker(harness.MakeConfig(keys), options);
  EXPECT_EQ(broker.pool().Get(1)->state, keypool::KeyState::kPaused);
  ASSERT_TRUE(broker.pool().Resume({{1}}).ok());
  EXPECT_EQ(broker.pool().Get(1)->state, keypool::KeyState::kDisabled);
  EXPECT_EQ(broker.pool().Get(1)->state_reason, "API_KEY_INVALID");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(harness.Acquire("gemini-2.5-flash").key_id(), 2);
}

TEST(BrokerTest, RevalidatesDisabledKeysEveryCheckInterval) {
  BrokerHarness harness;
  Config config = harness.MakeConfig({TestKey(1), TestKey(2)});
  config.check_interval_hours = 0.00001;  // 36 ms.
  BrokerOptions options = BrokerHarness::Options(false);
  options.run_revalidator = true;
  Broker& broker = harness.StartBroker(config, options);
  ASSERT_TRUE(broker.pool().Report(1, "", keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid)).ok());
  // The schedule follows the broker's clock; the thread looks again every
  // interval (36 ms of real time).
  harness.clock().AdvanceMs(1000);
  EXPECT_TRUE(gempool::testing::WaitFor(
      [&] { return broker.pool().Get(1)->state == keypool::KeyState::kActive; }, 10'000))
      << "the fake upstream answers 200: the key rejoins by itself";
  for (const std::string& probed : harness.probes().probed_keys()) {
    EXPECT_EQ(probed, TestKey(1)) << "only the disabled key is probed";
  }
}

TEST(BrokerTest, CheckIntervalZeroTurnsRevalidationOff) {
  BrokerHarness harness;
  Config config = harness.MakeConfig({TestKey(1)});
  config.check_interval_hours = 0;
  BrokerOptions options = BrokerHarness::Options(false);
  options.run_revalidator = true;
  Broker& broker = harness.StartBroker(config, options);
  ASSERT_TRUE(broker.pool().Report(1, "", keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid)).ok());
  harness.StopBroker();
  EXPECT_TRUE(harness.probes().requests().empty());
  EXPECT_TRUE(harness.probes().cancelled()) << "shutdown ends probes in flight";
}

TEST(BrokerTest, StartFailsWhenKeysCouldNotBeVerified) {
  BrokerHarness harness;
  Config config = harness.MakeConfig({TestKey(1)});
  config.custom_headers = {{"x-goog-api-key", "mine"}};
  Broker broker(config, harness.clock(), BrokerHarness::Options(false));
  absl::Status started = broker.Start();
  EXPECT_EQ(started.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(started.message(), HasSubstr("CUSTOM_HEADERS"));
}

TEST(BrokerTest, PoolOptionsFollowTheConfig) {
  Config config;
  config.max_failures = 10;
  EXPECT_EQ(PoolOptionsFrom(config).max_failures, 10);
}

}  // namespace
}  // namespace gempool::keybroker
