#include "key_verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "fake_probe_transport.h"
#include "gempool/common/secrets.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/subprocess.h"
#include "key_revalidator.h"
#include "test_outcomes.h"

namespace gempool::keybroker {
namespace {

using ::gempool::keybroker::testing::FakeProbeTransport;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using keypool::KeyState;

constexpr char kTestModel[] = "gemini-2.5-flash-lite";

std::string Secret(int64_t id) { return absl::StrCat("AIzaSyVerifierTest", id, "abcdefghijklmnopqrstu"); }

class KeyVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keypool::KeyPoolOptions options;
    options.max_failures = 3;
    options.rate_limit_jitter = 0;
    pools_ = std::make_unique<keypool::KeyPools>(options, clock_, keypool::DailyQuotaReset::FixedRule());
    pool_ = &pools_->Get(keypool::Pool::kGemini);
    ProbeSettings settings;
    settings.base_url = "http://127.0.0.1:9/v1beta";
    settings.vertex_base_url = "http://127.0.0.1:9/v1beta1/publishers/google";
    settings.test_model = kTestModel;
    prober_ = std::make_shared<const KeyProber>(settings, transport_, clock_);
    verifier_ = std::make_unique<KeyVerifier>(*pools_, prober_, 4);
  }

  void AddKeys(int n) {
    std::vector<keypool::KeyInfo> keys;
    for (int64_t id = 1; id <= n; ++id) {
      keypool::KeyInfo key;
      key.id = id;
      key.secret = Secret(id);
      keys.push_back(key);
    }
    ASSERT_TRUE(pool_->Add(keys).ok());
  }

  KeyState StateOf(int64_t id) { return pool_->Get(id)->state; }

  gempool::testing::FakeClock clock_;
  FakeProbeTransport transport_;
  std::unique_ptr<keypool::KeyPools> pools_;
  keypool::KeyPool* pool_ = nullptr;  // The Gemini pool of pools_.
  std::shared_ptr<const KeyProber> prober_;
  std::unique_ptr<KeyVerifier> verifier_;
};

TEST_F(KeyVerifierTest, VerifyAppliesEachAnswerToThePool) {
  AddKeys(4);
  for (int64_t id : {1, 2, 3, 4}) ASSERT_TRUE(pool_->Report(id, "", keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid)).ok());
  transport_.SetResponse(Secret(1), FakeProbeTransport::Http(200));
  transport_.SetResponse(Secret(2), FakeProbeTransport::KeyInvalid());
  transport_.SetResponse(Secret(3), FakeProbeTransport::Http(503));
  transport_.SetResponse(Secret(4), FakeProbeTransport::RateLimited(30));

  const std::vector<Verification> results = verifier_->Verify({4, 3, 2, 1});
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].id, 1) << "sorted by id";
  EXPECT_TRUE(results[0].passed);
  EXPECT_EQ(results[0].state, KeyState::kActive);
  EXPECT_EQ(results[0].masked, MaskKey(Secret(1)));
  EXPECT_EQ(results[0].http_status, 200);
  EXPECT_FALSE(results[1].passed);
  EXPECT_EQ(results[1].state, KeyState::kDisabled);
  EXPECT_EQ(pool_->Get(2)->state_reason, "API_KEY_INVALID");
  EXPECT_FALSE(results[2].passed);
  EXPECT_EQ(results[2].state, KeyState::kDisabled) << "a 503 leaves the key as it was";
  EXPECT_THAT(results[2].message, HasSubstr("unchanged"));
  EXPECT_TRUE(results[3].passed);
  EXPECT_EQ(results[3].state, KeyState::kActive);
  ASSERT_EQ(pool_->Get(4)->model_cooldowns.size(), 1u);
  EXPECT_EQ(pool_->Get(4)->model_cooldowns[0].model, kTestModel);
  EXPECT_EQ(pool_->Get(4)->model_cooldowns[0].until_ms, clock_.NowUnixMs() + 30000);
  for (const Verification& v : results) EXPECT_THAT(v.message, ::testing::Not(HasSubstr(Secret(v.id))));
}

