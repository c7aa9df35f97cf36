#include "gempool/keypool/key_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/status_matchers.h"
#include "test_outcomes.h"

namespace gempool::keypool {
namespace {

using ::gempool::testing::FakeClock;
using ::gempool::testing::IsOkAndHolds;
using ::gempool::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::kFlash;
using testing::kPro;
using testing::kSecond;
using testing::Of;
using testing::RateLimited;

constexpr int64_t kMinute = 60 * kSecond;

std::string SecretFor(int64_t id) { return absl::StrCat("AIzaSyTest", id, "abcdefghijklmnopqrstuvwxyz012"); }

KeyInfo NewKey(int64_t id) {
  KeyInfo key;
  key.id = id;
  key.secret = SecretFor(id);
  return key;
}

class KeyPoolTest : public ::testing::Test {
 protected:
  static KeyPoolOptions DefaultOptions() {
    KeyPoolOptions options;
    options.max_failures = 3;
    options.failure_window_ms = 10 * kMinute;
    options.rate_limit_jitter = 0;
    return options;
  }

  void MakePool(int keys, KeyPoolOptions options = DefaultOptions()) {
    pool_ = std::make_unique<KeyPool>(options, clock_, DailyQuotaReset::FixedRule());
    std::vector<KeyInfo> infos;
    for (int i = 1; i <= keys; ++i) infos.push_back(NewKey(i));
    ASSERT_TRUE(pool_->Add(infos).ok());
  }

  int64_t AcquireId(absl::string_view model = kFlash, std::vector<int64_t> exclude = {}) {
    AcquireResult result = pool_->Acquire(model, exclude);
    EXPECT_TRUE(result.available) << result.unavailable_reason;
    return result.key_id;
  }

  KeyState StateOf(int64_t id) { return pool_->Get(id)->state; }

  FakeClock clock_{
      absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(2025, 7, 15, 20, 0, 0), absl::UTCTimeZone()))};
  std::unique_ptr<KeyPool> pool_;
};

TEST_F(KeyPoolTest, EmptyPoolSaysHowToAddKeys) {
  MakePool(0);
  AcquireResult result = pool_->Acquire(kFlash);
  EXPECT_FALSE(result.available);
  EXPECT_EQ(result.retry_at_ms, 0);
  EXPECT_THAT(result.unavailable_reason,
              AllOf(HasSubstr("no keys"), HasSubstr("API_KEYS"), HasSubstr("gempoolctl keys add")));
}

TEST_F(KeyPoolTest, RotatesRoundRobin) {
  MakePool(3);
  std::vector<int64_t> got;
  for (int i = 0; i < 7; ++i) got.push_back(AcquireId());
  EXPECT_THAT(got, ElementsAre(1, 2, 3, 1, 2, 3, 1));
}

TEST_F(KeyPoolTest, DistributionIsEvenOverManyAcquisitions) {
  MakePool(7);
  std::map<int64_t, int> counts;
  for (int i = 0; i < 7000; ++i) ++counts[AcquireId(i % 2 ? kPro : kFlash)];
  ASSERT_EQ(counts.size(), 7u);
  for (const auto& [id, n] : counts) EXPECT_EQ(n, 1000) << "key " << id;
}

// Callers acquiring and reporting while an admin pauses, resumes and lists
// and the broker takes changes, all at once: every call gets a key, and the
// pool ends consistent (ThreadSanitizer checks the locking; test-sanitize.sh).
TEST_F(KeyPoolTest, CallersAdminAndChangeTakerTogetherLeaveItConsistent) {
  MakePool(20);
  std::atomic<bool> callers_done{false};
  std::atomic<int> served{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        AcquireResult got = pool_->Acquire(t % 2 ? kPro : kFlash);
        if (!got.available) continue;
        ++served;
        Outcome outcome;
        outcome.kind = i % 97 == 0 ? OutcomeKind::kServerError : OutcomeKind::kSuccess;
        outcome.http_status = i % 97 == 0 ? 500 : 200;
        (void)pool_->Report(got.key_id, t % 2 ? kPro : kFlash, outcome);
      }
    });
  }
  std::thread admin([&] {
    while (!callers_done.load()) {
      KeySelection some;
      some.ids = {1, 2, 3};
      (void)pool_->Pause(some);
      (void)pool_->List(KeyFilter{});
      (void)pool_->Resume(some);
      (void)pool_->TakeChanges();
      (void)pool_->Summary();
    }
  });
  for (std::thread& caller : callers) caller.join();
  callers_done = true;
  admin.join();
  EXPECT_GT(served.load(), 5000);  // Only 3 of 20 keys were ever paused.
  const PoolCounts counts = pool_->Summary();
  EXPECT_EQ(counts.total, 20);
  EXPECT_EQ(counts.paused, 0);
  EXPECT_EQ(counts.disabled, 0);  // A few 500s are transient, never fatal.
}

TEST_F(KeyPoolTest, DistributionStaysEvenAcrossConcurrentCallers) {
  MakePool(10);
  std::vector<std::map<int64_t, int>> per_thread(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2500; ++i) ++per_thread[t][pool_->Acquire(kFlash).key_id];
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::map<int64_t, int> total;
  for (const auto& counts : per_thread) {
    for (const auto& [id, n] : counts) total[id] += n;
  }
  ASSERT_EQ(total.size(), 10u);
  for (const auto& [id, n] : total) EXPECT_EQ(n, 1000) << "key " << id;
}

TEST_F(KeyPoolTest, DistributionStaysEvenOverKeysLeftWhenOneCools) {
  MakePool(5);
  ASSERT_TRUE(pool_->Report(3, kPro, RateLimited(60 * kMinute)).ok());
  std::map<int64_t, int> counts;
  for (int i = 0; i < 4000; ++i) ++counts[AcquireId(kPro)];
  EXPECT_EQ(counts.count(3), 0u);
  for (int64_t id : {1, 2, 4, 5}) EXPECT_NEAR(counts[id], 1000, 1) << "key " << id;
}

TEST_F(KeyPoolTest, RetryNeverGetsAnExcludedKey) {
  MakePool(3);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(AcquireId(kFlash, {1, 2}), 3);
  for (int i = 0; i < 30; ++i) EXPECT_NE(AcquireId(kFlash, {2}), 2);
}

TEST_F(KeyPoolTest, AllUsableKeysTriedIsUnavailable) {
  MakePool(2);
  AcquireResult result = pool_->Acquire(kFlash, std::vector<int64_t>{1, 2});
  EXPECT_FALSE(result.available);
  EXPECT_EQ(result.retry_at_ms, 0);
  EXPECT_THAT(result.unavailable_reason, HasSubstr("2 already tried for this request"));
}

TEST_F(KeyPoolTest, SuccessClearsFailuresAndFailingReturnsToActive) {
  MakePool(1);
  Outcome error = Of(OutcomeKind::kServerError);
  error.http_status = 503;
  error.error_reason = "UNAVAILABLE";
  error.message = "The model is overloaded. Please try again later.";
  EXPECT_THAT(pool_->Report(1, kFlash, error), IsOkAndHolds(KeyState::kFailing));
  KeyInfo info = *pool_->Get(1);
  EXPECT_EQ(info.failure_count, 1);
  EXPECT_EQ(info.state_reason, "UNAVAILABLE");
  EXPECT_EQ(info.last_error, "The model is overloaded. Please try again later.");
  EXPECT_EQ(AcquireId(), 1) << "a failing key is still handed out";

  EXPECT_THAT(pool_->Report(1, kFlash, Of(OutcomeKind::kSuccess)), IsOkAndHolds(KeyState::kActive));
  info = *pool_->Get(1);
  EXPECT_EQ(info.failure_count, 0);
  EXPECT_EQ(info.state_reason, "");
}

TEST_F(KeyPoolTest, MaxTransientFailuresDisableTheKey) {
  MakePool(2);
  EXPECT_THAT(pool_->Report(1, kFlash, Of(OutcomeKind::kServerError)), IsOkAndHolds(KeyState::kFailing));
  EXPECT_THAT(pool_->Report(1, kFlash, Of(OutcomeKind::kTimeout)), IsOkAndHolds(KeyState::kFailing));
  EXPECT_THAT(pool_->Report(1, kFlash, Of(OutcomeKind::kConnectionError)), IsOkAndHolds(KeyState::kDisabled));
  KeyInfo info = *pool_->Get(1);
  EXPECT_EQ(info.state_reason, "MAX_FAILURES");
  EXPECT_EQ(info.failure_count, 3);
  EXPECT_EQ(info.last_error, "CONNECTION_ERROR");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(AcquireId(), 2);
  // A late success from an attempt in flight does not revive it.
  EXPECT_THAT(pool_->Report(1, kFlash, Of(OutcomeKind::kSuccess)), IsOkAndHolds(KeyState::kDisabled));
}

