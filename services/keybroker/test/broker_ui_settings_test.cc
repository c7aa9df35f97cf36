// The broker follows the settings saved in the admin UI: read at start-up
// before the first key is handed out, then polled, so a save takes effect
// without a restart (MAX_FAILURES, PROXIES, PAID_KEY, TEST_MODEL,
// CHECK_INTERVAL_HOURS).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "broker.h"
#include "broker_harness.h"
#include "test_outcomes.h"
#include "gempool/config/ui_settings.h"
#include "gempool/keypool/proxy_for_key.h"
#include "gempool/testing/status_matchers.h"
#include "gempool/testing/subprocess.h"

namespace gempool::keybroker {
namespace {

using ::gempool::keybroker::testing::BrokerHarness;
using ::gempool::keybroker::testing::TestKey;
using ::gempool::testing::IsOk;
using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kPaid[] = "AIzaSyPaidKeyForImagen0123456789abcdefg";
constexpr char kImagen[] = "imagen-3.0-generate-002";

class BrokerUiSettingsTest : public ::testing::Test {
 protected:
  // The broker's environment: MAX_FAILURES=3 and nothing else of interest.
  BrokerUiSettingsTest() : env_(Environment::FromMap({{"MAX_FAILURES", "3"}})) {}

  // Saves `value` as the admin UI does (with the environment's fingerprint).
  void Save(const std::string& name, const std::string& value, const Environment* seen_by = nullptr) {
    harness_.persistence().PutSetting(name, value);
    harness_.persistence().PutSetting(config::UiMetaName(name),
                                      config::MakeUiMeta(seen_by != nullptr ? *seen_by : env_, name, 1));
  }

  Broker& Start(bool wait = true, bool revalidator = false) {
    Config config = harness_.MakeConfig({TestKey(1), TestKey(2)});
    config.max_failures = 3;
    BrokerOptions options = BrokerHarness::Options(false);
    options.environment = env_;
    options.run_settings_thread = false;  // PollSettings() by hand.
    options.run_revalidator = revalidator;
    return harness_.StartBroker(config, options, wait);
  }