TEST_F(KeyVerifierTest, VertexKeysAreProbedOnTheVertexExpressUrlAndRevalidatedWithTheOthers) {
  AddKeys(1);
  keypool::KeyInfo vertex;
  vertex.id = 7;
  vertex.secret = "AQ.VerifierTestVertexKey0123456789abcdefghijklmnop";
  ASSERT_TRUE(pools_->Get(keypool::Pool::kVertex).Add({vertex}).ok());
  ASSERT_TRUE(pools_->Get(keypool::Pool::kVertex).Report(7, "", keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid)).ok());
  ASSERT_TRUE(pool_->Report(1, "", keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid)).ok());
  transport_.SetDefault(FakeProbeTransport::Http(200));

  const std::vector<Verification> results = verifier_->RevalidateOnce();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].id, 7);
  EXPECT_TRUE(results[1].passed);
  EXPECT_EQ(pools_->Get(keypool::Pool::kVertex).Get(7)->state, KeyState::kActive);
  EXPECT_EQ(StateOf(1), KeyState::kActive);
  bool saw_vertex = false;
  for (const ProbeHttpRequest& request : transport_.requests()) {
    const bool is_vertex = request.path == absl::StrCat("/v1beta1/publishers/google/models/", kTestModel,
                                                         ":generateContent");
    saw_vertex = saw_vertex || is_vertex;
    EXPECT_THAT(request.path, ::testing::Not(HasSubstr("key=")));
  }
  EXPECT_TRUE(saw_vertex);
}

TEST_F(KeyVerifierTest, RemovedKeysAreSkipped) {
  AddKeys(2);
  pool_->Remove(std::vector<int64_t>{2});
  const std::vector<Verification> results = verifier_->Verify({1, 2});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].id, 1);
  EXPECT_THAT(transport_.probed_keys(), ElementsAre(Secret(1)));
}

TEST_F(KeyVerifierTest, RevalidationProbesDisabledAndFailingKeysButNotPausedOnes) {
  AddKeys(6);
  ASSERT_TRUE(pool_->Report(1, "", keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid)).ok());   // disabled
  ASSERT_TRUE(pool_->Report(2, "", keypool::testing::Of(keypool::OutcomeKind::kServerError)).ok());  // failing
  keypool::Outcome limited = keypool::testing::Of(keypool::OutcomeKind::kRateLimited);
  limited.retry_delay_ms = 60000;
  ASSERT_TRUE(pool_->Report(3, "", limited).ok());                                  // cooling
  ASSERT_TRUE(pool_->Report(4, "", keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid)).ok());
  ASSERT_TRUE(pool_->Pause({{4}}).ok());                                            // paused, disabled below
  ASSERT_TRUE(pool_->Pause({{5}}).ok());                                            // paused
  // 6 stays active.
  transport_.SetDefault(FakeProbeTransport::Http(200));

  const std::vector<Verification> results = verifier_->RevalidateOnce();
  EXPECT_THAT(transport_.probed_keys(), UnorderedElementsAre(Secret(1), Secret(2)));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(StateOf(1), KeyState::kActive);
  EXPECT_EQ(StateOf(2), KeyState::kActive);
  EXPECT_EQ(pool_->Get(2)->failure_count, 0);
  EXPECT_EQ(StateOf(3), KeyState::kCooling);
  EXPECT_EQ(StateOf(4), KeyState::kPaused);
  EXPECT_EQ(pool_->Get(4)->underlying_state, KeyState::kDisabled);

  // Nothing left to re-validate.
  EXPECT_THAT(verifier_->RevalidateOnce(), IsEmpty());
  EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(KeyVerifierTest, ProbesRunAFewAtATime) {
  AddKeys(10);
  transport_.Hold();
  std::vector<Verification> results;
  std::thread verify([&] {
    std::vector<int64_t> ids;
    for (int64_t id = 1; id <= 10; ++id) ids.push_back(id);
    results = verifier_->Verify(ids);
  });
  ASSERT_TRUE(transport_.WaitForInFlight(4, absl::Seconds(10)));
  transport_.Release();
  verify.join();
  EXPECT_EQ(results.size(), 10u);
  EXPECT_EQ(transport_.max_in_flight(), 4) << "bounded at the verifier's concurrency";
  EXPECT_EQ(transport_.requests().size(), 10u);
}