TEST_F(KeyPoolTest, MaxFailuresChangesWhileThePoolRuns) {
  MakePool(2);
  EXPECT_EQ(pool_->max_failures(), 3);
  pool_->SetMaxFailures(5);
  EXPECT_EQ(pool_->max_failures(), 5);
  for (int i = 0; i < 4; ++i) {
    EXPECT_THAT(pool_->Report(1, kFlash, Of(OutcomeKind::kServerError)), IsOkAndHolds(KeyState::kFailing)) << i;
  }
  EXPECT_THAT(pool_->Report(1, kFlash, Of(OutcomeKind::kServerError)), IsOkAndHolds(KeyState::kDisabled));
  EXPECT_EQ(pool_->Get(1)->state_reason, "MAX_FAILURES");

  // Lowered: a key already past the new limit is disabled by its next failure.
  ASSERT_THAT(pool_->Report(2, kFlash, Of(OutcomeKind::kServerError)), IsOkAndHolds(KeyState::kFailing));
  ASSERT_THAT(pool_->Report(2, kFlash, Of(OutcomeKind::kServerError)), IsOkAndHolds(KeyState::kFailing));
  pool_->SetMaxFailures(1);
  EXPECT_EQ(StateOf(2), KeyState::kFailing) << "not at once";
  EXPECT_THAT(pool_->Report(2, kFlash, Of(OutcomeKind::kTimeout)), IsOkAndHolds(KeyState::kDisabled));
  pool_->SetMaxFailures(0);
  EXPECT_EQ(pool_->max_failures(), 1) << "at least one failure disables";
}

TEST_F(KeyPoolTest, DisabledForFailuresListsOnlyKeysMaxFailuresDisabledAndNotPaused) {
  MakePool(5, [] {
    KeyPoolOptions options = DefaultOptions();
    options.max_failures = 1;
    return options;
  }());
  EXPECT_THAT(pool_->DisabledForFailures(), ElementsAre()) << "no key disabled";
  ASSERT_THAT(pool_->Report(4, kFlash, Of(OutcomeKind::kTimeout)), IsOkAndHolds(KeyState::kDisabled));
  ASSERT_THAT(pool_->Report(2, kFlash, Of(OutcomeKind::kServerError)), IsOkAndHolds(KeyState::kDisabled));
  ASSERT_THAT(pool_->Report(3, kFlash, Of(OutcomeKind::kKeyInvalid)), IsOkAndHolds(KeyState::kDisabled));
  ASSERT_THAT(pool_->Report(5, kFlash, Of(OutcomeKind::kConnectionError)), IsOkAndHolds(KeyState::kDisabled));
  KeySelection five;
  five.ids = {5};
  ASSERT_THAT(pool_->Pause(five), IsOkAndHolds(1));
  EXPECT_THAT(pool_->DisabledForFailures(), ElementsAre(2, 4)) << "not the invalid key 3, not the paused key 5";

  KeySelection two;
  two.ids = {2};
  ASSERT_THAT(pool_->Reset(two), IsOkAndHolds(1));
  EXPECT_THAT(pool_->DisabledForFailures(), ElementsAre(4));
  ASSERT_THAT(pool_->Report(4, kFlash, Of(OutcomeKind::kKeyInvalid)), IsOkAndHolds(KeyState::kDisabled));
  EXPECT_THAT(pool_->DisabledForFailures(), ElementsAre()) << "disabled again, now as invalid";
}

TEST_F(KeyPoolTest, FailuresOutsideTheSlidingWindowDoNotCount) {
  MakePool(1);
  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kServerError)).ok());  // t=0
  clock_.AdvanceMs(6 * kMinute);
  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kServerError)).ok());  // t=6
  clock_.AdvanceMs(5 * kMinute);
  // t=11: the first failure left the 10 min window, so this is the 2nd of 3.
  EXPECT_THAT(pool_->Report(1, kFlash, Of(OutcomeKind::kServerError)), IsOkAndHolds(KeyState::kFailing));
  EXPECT_EQ(pool_->Get(1)->failure_count, 2);
  // Quiet for a whole window: the key is active again.
  clock_.AdvanceMs(10 * kMinute + 1);
  KeyPage page = pool_->List({});
  ASSERT_EQ(page.keys.size(), 1u);
  EXPECT_EQ(page.keys[0].state, KeyState::kActive);
  EXPECT_EQ(page.keys[0].failure_count, 0);
}

TEST_F(KeyPoolTest, KeyInvalidDisablesAtOnceAndKeepsARedactedMessage) {
  KeyPoolOptions options = DefaultOptions();
  options.max_failures = 10;
  MakePool(2, options);
  Outcome invalid = Of(OutcomeKind::kKeyInvalid);
  invalid.http_status = 400;
  invalid.error_reason = "API_KEY_INVALID";
  invalid.message = absl::StrCat("API key not valid: ", SecretFor(1), ". Please pass a valid API key.");
  EXPECT_THAT(pool_->Report(1, kFlash, invalid), IsOkAndHolds(KeyState::kDisabled));
  KeyInfo info = *pool_->Get(1);
  EXPECT_EQ(info.state_reason, "API_KEY_INVALID");
  EXPECT_THAT(info.last_error, AllOf(HasSubstr("API key not valid"), Not(HasSubstr(SecretFor(1)))));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(AcquireId(), 2);
}

TEST_F(KeyPoolTest, KeyInvalidWithoutReasonNamesTheStatus) {
  MakePool(1);
  Outcome invalid = Of(OutcomeKind::kKeyInvalid);
  invalid.http_status = 403;
  ASSERT_TRUE(pool_->Report(1, kFlash, invalid).ok());
  EXPECT_EQ(pool_->Get(1)->state_reason, "HTTP_403");
}

TEST_F(KeyPoolTest, ClientErrorsNeverCountAgainstTheKey) {
  MakePool(1);
  // The first report records when the key was used; the state never changes.
  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kClientError)).ok());
  pool_->TakeDirty();
  for (int i = 0; i < 10; ++i) {
    EXPECT_THAT(pool_->Report(1, kFlash, Of(OutcomeKind::kClientError)), IsOkAndHolds(KeyState::kActive));
  }
  EXPECT_EQ(pool_->Get(1)->failure_count, 0);
  EXPECT_TRUE(pool_->TakeDirty().empty());
}

TEST_F(KeyPoolTest, CoolingByModelCountsKeysPerModelUntilTheCooldownsEnd) {
  MakePool(3);
  const std::string per_model = "GenerateRequestsPerMinutePerProjectPerModel-FreeTier";
  ASSERT_TRUE(pool_->Report(1, kPro, RateLimited(30 * kSecond, per_model)).ok());
  ASSERT_TRUE(pool_->Report(2, kPro, RateLimited(60 * kSecond, per_model)).ok());
  ASSERT_TRUE(pool_->Report(3, kFlash, RateLimited(30 * kSecond, per_model)).ok());
  using Cooling = std::vector<std::pair<std::string, int>>;
  EXPECT_EQ(pool_->CoolingByModel(), (Cooling{{kFlash, 1}, {kPro, 2}}));
  clock_.AdvanceMs(30 * kSecond);
  EXPECT_EQ(pool_->CoolingByModel(), (Cooling{{kPro, 1}}));
  clock_.AdvanceMs(30 * kSecond);
  EXPECT_TRUE(pool_->CoolingByModel().empty());
}

TEST_F(KeyPoolTest, RateLimitCoolsTheKeyForThatModelOnly) {
  MakePool(2);
  EXPECT_THAT(pool_->Report(
                  1, kPro, RateLimited(30 * kSecond, "GenerateRequestsPerMinutePerProjectPerModel-FreeTier")),
              IsOkAndHolds(KeyState::kActive));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(AcquireId(kPro), 2) << "key 1 cools for pro";
  std::map<int64_t, int> flash;
  for (int i = 0; i < 10; ++i) ++flash[AcquireId(kFlash)];
  EXPECT_EQ(flash[1], 5) << "key 1 keeps serving flash";
  KeyInfo info = *pool_->Get(1);
  ASSERT_EQ(info.model_cooldowns.size(), 1u);
  EXPECT_EQ(info.model_cooldowns[0].model, kPro);
  EXPECT_EQ(info.model_cooldowns[0].until_ms, clock_.NowUnixMs() + 30 * kSecond);
  EXPECT_THAT(info.model_cooldowns[0].reason, HasSubstr("PerMinute"));

  clock_.AdvanceMs(30 * kSecond - 1);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(AcquireId(kPro), 2);
  clock_.AdvanceMs(1);
  std::map<int64_t, int> pro;
  for (int i = 0; i < 10; ++i) ++pro[AcquireId(kPro)];
  EXPECT_EQ(pro[1], 5) << "key 1 serves pro again once the delay is over";
  EXPECT_TRUE(pool_->Get(1)->model_cooldowns.empty());
}