  Environment env_;
  BrokerHarness harness_;
};

TEST_F(BrokerUiSettingsTest, SettingsSavedBeforeStartUpAreInForceForTheFirstKey) {
  Save("MAX_FAILURES", "1");
  Save("PAID_KEY", kPaid);
  Save("PROXIES", "http://proxy-a:3128,http://proxy-b:3128");
  Save("TEST_MODEL", "gemini-2.0-flash");
  Save("CHECK_INTERVAL_HOURS", "0.5");
  Broker& broker = Start(/*wait=*/true, /*revalidator=*/true);

  const std::shared_ptr<const BrokerSettings> settings = broker.settings().Get();
  EXPECT_EQ(settings->max_failures, 1);
  EXPECT_EQ(settings->paid_key, kPaid);
  EXPECT_THAT(settings->proxies, ElementsAre("http://proxy-a:3128", "http://proxy-b:3128"));
  EXPECT_EQ(settings->test_model, "gemini-2.0-flash");
  EXPECT_EQ(settings->check_interval_hours, 0.5);
  EXPECT_EQ(broker.pool().max_failures(), 1);
  EXPECT_EQ(broker.verifier().prober()->model(), "gemini-2.0-flash");
  ASSERT_NE(broker.revalidator(), nullptr);
  EXPECT_EQ(broker.revalidator()->interval(), absl::Minutes(30));

  v1::AcquireKeyResponse image = harness_.Acquire(kImagen);
  EXPECT_EQ(image.key_id(), kPaidKeyId);
  EXPECT_EQ(image.secret(), kPaid);
  EXPECT_EQ(image.proxy(), keypool::ProxyForKey(settings->proxies, kPaid));
  v1::AcquireKeyResponse text = harness_.Acquire("gemini-2.5-flash");
  EXPECT_EQ(text.proxy(), keypool::ProxyForKey(settings->proxies, text.secret()));
  EXPECT_THAT(broker.pool().Report(text.key_id(), "gemini-2.5-flash", keypool::testing::Of(keypool::OutcomeKind::kServerError)),
              gempool::testing::IsOkAndHolds(keypool::KeyState::kDisabled))
      << "MAX_FAILURES=1 from the UI, not 3 from the environment";
}

TEST_F(BrokerUiSettingsTest, ASaveTakesEffectWithoutARestart) {
  Broker& broker = Start(/*wait=*/true, /*revalidator=*/true);
  EXPECT_EQ(broker.pool().max_failures(), 3);
  EXPECT_FALSE(harness_.Acquire(kImagen).key_id() == kPaidKeyId);
  const uint64_t before = broker.settings().generation();
  ASSERT_THAT(broker.PollSettings(), IsOk());
  EXPECT_EQ(broker.settings().generation(), before) << "nothing changed, nothing announced";

  Save("MAX_FAILURES", "2");
  Save("PAID_KEY", kPaid);
  Save("PROXIES", "http://proxy-c:3128");
  Save("TEST_MODEL", "models/gemini-2.0-flash");
  Save("CHECK_INTERVAL_HOURS", "0");
  ASSERT_THAT(broker.PollSettings(), IsOk());
  EXPECT_EQ(broker.settings().generation(), before + 1) << "one change, one new generation";
  EXPECT_EQ(broker.pool().max_failures(), 2);
  EXPECT_EQ(broker.revalidator()->interval(), absl::ZeroDuration());
  EXPECT_EQ(broker.revalidator()->MsUntilDue(), -1) << "re-validation turned off";
  EXPECT_EQ(broker.verifier().prober()->model(), "gemini-2.0-flash");
  v1::AcquireKeyResponse image = harness_.Acquire(kImagen);
  EXPECT_EQ(image.key_id(), kPaidKeyId);
  EXPECT_EQ(image.proxy(), "http://proxy-c:3128");
  const v1::AcquireKeyResponse text = harness_.Acquire("gemini-2.5-flash");
  EXPECT_EQ(text.proxy(), "http://proxy-c:3128");

  // Key probes (VerifyKeys, re-validation) use the new TEST_MODEL and proxy.
  broker.verifier().Verify({text.key_id()});
  ASSERT_FALSE(harness_.probes().requests().empty());
  EXPECT_THAT(harness_.probes().requests().back().path, HasSubstr("/models/gemini-2.0-flash:generateContent"));
  EXPECT_EQ(harness_.probes().requests().back().proxy, "http://proxy-c:3128");

  ASSERT_THAT(broker.PollSettings(), IsOk());
  EXPECT_EQ(broker.settings().generation(), before + 1);

  // Cleared on the page: PAID_KEY off again, image models use the pool.
  Save("PAID_KEY", "");
  ASSERT_THAT(broker.PollSettings(), IsOk());
  EXPECT_EQ(broker.settings().Get()->paid_key, "");
  EXPECT_NE(harness_.Acquire(kImagen).key_id(), kPaidKeyId);
}

TEST_F(BrokerUiSettingsTest, AnEnvironmentChangedSinceTheSaveWins) {
  // Saved while MAX_FAILURES was unset; the broker now starts with 3.
  const Environment before = Environment::FromMap({});
  Save("MAX_FAILURES", "9", &before);
  Save("TEST_MODEL", "gemini-2.0-flash");  // Saved with this environment: applies.
  Broker& broker = Start();
  EXPECT_EQ(broker.pool().max_failures(), 3);
  EXPECT_EQ(broker.settings().Get()->max_failures, 3);
  EXPECT_EQ(broker.settings().Get()->test_model, "gemini-2.0-flash");
}

TEST_F(BrokerUiSettingsTest, ATableThatDoesNotLoadKeepsTheSettingsInForce) {
  Save("MAX_FAILURES", "5");
  Broker& broker = Start();
  ASSERT_EQ(broker.pool().max_failures(), 5);
  // Written around the UI's validation.
  Save("MAX_FAILURES", "lots");
  EXPECT_THAT(broker.PollSettings(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("MAX_FAILURES")));
  EXPECT_EQ(broker.pool().max_failures(), 5);
  Save("MAX_FAILURES", "4");
  Save("TEST_MODEL", "not a model");
  EXPECT_THAT(broker.PollSettings(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("TEST_MODEL")));
  EXPECT_EQ(broker.pool().max_failures(), 5) << "all or nothing";
  EXPECT_EQ(broker.verifier().prober()->model(), "gemini-2.5-flash-lite");
}

TEST_F(BrokerUiSettingsTest, StartsWhenPersistenceHasNoSettingsAndWaitsWhenItDoesNotAnswer) {
  harness_.persistence().set_settings_error(grpc::StatusCode::UNIMPLEMENTED);
  Broker& broker = Start();
  EXPECT_EQ(broker.pool().max_failures(), 3) << "the environment's";

  BrokerHarness later;
  later.persistence().set_settings_error(grpc::StatusCode::UNAVAILABLE);
  later.persistence().PutSetting("MAX_FAILURES", "6");
  later.persistence().PutSetting(config::UiMetaName("MAX_FAILURES"), config::MakeUiMeta(env_, "MAX_FAILURES", 1));
  BrokerOptions options = BrokerHarness::Options(false);
  options.environment = env_;
  options.run_settings_thread = false;
  Broker& waiting = later.StartBroker(later.MakeConfig({TestKey(1)}), options, /*wait=*/false);
  ASSERT_TRUE(gempool::testing::WaitFor([&] { return later.persistence().settings_calls() >= 2; }, 10'000));
  EXPECT_FALSE(waiting.WaitUntilReady(absl::ZeroDuration())) << "no key before the UI's settings are known";
  later.persistence().set_settings_error(grpc::StatusCode::OK);
  ASSERT_TRUE(waiting.WaitUntilReady(absl::Seconds(10)));
  EXPECT_EQ(waiting.pool().max_failures(), 6);
}

TEST_F(BrokerUiSettingsTest, TheThreadFollowsTheTable) {
  Config config = harness_.MakeConfig({TestKey(1)});
  BrokerOptions options = BrokerHarness::Options(false);
  options.environment = env_;
  options.settings_poll_ms = 20;
  Broker& broker = harness_.StartBroker(config, options);
  Save("MAX_FAILURES", "8");
  EXPECT_TRUE(gempool::testing::WaitFor([&] { return broker.pool().max_failures() == 8; }, 10'000));
  harness_.StopBroker();  // Stops the thread.
}

TEST(BrokerWithoutEnvironmentTest, FollowsNoSettings) {
  BrokerHarness harness;
  harness.persistence().PutSetting("MAX_FAILURES", "1");
  Broker& broker = harness.StartBroker(harness.MakeConfig({TestKey(1)}), BrokerHarness::Options(false));
  EXPECT_THAT(broker.PollSettings(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(harness.persistence().settings_calls(), 0);
}

}  // namespace
}  // namespace gempool::keybroker