TEST_F(KeyVerifierTest, CancellingStopsStartingProbes) {
  AddKeys(10);
  KeyVerifier one_at_a_time(*pools_, prober_, 1);
  std::atomic<int> asked{0};
  const std::vector<Verification> results =
      one_at_a_time.Verify({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, [&] { return ++asked > 3; });
  EXPECT_EQ(results.size(), 3u);
  EXPECT_EQ(transport_.requests().size(), 3u);
}

TEST_F(KeyVerifierTest, AReplacedProberServesTheNextProbes) {
  AddKeys(2);
  ASSERT_EQ(verifier_->Verify({1}).size(), 1u);
  ProbeSettings settings = prober_->settings();
  settings.test_model = "gemini-2.0-flash";
  verifier_->SetProber(std::make_shared<const KeyProber>(settings, transport_, clock_));
  EXPECT_EQ(verifier_->prober()->model(), "gemini-2.0-flash");
  ASSERT_EQ(verifier_->Verify({2}).size(), 1u);
  const std::vector<ProbeHttpRequest> requests = transport_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_THAT(requests[0].path, HasSubstr(kTestModel));
  EXPECT_EQ(requests[0].proxy, "");
  EXPECT_THAT(requests[1].path, HasSubstr("/models/gemini-2.0-flash:generateContent"));
  verifier_->SetProber(nullptr);
  EXPECT_EQ(verifier_->prober()->model(), "gemini-2.0-flash") << "null is ignored";
}

TEST_F(KeyVerifierTest, EachKeyIsProbedThroughTheProxyItsProxySourceGives) {
  AddKeys(2);
  KeyVerifier proxied(*pools_, prober_, 1, [](const std::string& secret) {
    return secret == Secret(1) ? std::string("http://proxy-a:3128") : std::string("http://proxy-b:3128");
  });
  ASSERT_EQ(proxied.Verify({1, 2}).size(), 2u);
  const std::vector<ProbeHttpRequest> requests = transport_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].proxy, "http://proxy-a:3128");
  EXPECT_EQ(requests[1].proxy, "http://proxy-b:3128");
}

// The schedule, with a FakeClock and no thread: RunIfDue is the thread's step.
class KeyRevalidatorTest : public KeyVerifierTest {
 protected:
  static constexpr int64_t kHourMs = 60 * 60 * 1000;
  void Disable(int64_t id) { ASSERT_TRUE(pool_->Report(id, "", keypool::testing::Of(keypool::OutcomeKind::kKeyInvalid)).ok()); }
};

TEST_F(KeyRevalidatorTest, PassesRunOneIntervalAfterThePrevious) {
  AddKeys(2);
  KeyRevalidator revalidator(*verifier_, clock_, absl::Hours(1));
  EXPECT_EQ(revalidator.MsUntilDue(), kHourMs);
  Disable(1);
  clock_.AdvanceMs(kHourMs - 1);
  EXPECT_FALSE(revalidator.RunIfDue());
  EXPECT_TRUE(transport_.requests().empty());
  clock_.AdvanceMs(1);
  EXPECT_TRUE(revalidator.RunIfDue());
  EXPECT_THAT(transport_.probed_keys(), ElementsAre(Secret(1)));
  EXPECT_EQ(StateOf(1), KeyState::kActive);
  EXPECT_EQ(revalidator.MsUntilDue(), kHourMs) << "the next one an interval after this pass";
  EXPECT_FALSE(revalidator.RunIfDue());
}

TEST_F(KeyRevalidatorTest, AChangedIntervalTakesEffectWithoutARestart) {
  AddKeys(1);
  KeyRevalidator revalidator(*verifier_, clock_, absl::Hours(1));
  clock_.AdvanceMs(20 * 60 * 1000);
  // Shorter: due 30 minutes after the last pass, so in 10 minutes.
  revalidator.SetInterval(absl::Minutes(30));
  EXPECT_EQ(revalidator.interval(), absl::Minutes(30));
  EXPECT_EQ(revalidator.MsUntilDue(), 10 * 60 * 1000);
  // Shorter than the time already waited: due at once.
  revalidator.SetInterval(absl::Minutes(15));
  EXPECT_EQ(revalidator.MsUntilDue(), 0);
  Disable(1);
  EXPECT_TRUE(revalidator.RunIfDue());
  EXPECT_EQ(transport_.requests().size(), 1u);
  // Off: never due, until set again.
  revalidator.SetInterval(absl::ZeroDuration());
  EXPECT_EQ(revalidator.MsUntilDue(), -1);
  clock_.AdvanceMs(1000 * kHourMs);
  EXPECT_FALSE(revalidator.RunIfDue());
  revalidator.SetInterval(absl::Hours(2));
  EXPECT_EQ(revalidator.MsUntilDue(), 0) << "the last pass was long ago";
}