TEST_F(KeyPoolTest, RateLimitWithoutDelayBacksOffAndSuccessResetsIt) {
  KeyPoolOptions options = DefaultOptions();
  options.rate_limit_backoff_base_ms = 30 * kSecond;
  options.rate_limit_backoff_max_ms = 100 * kSecond;
  MakePool(1, options);
  const int64_t expected[] = {30, 60, 100, 100};
  for (int64_t seconds : expected) {
    const int64_t now = clock_.NowUnixMs();
    ASSERT_TRUE(pool_->Report(1, kPro, RateLimited(0)).ok());
    EXPECT_EQ(pool_->Get(1)->model_cooldowns.at(0).until_ms, now + seconds * kSecond);
    clock_.AdvanceMs(seconds * kSecond);
  }
  ASSERT_TRUE(pool_->Report(1, kPro, Of(OutcomeKind::kSuccess)).ok());
  const int64_t now = clock_.NowUnixMs();
  ASSERT_TRUE(pool_->Report(1, kPro, RateLimited(0)).ok());
  EXPECT_EQ(pool_->Get(1)->model_cooldowns.at(0).until_ms, now + 30 * kSecond);
}

TEST_F(KeyPoolTest, BackoffJitterStaysWithinItsBound) {
  KeyPoolOptions options = DefaultOptions();
  options.rate_limit_jitter = 0.2;
  MakePool(200, options);
  const int64_t now = clock_.NowUnixMs();
  std::set<int64_t> untils;
  for (int64_t id = 1; id <= 200; ++id) {
    ASSERT_TRUE(pool_->Report(id, kPro, RateLimited(0)).ok());
    const int64_t until = pool_->Get(id)->model_cooldowns.at(0).until_ms;
    EXPECT_GE(until, now + 30 * kSecond);
    EXPECT_LE(until, now + 36 * kSecond);
    untils.insert(until);
  }
  EXPECT_GT(untils.size(), 100u) << "keys cooled together come back spread out";
}

TEST_F(KeyPoolTest, PerDayQuotaCoolsUntilMidnightPacific) {
  MakePool(2);
  // 2025-07-15 20:00 UTC is 13:00 PDT; the quota resets at 07:00 UTC.
  const int64_t midnight_pdt =
      absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(2025, 7, 16, 7, 0, 0), absl::UTCTimeZone()));
  ASSERT_TRUE(
      pool_->Report(1, kPro, RateLimited(19 * kSecond, "GenerateRequestsPerDayPerProjectPerModel-FreeTier"))
          .ok());
  KeyInfo info = *pool_->Get(1);
  ASSERT_EQ(info.model_cooldowns.size(), 1u);
  EXPECT_EQ(info.model_cooldowns[0].until_ms, midnight_pdt) << "not the 19 s retry delay";
  EXPECT_EQ(info.state, KeyState::kActive);

  clock_.SetUnixMs(midnight_pdt - 1);
  EXPECT_EQ(AcquireId(kPro), 2);
  EXPECT_EQ(AcquireId(kPro), 2);
  clock_.SetUnixMs(midnight_pdt);
  std::set<int64_t> ids = {AcquireId(kPro), AcquireId(kPro)};
  EXPECT_EQ(ids, (std::set<int64_t>{1, 2}));
}

TEST_F(KeyPoolTest, QuotaNotPerModelCoolsTheKeyForEveryModel) {
  MakePool(2);
  EXPECT_THAT(pool_->Report(1, kPro, RateLimited(20 * kSecond, "RequestsPerMinutePerProject")),
              IsOkAndHolds(KeyState::kCooling));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(AcquireId(kPro), 2);
    EXPECT_EQ(AcquireId(kFlash), 2);
    EXPECT_EQ(AcquireId(""), 2);
  }
  KeyInfo info = *pool_->Get(1);
  EXPECT_EQ(info.cooling_until_ms, clock_.NowUnixMs() + 20 * kSecond);
  EXPECT_THAT(info.state_reason, HasSubstr("RequestsPerMinutePerProject"));
  clock_.AdvanceMs(20 * kSecond);
  EXPECT_EQ(StateOf(1), KeyState::kActive);
  EXPECT_EQ(pool_->Get(1)->cooling_until_ms, 0);
}

TEST_F(KeyPoolTest, RateLimitWithoutModelCoolsForEveryModel) {
  MakePool(1);
  EXPECT_THAT(pool_->Report(1, "", RateLimited(5 * kSecond)), IsOkAndHolds(KeyState::kCooling));
  EXPECT_FALSE(pool_->Acquire(kFlash).available);
  clock_.AdvanceMs(5 * kSecond);
  EXPECT_EQ(AcquireId(kFlash), 1);
}

TEST_F(KeyPoolTest, CoolingKeyThatFailedComesBackFailing) {
  MakePool(1);
  ASSERT_TRUE(pool_->Report(1, "", RateLimited(5 * kSecond)).ok());
  EXPECT_THAT(pool_->Report(1, "", Of(OutcomeKind::kServerError)), IsOkAndHolds(KeyState::kCooling));
  clock_.AdvanceMs(5 * kSecond);
  EXPECT_EQ(StateOf(1), KeyState::kFailing);
  EXPECT_EQ(AcquireId(), 1);
}

TEST_F(KeyPoolTest, AllCoolingGivesTheEarliestTimeAKeyFreesUp) {
  MakePool(3);
  ASSERT_TRUE(pool_->Report(1, kPro, RateLimited(30 * kSecond)).ok());
  ASSERT_TRUE(pool_->Report(2, kPro, RateLimited(12 * kSecond)).ok());
  ASSERT_TRUE(pool_->Report(3, "", RateLimited(50 * kSecond)).ok());
  AcquireResult result = pool_->Acquire(kPro);
  EXPECT_FALSE(result.available);
  EXPECT_EQ(result.retry_at_ms, clock_.NowUnixMs() + 12 * kSecond);
  EXPECT_EQ(result.unavailable_reason,
            "all 3 keys are cooling for gemini-2.5-pro; the first frees up in 12 s");
  clock_.AdvanceMs(10 * kSecond);
  result = pool_->Acquire(kPro);
  EXPECT_EQ(result.retry_at_ms, clock_.NowUnixMs() + 2 * kSecond) << "the cached answer is not stale";
  EXPECT_THAT(result.unavailable_reason, HasSubstr("frees up in 2 s"));
  clock_.AdvanceMs(2 * kSecond);
  EXPECT_EQ(AcquireId(kPro), 2);
  // Flash is served by keys 1 and 2 all along.
  EXPECT_NE(AcquireId(kFlash), 3);
}

TEST_F(KeyPoolTest, MixedUnavailabilityExplainsEachGroup) {
  MakePool(4);
  ASSERT_TRUE(pool_->Report(1, kPro, RateLimited(90 * kMinute)).ok());
  ASSERT_TRUE(pool_->Report(2, kPro, Of(OutcomeKind::kKeyInvalid)).ok());
  ASSERT_THAT(pool_->Pause({{3}}), IsOkAndHolds(1));
  AcquireResult result = pool_->Acquire(kPro, std::vector<int64_t>{4});
  EXPECT_FALSE(result.available);
  EXPECT_EQ(result.unavailable_reason,
            "no key is available for gemini-2.5-pro: of 4 keys, 1 cooling for gemini-2.5-pro, 1 disabled, "
            "1 paused by an admin, 1 already tried for this request; the first frees up in 90 min");
}

TEST_F(KeyPoolTest, NothingComingBackSaysWhatToDo) {
  MakePool(2);
  ASSERT_TRUE(pool_->Report(1, kPro, Of(OutcomeKind::kKeyInvalid)).ok());
  ASSERT_THAT(pool_->Pause({{2}}), IsOkAndHolds(1));
  AcquireResult result = pool_->Acquire(kPro);
  EXPECT_FALSE(result.available);
  EXPECT_EQ(result.retry_at_ms, 0);
  EXPECT_THAT(result.unavailable_reason, HasSubstr("none will become usable by itself"));
}

TEST_F(KeyPoolTest, AllDisabledSaysSo) {
  MakePool(2);
  for (int64_t id : {1, 2}) ASSERT_TRUE(pool_->Report(id, kFlash, Of(OutcomeKind::kKeyInvalid)).ok());
  AcquireResult result = pool_->Acquire(kFlash);
  EXPECT_FALSE(result.available);
  EXPECT_EQ(result.retry_at_ms, 0);
  EXPECT_THAT(result.unavailable_reason, AllOf(HasSubstr("all 2 keys are disabled"),
                                               HasSubstr("gempoolctl keys list --state disabled")));
}

TEST_F(KeyPoolTest, PausedKeysAreNeverHandedOut) {
  MakePool(3);
  EXPECT_THAT(pool_->Pause({{1}}), IsOkAndHolds(1));
  EXPECT_THAT(pool_->Pause({{1}}), IsOkAndHolds(0)) << "already paused";
  EXPECT_EQ(StateOf(1), KeyState::kPaused);
  for (int i = 0; i < 300; ++i) EXPECT_NE(AcquireId(i % 2 ? kPro : kFlash), 1);
  // Reports for a paused key (an attempt in flight) do not unpause it.
  EXPECT_THAT(pool_->Report(1, kFlash, Of(OutcomeKind::kSuccess)), IsOkAndHolds(KeyState::kPaused));
  EXPECT_THAT(pool_->Pause({{}, true}), IsOkAndHolds(2));
  AcquireResult result = pool_->Acquire(kFlash);
  EXPECT_FALSE(result.available);
  EXPECT_THAT(result.unavailable_reason, HasSubstr("all 3 keys are paused"));
  EXPECT_THAT(pool_->Resume({{1}}), IsOkAndHolds(1));
  EXPECT_EQ(AcquireId(), 1);
}

TEST_F(KeyPoolTest, ResumeKeepsFailuresAndCooldownsStillInForce) {
  MakePool(2);
  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kServerError)).ok());
  ASSERT_TRUE(pool_->Report(1, kPro, RateLimited(kMinute)).ok());
  ASSERT_TRUE(pool_->Pause({{1}}).ok());
  EXPECT_THAT(pool_->Resume({{1}}), IsOkAndHolds(1));
  KeyInfo info = *pool_->Get(1);
  EXPECT_EQ(info.state, KeyState::kFailing);
  EXPECT_EQ(info.failure_count, 1);
  EXPECT_EQ(info.model_cooldowns.size(), 1u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(AcquireId(kPro), 2);
}

TEST_F(KeyPoolTest, PausedDisabledKeyIsStillDisabledAfterARestoreAndResume) {
  MakePool(2);
  Outcome invalid = Of(OutcomeKind::kKeyInvalid);
  invalid.error_reason = "API_KEY_INVALID";
  ASSERT_TRUE(pool_->Report(1, kFlash, invalid).ok());
  ASSERT_TRUE(pool_->Pause({{1, 2}}).ok());
  KeyInfo snapshot = *pool_->Get(1);
  EXPECT_EQ(snapshot.state, KeyState::kPaused);
  EXPECT_EQ(snapshot.underlying_state, KeyState::kDisabled);
  EXPECT_EQ(pool_->Get(2)->underlying_state, KeyState::kActive);

  KeyPool restored(DefaultOptions(), clock_, DailyQuotaReset::FixedRule());
  ASSERT_TRUE(restored.Add({snapshot, *pool_->Get(2)}).ok());
  EXPECT_EQ(restored.Get(1)->state, KeyState::kPaused);
  EXPECT_EQ(restored.Get(1)->underlying_state, KeyState::kDisabled);
  EXPECT_THAT(restored.Resume({{1, 2}}), IsOkAndHolds(2));
  EXPECT_EQ(restored.Get(1)->state, KeyState::kDisabled);
  EXPECT_EQ(restored.Get(1)->state_reason, "API_KEY_INVALID");
  EXPECT_EQ(restored.Get(2)->state, KeyState::kActive);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(restored.Acquire(kFlash).key_id, 2);
}

TEST_F(KeyPoolTest, PausedKeyStoredWithoutItsUnderlyingStateResumesFromItsCooldownsAndFailures) {
  MakePool(0);
  const int64_t now = clock_.NowUnixMs();
  KeyInfo old_paused = NewKey(1);  // As stored before underlying_state existed.
  old_paused.state = KeyState::kPaused;
  KeyInfo old_paused_failing = NewKey(2);
  old_paused_failing.state = KeyState::kPaused;
  old_paused_failing.failure_count = 1;
  old_paused_failing.updated_at_ms = now;
  ASSERT_TRUE(pool_->Add({old_paused, old_paused_failing}).ok());
  EXPECT_THAT(pool_->Resume({{1, 2}}), IsOkAndHolds(2));
  EXPECT_EQ(StateOf(1), KeyState::kActive);
  EXPECT_EQ(StateOf(2), KeyState::kFailing);
}

TEST_F(KeyPoolTest, PassingProbeBringsDisabledAndFailingKeysBack) {
  MakePool(3);
  Outcome invalid = Of(OutcomeKind::kKeyInvalid);
  invalid.error_reason = "API_KEY_INVALID";
  ASSERT_TRUE(pool_->Report(1, kFlash, invalid).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool_->Report(2, kFlash, Of(OutcomeKind::kServerError)).ok());
  ASSERT_TRUE(pool_->Report(3, kFlash, Of(OutcomeKind::kTimeout)).ok());
  ASSERT_EQ(StateOf(1), KeyState::kDisabled);
  ASSERT_EQ(StateOf(2), KeyState::kDisabled);
  ASSERT_EQ(pool_->Get(2)->state_reason, "MAX_FAILURES");
  ASSERT_EQ(StateOf(3), KeyState::kFailing);
  pool_->TakeDirty();

  for (int64_t id : {1, 2, 3}) {
    EXPECT_THAT(pool_->ApplyProbe(id, kFlash, Of(OutcomeKind::kSuccess)), IsOkAndHolds(KeyState::kActive));
    KeyInfo info = *pool_->Get(id);
    EXPECT_EQ(info.failure_count, 0) << id;
    EXPECT_EQ(info.state_reason, "") << id;
  }
  EXPECT_EQ(pool_->TakeDirty().size(), 3u) << "the comeback is persisted";
  std::set<int64_t> served;
  for (int i = 0; i < 3; ++i) served.insert(AcquireId(kPro));
  EXPECT_EQ(served, (std::set<int64_t>{1, 2, 3}));
  // A fresh failure counts from zero again.
  EXPECT_THAT(pool_->Report(2, kFlash, Of(OutcomeKind::kServerError)), IsOkAndHolds(KeyState::kFailing));
}

TEST_F(KeyPoolTest, RateLimitedProbeRejoinsTheKeyCoolingForTheProbedModel) {
  MakePool(2);
  Outcome invalid = Of(OutcomeKind::kKeyInvalid);
  ASSERT_TRUE(pool_->Report(1, kFlash, invalid).ok());
  EXPECT_THAT(pool_->ApplyProbe(1, kFlash, RateLimited(30 * kSecond)), IsOkAndHolds(KeyState::kActive));
  KeyInfo info = *pool_->Get(1);
  ASSERT_EQ(info.model_cooldowns.size(), 1u);
  EXPECT_EQ(info.model_cooldowns[0].model, kFlash);
  EXPECT_EQ(info.model_cooldowns[0].until_ms, clock_.NowUnixMs() + 30 * kSecond);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(AcquireId(kFlash), 2);
  std::set<int64_t> pro;
  for (int i = 0; i < 2; ++i) pro.insert(AcquireId(kPro));
  EXPECT_EQ(pro, (std::set<int64_t>{1, 2}));
  // A quota that is not per model cools the key for every model.
  ASSERT_TRUE(pool_->Report(2, kFlash, invalid).ok());
  EXPECT_THAT(pool_->ApplyProbe(2, kFlash, RateLimited(kMinute, "GenerateRequestsPerMinutePerProject")),
              IsOkAndHolds(KeyState::kCooling));
}

TEST_F(KeyPoolTest, InvalidProbeDisablesWithTheNewReason) {
  MakePool(2);
  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kServerError)).ok());
  Outcome invalid = Of(OutcomeKind::kKeyInvalid);
  invalid.http_status = 403;
  invalid.error_reason = "PERMISSION_DENIED";
  invalid.message = "Your API key was reported as leaked: " + SecretFor(1);
  EXPECT_THAT(pool_->ApplyProbe(1, kFlash, invalid), IsOkAndHolds(KeyState::kDisabled));
  KeyInfo info = *pool_->Get(1);
  EXPECT_EQ(info.state_reason, "PERMISSION_DENIED");
  EXPECT_THAT(info.last_error, AllOf(HasSubstr("reported as leaked"), Not(HasSubstr(SecretFor(1)))));
}

TEST_F(KeyPoolTest, ProbesThatDoNotGetThroughChangeNothing) {
  MakePool(2);
  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kKeyInvalid)).ok());
  ASSERT_TRUE(pool_->Report(2, kFlash, Of(OutcomeKind::kServerError)).ok());
  pool_->TakeDirty();
  for (OutcomeKind kind : {OutcomeKind::kServerError, OutcomeKind::kTimeout, OutcomeKind::kConnectionError,
                           OutcomeKind::kClientError}) {
    SCOPED_TRACE(OutcomeKindName(kind));
    EXPECT_THAT(pool_->ApplyProbe(1, kFlash, Of(kind)), IsOkAndHolds(KeyState::kDisabled));
    EXPECT_THAT(pool_->ApplyProbe(2, kFlash, Of(kind)), IsOkAndHolds(KeyState::kFailing));
    EXPECT_EQ(pool_->Get(2)->failure_count, 1) << "a probe's own failure is not counted";
  }
  EXPECT_TRUE(pool_->TakeDirty().empty());
  EXPECT_THAT(pool_->ApplyProbe(42, kFlash, Of(OutcomeKind::kSuccess)), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(KeyPoolTest, ProbeOfAPausedKeyChangesTheStateUnderneath) {
  MakePool(2);
  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kKeyInvalid)).ok());
  ASSERT_TRUE(pool_->Pause({{1}}).ok());
  EXPECT_THAT(pool_->ApplyProbe(1, kFlash, Of(OutcomeKind::kSuccess)), IsOkAndHolds(KeyState::kPaused));
  EXPECT_EQ(pool_->Get(1)->underlying_state, KeyState::kActive);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(AcquireId(), 2) << "still paused";
  EXPECT_THAT(pool_->Resume({{1}}), IsOkAndHolds(1));
  EXPECT_EQ(StateOf(1), KeyState::kActive);
}