TEST_F(KeyRevalidatorTest, TheThreadStopsPromptlyWhateverTheInterval) {
  for (absl::Duration interval : {absl::Hours(1), absl::ZeroDuration()}) {
    KeyRevalidator revalidator(*verifier_, clock_, interval);
    revalidator.Start();
    revalidator.SetInterval(absl::Hours(3));
    revalidator.Stop();
    revalidator.Stop();  // Idempotent.
  }
  EXPECT_TRUE(transport_.requests().empty());
}

// Recovery of keys MAX_FAILURES disabled, with a FakeClock and no thread:
// RecoverDue is the thread's other step. Delays carry up to 10 % jitter, so
// "not yet" is checked below 90 % of a delay and "due" at the whole delay.
class KeyRecoveryTest : public KeyRevalidatorTest {
 protected:
  static constexpr int64_t kSecondMs = 1000;
  void DisableForFailures(int64_t id) {
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(pool_->Report(id, "", keypool::testing::Of(keypool::OutcomeKind::kServerError)).ok());
    }
    ASSERT_EQ(pool_->Get(id)->state_reason, keypool::KeyPool::kMaxFailuresReason);
  }
};

TEST_F(KeyRecoveryTest, KeysMaxFailuresDisabledAreReCheckedSoonAndAgainAfterADoubledDelay) {
  AddKeys(3);
  KeyRevalidator revalidator(*verifier_, clock_, absl::ZeroDuration(), absl::Seconds(60));
  DisableForFailures(1);
  DisableForFailures(2);
  Disable(3);  // Invalid: left to the regular pass.
  transport_.SetResponse(Secret(1), FakeProbeTransport::Http(503));
  EXPECT_EQ(revalidator.MsUntilRecovery(), 0) << "the first scan is due at once";
  EXPECT_EQ(revalidator.RecoverDue(), 0) << "seen disabled now: first re-check one delay later";
  EXPECT_EQ(revalidator.MsUntilRecovery(), KeyRevalidator::kRecoveryScanMs);

  clock_.AdvanceMs(53 * kSecondMs);
  EXPECT_EQ(revalidator.RecoverDue(), 0);
  clock_.AdvanceMs(7 * kSecondMs);
  EXPECT_EQ(revalidator.RecoverDue(), 2);
  EXPECT_THAT(transport_.probed_keys(), UnorderedElementsAre(Secret(1), Secret(2)));
  EXPECT_EQ(StateOf(2), KeyState::kActive) << "its probe passed: back in the pool";
  EXPECT_EQ(StateOf(1), KeyState::kDisabled) << "its probe failed again";

  // Key 1's next re-check: 120 s later (less jitter).
  clock_.AdvanceMs(107 * kSecondMs);
  EXPECT_EQ(revalidator.RecoverDue(), 0);
  clock_.AdvanceMs(13 * kSecondMs);
  transport_.SetResponse(Secret(1), FakeProbeTransport::Http(200));
  EXPECT_EQ(revalidator.RecoverDue(), 1);
  EXPECT_EQ(StateOf(1), KeyState::kActive);
  EXPECT_EQ(StateOf(3), KeyState::kDisabled);
  for (const std::string& key : transport_.probed_keys()) EXPECT_NE(key, Secret(3)) << "an invalid key was re-checked";
  EXPECT_EQ(transport_.probed_keys().size(), 3u);
}

TEST_F(KeyRecoveryTest, AnUpstreamThatGivesNoVerdictCostsOneBatchOfProbesPerStep) {
  AddKeys(6);
  KeyVerifier two_at_a_time(*pools_, prober_, 2);
  KeyRevalidator revalidator(two_at_a_time, clock_, absl::ZeroDuration(), absl::Seconds(60));
  for (int64_t id = 1; id <= 6; ++id) DisableForFailures(id);
  ASSERT_EQ(revalidator.RecoverDue(), 0);

  // The outage goes on: no answer at all, then 503s.
  transport_.SetDefault(FakeProbeTransport::Failure(gemini::TransportFailure::kConnection, "connection refused"));
  clock_.AdvanceMs(60 * kSecondMs);
  EXPECT_EQ(revalidator.RecoverDue(), 2) << "one batch, then the round ends";
  EXPECT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(revalidator.RecoverDue(), 0) << "the other four wait their next delay too";
  transport_.SetDefault(FakeProbeTransport::Http(503));
  clock_.AdvanceMs(120 * kSecondMs);
  EXPECT_EQ(revalidator.RecoverDue(), 2);
  EXPECT_EQ(transport_.requests().size(), 4u);

  // It is over: every key comes back in one round.
  transport_.SetDefault(FakeProbeTransport::Http(200));
  clock_.AdvanceMs(240 * kSecondMs);
  EXPECT_EQ(revalidator.RecoverDue(), 6);
  for (int64_t id = 1; id <= 6; ++id) EXPECT_EQ(StateOf(id), KeyState::kActive) << id;
  EXPECT_EQ(revalidator.MsUntilRecovery(), KeyRevalidator::kRecoveryScanMs) << "nothing tracked: scans only";
}

TEST_F(KeyRecoveryTest, ABatchWithAVerdictOnAnyOfItsKeysKeepsTheRoundGoing) {
  AddKeys(4);
  KeyVerifier two_at_a_time(*pools_, prober_, 2);
  KeyRevalidator revalidator(two_at_a_time, clock_, absl::ZeroDuration(), absl::Seconds(60));
  for (int64_t id = 1; id <= 4; ++id) DisableForFailures(id);
  ASSERT_EQ(revalidator.RecoverDue(), 0);
  // Whichever batch key 2 is in, the other key of it gets an answer.
  transport_.SetResponse(Secret(2), FakeProbeTransport::Http(503));
  transport_.SetResponse(Secret(3), FakeProbeTransport::KeyInvalid());
  clock_.AdvanceMs(60 * kSecondMs);
  EXPECT_EQ(revalidator.RecoverDue(), 4) << "every batch had an answer about a key: the upstream answers";
  EXPECT_EQ(StateOf(1), KeyState::kActive);
  EXPECT_EQ(pool_->Get(2)->state_reason, keypool::KeyPool::kMaxFailuresReason) << "still out, re-checked later";
  EXPECT_EQ(StateOf(3), KeyState::kDisabled);
  EXPECT_NE(pool_->Get(3)->state_reason, keypool::KeyPool::kMaxFailuresReason) << "now disabled as invalid";
  EXPECT_EQ(StateOf(4), KeyState::kActive);
}

TEST_F(KeyRecoveryTest, ZeroTurnsReChecksOffAndASavedValueTurnsThemOn) {
  AddKeys(1);
  KeyRevalidator revalidator(*verifier_, clock_, absl::ZeroDuration(), absl::ZeroDuration());
  DisableForFailures(1);
  EXPECT_EQ(revalidator.MsUntilRecovery(), -1);
  clock_.AdvanceMs(1000 * kHourMs);
  EXPECT_EQ(revalidator.RecoverDue(), 0);
  EXPECT_TRUE(transport_.requests().empty());

  revalidator.SetRecheck(absl::Seconds(10));
  EXPECT_EQ(revalidator.recheck(), absl::Seconds(10));
  EXPECT_EQ(revalidator.RecoverDue(), 0) << "seen now";
  clock_.AdvanceMs(10 * kSecondMs);
  EXPECT_EQ(revalidator.RecoverDue(), 1);
  EXPECT_EQ(StateOf(1), KeyState::kActive);

  revalidator.SetRecheck(absl::Seconds(-3));
  EXPECT_EQ(revalidator.recheck(), absl::ZeroDuration());
  EXPECT_EQ(revalidator.MsUntilRecovery(), -1);
}

TEST_F(KeyRecoveryTest, TheThreadReChecksByItselfAndStopsPromptly) {
  AddKeys(1);
  DisableForFailures(1);
  // A real clock here: the thread waits on it.
  KeyRevalidator revalidator(*verifier_, SystemClock::Get(), absl::ZeroDuration(), absl::Milliseconds(50));
  revalidator.Start();
  EXPECT_TRUE(gempool::testing::WaitFor([&] { return StateOf(1) == KeyState::kActive; }, 10000))
      << "the key was not re-checked";
  revalidator.Stop();
}

}  // namespace
}  // namespace gempool::keybroker