TEST_F(KeyPoolTest, PassingProbeKeepsACooldownForEveryModelStillInForce) {
  MakePool(2);
  ASSERT_TRUE(pool_->Report(1, "", RateLimited(kMinute)).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kServerError)).ok());
  ASSERT_EQ(StateOf(1), KeyState::kDisabled);
  EXPECT_THAT(pool_->ApplyProbe(1, kFlash, Of(OutcomeKind::kSuccess)), IsOkAndHolds(KeyState::kCooling));
  EXPECT_EQ(AcquireId(kPro), 2);
  clock_.AdvanceMs(kMinute);
  EXPECT_EQ(StateOf(1), KeyState::kActive);
}

TEST_F(KeyPoolTest, ResetClearsFailuresCooldownsDisablementAndPause) {
  MakePool(4);
  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kKeyInvalid)).ok());
  ASSERT_TRUE(pool_->Report(2, kPro, RateLimited(kMinute)).ok());
  ASSERT_TRUE(pool_->Report(3, "", RateLimited(kMinute)).ok());
  ASSERT_TRUE(pool_->Pause({{4}}).ok());
  EXPECT_THAT(pool_->Reset({{}, true}), IsOkAndHolds(4));
  EXPECT_THAT(pool_->Reset({{}, true}), IsOkAndHolds(0)) << "nothing left to reset";
  PoolCounts counts = pool_->Summary();
  EXPECT_EQ(counts.active, 4);
  EXPECT_EQ(counts.total, 4);
  std::set<int64_t> pro;
  for (int i = 0; i < 4; ++i) pro.insert(AcquireId(kPro));
  EXPECT_EQ(pro, (std::set<int64_t>{1, 2, 3, 4}));
  // The stale expiry of key 3's old cooldown changes nothing later.
  clock_.AdvanceMs(2 * kMinute);
  EXPECT_EQ(StateOf(3), KeyState::kActive);
}

TEST_F(KeyPoolTest, SelectionsAreValidated) {
  MakePool(2);
  EXPECT_THAT(pool_->Pause({{1, 7, 9}}), StatusIs(absl::StatusCode::kNotFound, HasSubstr("7, 9")));
  EXPECT_EQ(StateOf(1), KeyState::kActive) << "nothing applied";
  EXPECT_THAT(pool_->Reset({}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(pool_->Resolve({{2, 1, 2}}), IsOkAndHolds(ElementsAre(1, 2)));
  EXPECT_THAT(pool_->Resolve({{}, true}), IsOkAndHolds(ElementsAre(1, 2)));
}

TEST_F(KeyPoolTest, AddSkipsDuplicatesByIdAndSecret) {
  MakePool(2);
  KeyInfo same_secret = NewKey(9);
  same_secret.secret = SecretFor(1);
  KeyInfo same_twice = NewKey(5);
  EXPECT_THAT(pool_->Add({NewKey(1), same_secret, NewKey(3), same_twice, same_twice}),
              IsOkAndHolds(ElementsAre(false, false, true, true, false)));
  EXPECT_EQ(pool_->size(), 4u);
  EXPECT_EQ(pool_->FindBySecret(SecretFor(3)), 3);
  EXPECT_EQ(pool_->FindBySecret("nope"), std::nullopt);
}

TEST_F(KeyPoolTest, AddRejectsKeysWithoutIdOrSecret) {
  MakePool(0);
  KeyInfo no_secret = NewKey(2);
  no_secret.secret.clear();
  EXPECT_THAT(pool_->Add({NewKey(1), NewKey(0)}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(pool_->Add({no_secret}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(pool_->size(), 0u) << "nothing inserted";
}

TEST_F(KeyPoolTest, UnknownKeyReportIsNotFound) {
  MakePool(1);
  EXPECT_THAT(pool_->Report(42, kFlash, Of(OutcomeKind::kSuccess)), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(KeyPoolTest, RestoresEveryStateFromRecords) {
  MakePool(0);
  const int64_t now = clock_.NowUnixMs();
  KeyInfo active = NewKey(1);
  KeyInfo cooling = NewKey(2);
  cooling.state = KeyState::kCooling;
  cooling.cooling_until_ms = now + kMinute;
  cooling.state_reason = "RESOURCE_EXHAUSTED";
  KeyInfo cooled_already = NewKey(3);
  cooled_already.state = KeyState::kCooling;
  cooled_already.cooling_until_ms = now - 1;
  KeyInfo failing = NewKey(4);
  failing.state = KeyState::kFailing;
  failing.failure_count = 2;
  failing.state_reason = "UNAVAILABLE";
  failing.updated_at_ms = now - kMinute;
  KeyInfo disabled = NewKey(5);
  disabled.state = KeyState::kDisabled;
  disabled.state_reason = "API_KEY_INVALID";
  disabled.last_error = "API key not valid";
  KeyInfo paused = NewKey(6);
  paused.state = KeyState::kPaused;
  KeyInfo pro_cooling = NewKey(7);
  pro_cooling.model_cooldowns = {{kPro, now + 2 * kMinute, "RESOURCE_EXHAUSTED"}, {kFlash, now - 5, "over"}};
  ASSERT_TRUE(pool_->Add({active, cooling, cooled_already, failing, disabled, paused, pro_cooling}).ok());

  EXPECT_EQ(StateOf(1), KeyState::kActive);
  EXPECT_EQ(StateOf(2), KeyState::kCooling);
  EXPECT_EQ(pool_->Get(2)->cooling_until_ms, now + kMinute);
  EXPECT_EQ(StateOf(3), KeyState::kActive);
  EXPECT_EQ(StateOf(4), KeyState::kFailing);
  EXPECT_EQ(pool_->Get(4)->failure_count, 2);
  EXPECT_THAT(pool_->Report(4, kFlash, Of(OutcomeKind::kServerError)), IsOkAndHolds(KeyState::kDisabled))
      << "restored failures still count toward max_failures";
  EXPECT_EQ(StateOf(5), KeyState::kDisabled);
  EXPECT_EQ(pool_->Get(5)->state_reason, "API_KEY_INVALID");
  EXPECT_EQ(pool_->Get(5)->last_error, "API key not valid");
  EXPECT_EQ(StateOf(6), KeyState::kPaused);
  EXPECT_THAT(pool_->Get(7)->model_cooldowns,
              ElementsAre(ModelCooldown{kPro, now + 2 * kMinute, "RESOURCE_EXHAUSTED"}));

  std::set<int64_t> pro;
  for (int i = 0; i < 10; ++i) pro.insert(AcquireId(kPro));
  EXPECT_EQ(pro, (std::set<int64_t>{1, 3}));
  // Restoring changed key 3 (its cooldown ended) and 7 (one ended): persisted.
  std::set<int64_t> dirty;
  for (const KeyInfo& info : pool_->TakeDirty()) dirty.insert(info.id);
  EXPECT_TRUE(dirty.count(3));
  EXPECT_TRUE(dirty.count(7));
}

TEST_F(KeyPoolTest, SnapshotsRoundTripIntoAnotherPool) {
  MakePool(6);
  ASSERT_TRUE(pool_->Report(1, kPro, RateLimited(kMinute)).ok());
  ASSERT_TRUE(pool_->Report(2, "", RateLimited(kMinute)).ok());
  ASSERT_TRUE(pool_->Report(3, kFlash, Of(OutcomeKind::kServerError)).ok());
  ASSERT_TRUE(pool_->Report(4, kFlash, Of(OutcomeKind::kKeyInvalid)).ok());
  ASSERT_TRUE(pool_->Pause({{5}}).ok());
  KeyFilter all;
  std::vector<KeyInfo> before = pool_->List(all).keys;

  KeyPool restored(DefaultOptions(), clock_, DailyQuotaReset::FixedRule());
  ASSERT_TRUE(restored.Add(before).ok());
  std::vector<KeyInfo> after = restored.List(all).keys;
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("key ", before[i].id));
    EXPECT_EQ(after[i].state, before[i].state);
    EXPECT_EQ(after[i].failure_count, before[i].failure_count);
    EXPECT_EQ(after[i].state_reason, before[i].state_reason);
    EXPECT_EQ(after[i].last_error, before[i].last_error);
    EXPECT_EQ(after[i].cooling_until_ms, before[i].cooling_until_ms);
    EXPECT_EQ(after[i].model_cooldowns, before[i].model_cooldowns);
  }
}

TEST_F(KeyPoolTest, TakeDirtyReturnsEachChangedKeyOnce) {
  MakePool(5);
  pool_->TakeDirty();
  ASSERT_TRUE(pool_->Report(2, kFlash, Of(OutcomeKind::kServerError)).ok());
  ASSERT_TRUE(pool_->Report(2, kFlash, Of(OutcomeKind::kServerError)).ok());
  ASSERT_TRUE(pool_->Report(4, kFlash, Of(OutcomeKind::kKeyInvalid)).ok());
  EXPECT_EQ(pool_->dirty_count(), 2u);
  std::vector<KeyInfo> first = pool_->TakeDirty(1);
  std::vector<KeyInfo> rest = pool_->TakeDirty();
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(rest.size(), 1u);
  std::set<int64_t> ids = {first[0].id, rest[0].id};
  EXPECT_EQ(ids, (std::set<int64_t>{2, 4}));
  EXPECT_TRUE(pool_->TakeDirty().empty());
  // Handing a key out records when it was last used (4 keys: 4 is disabled),
  // once a minute (the reports above recorded it for key 2 already).
  clock_.AdvanceMs(kMinute);
  for (int i = 0; i < 4; ++i) AcquireId();
  std::vector<KeyInfo> used = pool_->TakeDirty();
  ASSERT_EQ(used.size(), 4u);
  for (const KeyInfo& key : used) EXPECT_EQ(key.last_used_at_ms, clock_.NowUnixMs());
  // Hand-outs alone write the last-used time at most once a minute.
  clock_.AdvanceMs(30 * kSecond);
  for (int i = 0; i < 4; ++i) AcquireId();
  EXPECT_TRUE(pool_->TakeDirty().empty());
  clock_.AdvanceMs(30 * kSecond);
  for (int i = 0; i < 4; ++i) AcquireId();
  EXPECT_EQ(pool_->TakeDirty().size(), 4u);
}

TEST_F(KeyPoolTest, RemovedKeysLeaveTheRotationAndTheirSlotsAreReused) {
  MakePool(3);
  ASSERT_TRUE(pool_->Report(2, kPro, RateLimited(kMinute)).ok());
  pool_->TakeDirty();
  ASSERT_TRUE(pool_->Report(2, kPro, RateLimited(kMinute)).ok());
  EXPECT_EQ(pool_->Remove(std::vector<int64_t>{2, 99}), 1);
  EXPECT_TRUE(pool_->TakeDirty().empty()) << "removed keys are not written back";
  for (int i = 0; i < 6; ++i) EXPECT_NE(AcquireId(kPro), 2);
  ASSERT_TRUE(pool_->Add({NewKey(4)}).ok());
  std::set<int64_t> pro;
  for (int i = 0; i < 3; ++i) pro.insert(AcquireId(kPro));
  EXPECT_EQ(pro, (std::set<int64_t>{1, 3, 4})) << "the new key in the reused slot serves pro";
  EXPECT_EQ(pool_->Summary().total, 3);
}

TEST_F(KeyPoolTest, SparseAndDenseIdsBothWork) {
  MakePool(0);
  const int64_t huge = 5'000'000'000'000;
  ASSERT_TRUE(pool_->Add({NewKey(huge), NewKey(2), NewKey(huge + 7)}).ok());
  std::set<int64_t> ids;
  for (int i = 0; i < 3; ++i) ids.insert(AcquireId());
  EXPECT_EQ(ids, (std::set<int64_t>{2, huge, huge + 7}));
  EXPECT_THAT(pool_->Report(huge + 7, kFlash, Of(OutcomeKind::kKeyInvalid)), IsOkAndHolds(KeyState::kDisabled));
  EXPECT_THAT(pool_->Resolve({{}, true}), IsOkAndHolds(ElementsAre(2, huge, huge + 7)));
  EXPECT_THAT(pool_->Add({NewKey(huge)}), IsOkAndHolds(ElementsAre(false)));
  EXPECT_EQ(pool_->Remove(std::vector<int64_t>{huge, 2}), 2);
  EXPECT_THAT(pool_->Report(huge, kFlash, Of(OutcomeKind::kSuccess)), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(pool_->size(), 1u);
  EXPECT_THAT(pool_->Add({NewKey(huge), NewKey(2)}), IsOkAndHolds(ElementsAre(true, true)));
  EXPECT_EQ(pool_->size(), 3u);
}

TEST_F(KeyPoolTest, IdsStayFoundWhenTheDenseIndexGrowsPastThem) {
  MakePool(0);
  ASSERT_TRUE(pool_->Add({NewKey(70'000)}).ok());  // Beyond the dense range of an empty pool.
  std::vector<KeyInfo> many;
  for (int64_t id = 1; id <= 20'000; ++id) many.push_back(NewKey(id));
  many.push_back(NewKey(100'000));  // Grows the dense range past 70,000.
  ASSERT_TRUE(pool_->Add(many).ok());
  EXPECT_THAT(pool_->Report(70'000, kFlash, Of(OutcomeKind::kKeyInvalid)), IsOkAndHolds(KeyState::kDisabled));
  EXPECT_THAT(pool_->Add({NewKey(70'000)}), IsOkAndHolds(ElementsAre(false)));
  EXPECT_EQ(pool_->Remove(std::vector<int64_t>{70'000}), 1);
  EXPECT_FALSE(pool_->Get(70'000).has_value());
  EXPECT_EQ(pool_->size(), 20'001u);
}

TEST_F(KeyPoolTest, ListFiltersSortsAndPaginates) {
  MakePool(6);
  ASSERT_TRUE(pool_->Report(2, kPro, RateLimited(kMinute)).ok());
  ASSERT_TRUE(pool_->Report(3, "", RateLimited(kMinute)).ok());
  ASSERT_TRUE(pool_->Report(4, kFlash, Of(OutcomeKind::kKeyInvalid)).ok());
  ASSERT_TRUE(pool_->Pause({{5}}).ok());

  auto ids = [](const KeyPage& page) {
    std::vector<int64_t> out;
    for (const KeyInfo& key : page.keys) out.push_back(key.id);
    return out;
  };
  KeyFilter filter;
  EXPECT_THAT(ids(pool_->List(filter)), ElementsAre(1, 2, 3, 4, 5, 6));
  filter.states = {KeyState::kCooling};
  EXPECT_THAT(ids(pool_->List(filter)), ElementsAre(2, 3)) << "cooling for every model or for some";
  filter.states = {KeyState::kDisabled, KeyState::kPaused};
  EXPECT_THAT(ids(pool_->List(filter)), ElementsAre(4, 5));
  filter.states = {};
  filter.model = kPro;
  EXPECT_THAT(ids(pool_->List(filter)), ElementsAre(2, 3));
  filter.model = "";
  filter.search = SecretFor(6).substr(5, 8);
  EXPECT_THAT(ids(pool_->List(filter)), ElementsAre(6));
  filter.search = "";
  filter.offset = 2;
  filter.limit = 3;
  KeyPage page = pool_->List(filter);
  EXPECT_THAT(ids(page), ElementsAre(3, 4, 5));
  EXPECT_EQ(page.total, 6);
  filter.offset = 10;
  page = pool_->List(filter);
  EXPECT_TRUE(page.keys.empty());
  EXPECT_EQ(page.total, 6);
}

TEST_F(KeyPoolTest, ListSortsByTheRequestedFieldWithTiesById) {
  MakePool(5);
  ASSERT_TRUE(pool_->Report(2, kPro, RateLimited(kMinute)).ok());
  ASSERT_TRUE(pool_->Report(3, "", RateLimited(2 * kMinute)).ok());
  ASSERT_TRUE(pool_->Report(4, kFlash, Of(OutcomeKind::kKeyInvalid)).ok());
  ASSERT_TRUE(pool_->Pause({{5}}).ok());
  auto ids = [](const KeyPage& page) {
    std::vector<int64_t> out;
    for (const KeyInfo& key : page.keys) out.push_back(key.id);
    return out;
  };
  KeyFilter filter;
  filter.descending = true;
  EXPECT_THAT(ids(pool_->List(filter)), ElementsAre(5, 4, 3, 2, 1));
  filter.sort = KeyFilter::Sort::kState;
  filter.descending = false;
  // active (1, 2: cooling for one model only), cooling, disabled, paused.
  EXPECT_THAT(ids(pool_->List(filter)), ElementsAre(1, 2, 3, 4, 5));
  filter.sort = KeyFilter::Sort::kCoolingUntil;
  filter.descending = true;
  EXPECT_THAT(ids(pool_->List(filter)), ElementsAre(3, 2, 1, 4, 5));
  filter.limit = 1;
  filter.offset = 1;
  EXPECT_THAT(ids(pool_->List(filter)), ElementsAre(2));
}

TEST_F(KeyPoolTest, SummaryCountsEachState) {
  MakePool(6);
  ASSERT_TRUE(pool_->Report(2, kPro, RateLimited(kMinute)).ok());
  ASSERT_TRUE(pool_->Report(3, "", RateLimited(kMinute)).ok());
  ASSERT_TRUE(pool_->Report(4, kFlash, Of(OutcomeKind::kKeyInvalid)).ok());
  ASSERT_TRUE(pool_->Pause({{5}}).ok());
  ASSERT_TRUE(pool_->Report(6, kFlash, Of(OutcomeKind::kTimeout)).ok());
  PoolCounts counts = pool_->Summary();
  EXPECT_EQ(counts.total, 6);
  EXPECT_EQ(counts.active, 2);
  EXPECT_EQ(counts.cooling, 1);
  EXPECT_EQ(counts.failing, 1);
  EXPECT_EQ(counts.disabled, 1);
  EXPECT_EQ(counts.paused, 1);
  EXPECT_EQ(counts.cooling_some_model, 1);
  clock_.AdvanceMs(kMinute);
  counts = pool_->Summary();
  EXPECT_EQ(counts.active, 3) << "the cooldowns are over";
  EXPECT_EQ(counts.failing, 1) << "the timeout is still in the window";
  EXPECT_EQ(counts.cooling, 0);
  EXPECT_EQ(counts.cooling_some_model, 0);
}

TEST_F(KeyPoolTest, LargePoolFindsTheFewUsableKeys) {
  MakePool(100'000);
  for (int64_t id = 1; id <= 100'000; ++id) {
    if (id % 10'000 != 0) {
      ASSERT_TRUE(pool_->Report(id, kPro, RateLimited(kMinute)).ok());
    }
  }
  std::map<int64_t, int> counts;
  for (int i = 0; i < 100; ++i) ++counts[AcquireId(kPro)];
  ASSERT_EQ(counts.size(), 10u);
  for (const auto& [id, n] : counts) {
    EXPECT_EQ(id % 10'000, 0);
    EXPECT_EQ(n, 10);
  }
}

// Random operations; after each, whatever Acquire answers must agree with the
// keys' own snapshots: a handed-out key is usable for the model, and "none
// available" means no key is.
TEST_F(KeyPoolTest, AcquireAgreesWithKeyStatesUnderRandomOperations) {
  MakePool(8);
  std::mt19937 rng(7);
  const std::vector<std::string> models = {kPro, kFlash, "gemini-2.0-flash", ""};
  auto usable = [&](const KeyInfo& key, const std::string& model) {
    if (key.state != KeyState::kActive && key.state != KeyState::kFailing) return false;
    for (const ModelCooldown& cooldown : key.model_cooldowns) {
      if (cooldown.model == model && !model.empty()) return false;
    }
    return true;
  };
  int handed_out = 0;
  int unavailable = 0;
  for (int step = 0; step < 20000; ++step) {
    const int64_t id = 1 + static_cast<int64_t>(rng() % 8);
    const std::string& model = models[rng() % models.size()];
    switch (rng() % 10) {
      case 0:
        ASSERT_TRUE(pool_->Report(id, model, RateLimited((1 + rng() % 120) * kSecond)).ok());
        break;
      case 1:
        ASSERT_TRUE(pool_->Report(id, model, Of(OutcomeKind::kServerError)).ok());
        break;
      case 2:
        if (rng() % 4 == 0) {
          ASSERT_TRUE(pool_->Report(id, model, Of(OutcomeKind::kKeyInvalid)).ok());
        }
        break;
      case 3:
        ASSERT_TRUE(pool_->Report(id, model, Of(OutcomeKind::kSuccess)).ok());
        break;
      case 4:
        ASSERT_TRUE(pool_->Pause({{id}}).ok());
        break;
      case 5:
        ASSERT_TRUE(pool_->Resume({{id}}).ok());
        break;
      case 6:
        if (rng() % 3 == 0) {
          ASSERT_TRUE(pool_->Reset({{id}}).ok());
        }
        break;
      case 7:
        clock_.AdvanceMs((rng() % 30) * kSecond);
        break;
      default: {
        const std::vector<int64_t> exclude = {1 + static_cast<int64_t>(rng() % 8)};
        AcquireResult result = pool_->Acquire(model, exclude);
        KeyPage page = pool_->List({{}, "", "", 1000, 0});
        if (result.available) {
          ++handed_out;
          ASSERT_NE(result.key_id, exclude[0]);
          auto key = pool_->Get(result.key_id);
          ASSERT_TRUE(key.has_value());
          ASSERT_TRUE(usable(*key, model))
              << "step " << step << ": key " << result.key_id << " handed out for '" << model << "' in state "
              << KeyStateName(key->state);
        } else {
          ++unavailable;
          for (const KeyInfo& key : page.keys) {
            ASSERT_FALSE(usable(key, model) && key.id != exclude[0])
                << "step " << step << ": key " << key.id << " was usable for '" << model
                << "' but: " << result.unavailable_reason;
          }
          if (result.retry_at_ms != 0) {
            ASSERT_GT(result.retry_at_ms, clock_.NowUnixMs());
          }
        }
      }
    }
  }
  // Both answers were exercised.
  EXPECT_GT(handed_out, 100);
  EXPECT_GT(unavailable, 100);
}


// The change feed a gateway's replica is fed from: each key once, in its
// latest state; removals by id; hand-outs alone are not changes.
TEST_F(KeyPoolTest, TakeChangesListsAddedChangedAndRemovedKeysOnce) {
  MakePool(3);
  KeyChanges added = pool_->TakeChanges();
  EXPECT_EQ(added.changed.size(), 3u);
  EXPECT_TRUE(added.removed.empty());
  EXPECT_TRUE(pool_->TakeChanges().changed.empty()) << "taken once";

  AcquireId();
  AcquireId();
  EXPECT_TRUE(pool_->TakeChanges().changed.empty()) << "a hand-out is not a state change";

  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kServerError)).ok());
  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kKeyInvalid)).ok());
  ASSERT_TRUE(pool_->Report(2, kFlash, Of(OutcomeKind::kSuccess)).ok());
  pool_->Remove(std::vector<int64_t>{3});
  KeyChanges changes = pool_->TakeChanges();
  ASSERT_EQ(changes.changed.size(), 1u) << "key 2's success changed nothing";
  EXPECT_EQ(changes.changed[0].id, 1);
  EXPECT_EQ(changes.changed[0].state, KeyState::kDisabled) << "the latest state, once";
  EXPECT_THAT(changes.removed, ElementsAre(3));
}

TEST_F(KeyPoolTest, TakeChangesHonoursMax) {
  MakePool(5);
  EXPECT_EQ(pool_->TakeChanges(2).changed.size(), 2u);
  EXPECT_EQ(pool_->TakeChanges().changed.size(), 3u);
}

TEST_F(KeyPoolTest, UpsertReplacesAKeysStateAndKeepsItsPlaceInTheRotation) {
  MakePool(3);
  EXPECT_EQ(AcquireId(), 1);
  KeyInfo disabled = NewKey(2);
  disabled.state = KeyState::kDisabled;
  disabled.state_reason = "API_KEY_INVALID";
  ASSERT_TRUE(pool_->Upsert({disabled}).ok());
  EXPECT_EQ(StateOf(2), KeyState::kDisabled);
  EXPECT_EQ(pool_->Get(2)->state_reason, "API_KEY_INVALID");
  EXPECT_EQ(pool_->size(), 3u);
  EXPECT_EQ(AcquireId(), 3) << "the disabled key is skipped";
  EXPECT_EQ(AcquireId(), 1);

  ASSERT_TRUE(pool_->Upsert({NewKey(2)}).ok());
  EXPECT_EQ(StateOf(2), KeyState::kActive);
  std::vector<int64_t> got;
  for (int i = 0; i < 3; ++i) got.push_back(AcquireId());
  EXPECT_THAT(got, ElementsAre(2, 3, 1)) << "back in its old place";
}

TEST_F(KeyPoolTest, UpsertAddsNewKeysAndAppliesPerModelCooldowns) {
  MakePool(1);
  KeyInfo cooling = NewKey(7);
  cooling.model_cooldowns.push_back({kPro, clock_.NowUnixMs() + 30 * kSecond, "RESOURCE_EXHAUSTED"});
  ASSERT_TRUE(pool_->Upsert({cooling}).ok());
  EXPECT_EQ(pool_->size(), 2u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(AcquireId(kPro), 1) << "key 7 cools for " << kPro;
  std::vector<int64_t> flash = {AcquireId(kFlash), AcquireId(kFlash)};
  EXPECT_THAT(flash, ::testing::UnorderedElementsAre(1, 7));
}

TEST_F(KeyPoolTest, UpsertRejectsKeysWithoutIdOrSecretAndChangesNothing) {
  MakePool(2);
  KeyInfo no_secret = NewKey(1);
  no_secret.secret.clear();
  no_secret.state = KeyState::kDisabled;
  EXPECT_THAT(pool_->Upsert({no_secret}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty secret")));
  EXPECT_EQ(StateOf(1), KeyState::kActive);
}

TEST_F(KeyPoolTest, ReportRecordsWhenTheKeyWasLastUsed) {
  MakePool(1);
  clock_.AdvanceMs(5 * kMinute);
  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kSuccess)).ok());
  EXPECT_EQ(pool_->Get(1)->last_used_at_ms, clock_.NowUnixMs())
      << "with replicas in the gateways, the broker learns of a use from its outcome";
}


TEST_F(KeyPoolTest, AReplicaRecordsNoChangesSoNothingGrowsWithUpdates) {
  KeyPoolOptions options = DefaultOptions();
  options.record_changes = false;
  MakePool(2, options);
  for (int i = 0; i < 100; ++i) {
    KeyInfo update = NewKey(1);
    update.state = i % 2 == 0 ? KeyState::kDisabled : KeyState::kActive;
    ASSERT_TRUE(pool_->Upsert({update}).ok());
    ASSERT_TRUE(pool_->Report(2, kFlash, Of(OutcomeKind::kServerError)).ok());
  }
  EXPECT_EQ(pool_->dirty_count(), 0u);
  EXPECT_TRUE(pool_->TakeChanges().changed.empty());
  EXPECT_TRUE(pool_->TakeDirty().empty());
  EXPECT_EQ(StateOf(2), KeyState::kDisabled) << "the policy itself still applies";
}

TEST_F(KeyPoolTest, APoolWithoutTimesHandsOutAndAppliesOutcomesAlike) {
  KeyPoolOptions options = DefaultOptions();
  options.record_changes = false;
  options.record_times = false;
  MakePool(0, options);
  KeyInfo stored = NewKey(1);
  stored.created_at_ms = 1000;
  stored.updated_at_ms = 2000;
  stored.last_used_at_ms = 3000;
  ASSERT_TRUE(pool_->Add({stored, NewKey(2)}).ok());
  clock_.AdvanceMs(kMinute);
  AcquireResult first = pool_->Acquire(kFlash, {});
  ASSERT_TRUE(first.available);
  EXPECT_EQ(first.key_id, 1);
  EXPECT_EQ(first.secret, stored.secret);
  ASSERT_TRUE(pool_->Report(1, kFlash, RateLimited(kMinute)).ok());
  EXPECT_EQ(pool_->Acquire(kFlash, {}).key_id, 2) << "key 1 cools for flash";
  const std::optional<KeyInfo> key = pool_->Get(1);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->created_at_ms, 0) << "no times kept";
  EXPECT_EQ(key->updated_at_ms, 0);
  EXPECT_EQ(key->last_used_at_ms, 0);
  EXPECT_EQ(key->model_cooldowns.size(), 1u);
}

TEST_F(KeyPoolTest, TimesFollowTheirKeyWhenASlotIsReused) {
  MakePool(3);
  clock_.AdvanceMs(kMinute);
  ASSERT_TRUE(pool_->Report(2, kFlash, Of(OutcomeKind::kSuccess)).ok());
  pool_->Remove(std::vector<int64_t>{1});
  KeyInfo added = NewKey(7);
  added.created_at_ms = 1234;
  ASSERT_TRUE(pool_->Add({added}).ok());
  EXPECT_EQ(pool_->Get(7)->created_at_ms, 1234);
  EXPECT_EQ(pool_->Get(7)->last_used_at_ms, 0) << "nothing left from the removed key";
  EXPECT_EQ(pool_->Get(2)->last_used_at_ms, clock_.NowUnixMs());
}

// What the broker streams to a new watcher: every key once, in pages.
TEST_F(KeyPoolTest, ListPageWalksEveryKeyOnceInPages) {
  MakePool(10);
  pool_->Remove(std::vector<int64_t>{4});  // A hole in the slots.
  ASSERT_TRUE(pool_->Report(2, kPro, RateLimited(kMinute)).ok());
  std::vector<int64_t> ids;
  size_t cursor = 0;
  int pages = 0;
  while (true) {
    std::vector<KeyInfo> page = pool_->ListPage(&cursor, 4);
    if (page.empty()) break;
    ASSERT_LE(page.size(), 4u);
    ++pages;
    for (const KeyInfo& key : page) {
      ids.push_back(key.id);
      EXPECT_EQ(key.secret, SecretFor(key.id));
      if (key.id == 2) {
        EXPECT_EQ(key.model_cooldowns.size(), 1u) << "the full state, as List shows it";
      }
    }
  }
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(ids, ElementsAre(1, 2, 3, 5, 6, 7, 8, 9, 10));
  EXPECT_TRUE(pool_->ListPage(&cursor, 4).empty()) << "stays at the end";
}

TEST_F(KeyPoolTest, ListPageShowsCooldownsThatEndedAsOver) {
  MakePool(2);
  ASSERT_TRUE(pool_->Report(1, "", RateLimited(kMinute)).ok());
  size_t cursor = 0;
  ASSERT_EQ(pool_->ListPage(&cursor, 1).at(0).state, KeyState::kCooling);
  clock_.AdvanceMs(2 * kMinute);
  cursor = 0;
  EXPECT_EQ(pool_->ListPage(&cursor, 1).at(0).state, KeyState::kActive);
}

TEST_F(KeyPoolTest, ClearChangesForgetsTheLoad) {
  MakePool(3);
  pool_->ClearChanges();
  EXPECT_TRUE(pool_->TakeChanges().changed.empty());
  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kKeyInvalid)).ok());
  KeyChanges changes = pool_->TakeChanges();
  ASSERT_EQ(changes.changed.size(), 1u) << "later changes are listed again";
  EXPECT_EQ(changes.changed[0].id, 1);
}

// Secrets are stored once, inline when short (every Gemini key), on the heap
// when long; the index by secret follows slots as keys come and go.
TEST_F(KeyPoolTest, FindsKeysBySecretOfAnyLengthAsSlotsAreReused) {
  MakePool(0);
  const std::string gemini = "AIzaSyA1234567890abcdefghijklmnopqrstuv";  // 39: inline.
  const std::string long_secret(120, 'k');
  KeyInfo a = NewKey(1);
  a.secret = gemini;
  KeyInfo b = NewKey(2);
  b.secret = long_secret;
  KeyInfo c = NewKey(3);
  c.secret = "k";
  ASSERT_THAT(pool_->Add({a, b, c}), IsOkAndHolds(ElementsAre(true, true, true)));
  EXPECT_EQ(pool_->FindBySecret(gemini), 1);
  EXPECT_EQ(pool_->FindBySecret(long_secret), 2);
  EXPECT_EQ(pool_->FindBySecret("k"), 3);
  EXPECT_EQ(pool_->FindBySecret(gemini.substr(1)), std::nullopt);
  EXPECT_EQ(pool_->Get(2)->secret, long_secret);

  EXPECT_EQ(pool_->Remove(std::vector<int64_t>{1, 2}), 2);
  EXPECT_EQ(pool_->FindBySecret(gemini), std::nullopt);
  EXPECT_EQ(pool_->FindBySecret(long_secret), std::nullopt);
  KeyInfo a_again = NewKey(4);
  a_again.secret = long_secret;  // Into a freed slot.
  KeyInfo b_again = NewKey(5);
  b_again.secret = gemini;
  ASSERT_THAT(pool_->Add({a_again, b_again}), IsOkAndHolds(ElementsAre(true, true)));
  EXPECT_EQ(pool_->FindBySecret(long_secret), 4);
  EXPECT_EQ(pool_->FindBySecret(gemini), 5);
  KeyInfo duplicate = NewKey(6);
  duplicate.secret = gemini;
  EXPECT_THAT(pool_->Add({duplicate}), IsOkAndHolds(ElementsAre(false)));

  // Upsert by secret: a new id for a known secret replaces the key.
  KeyInfo renumbered = NewKey(7);
  renumbered.secret = gemini;
  ASSERT_TRUE(pool_->Upsert({renumbered}).ok());
  EXPECT_EQ(pool_->FindBySecret(gemini), 7);
  EXPECT_EQ(pool_->Get(5), std::nullopt);
  EXPECT_EQ(pool_->size(), 3u);
  AcquireResult acquired = pool_->Acquire(kFlash, {3, 4});
  ASSERT_TRUE(acquired.available);
  EXPECT_EQ(acquired.key_id, 7);
  EXPECT_EQ(acquired.secret, gemini);
}

// Keys that had trouble and recovered behave as keys that never had any.
TEST_F(KeyPoolTest, AKeyThatRecoversIsAsGoodAsNew) {
  MakePool(2);
  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kServerError)).ok());
  ASSERT_TRUE(pool_->Report(1, kPro, RateLimited(kMinute)).ok());
  EXPECT_EQ(StateOf(1), KeyState::kFailing);
  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kSuccess)).ok());
  clock_.AdvanceMs(2 * kMinute);
  std::optional<KeyInfo> key = pool_->Get(1);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->state, KeyState::kActive);
  EXPECT_EQ(key->failure_count, 0);
  EXPECT_TRUE(key->model_cooldowns.empty());
  EXPECT_TRUE(key->state_reason.empty());
  EXPECT_FALSE(key->last_error.empty()) << "the last error stays for admins";
  ASSERT_THAT(pool_->Reset({{1}}), IsOkAndHolds(0)) << "nothing left to reset";
  // A new failure starts from scratch.
  ASSERT_TRUE(pool_->Report(1, kFlash, Of(OutcomeKind::kServerError)).ok());
  EXPECT_EQ(pool_->Get(1)->failure_count, 1);
}

}  // namespace
}  // namespace gempool::keypool
