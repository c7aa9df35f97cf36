// KeyPool::AcquirePinned: one exact key for a model, or why not.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "gempool/keypool/key_pool.h"
#include "gempool/testing/fake_clock.h"
#include "test_outcomes.h"

namespace gempool::keypool {
namespace {

using ::gempool::testing::FakeClock;
using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::kFlash;
using testing::kPro;
using testing::kSecond;
using testing::RateLimited;

class PinnedAcquireTest : public ::testing::Test {
 protected:
  PinnedAcquireTest() {
    KeyPoolOptions options;
    options.rate_limit_jitter = 0;
    pool_ = std::make_unique<KeyPool>(options, clock_, DailyQuotaReset::FixedRule());
    std::vector<KeyInfo> keys;
    for (int id = 1; id <= 3; ++id) {
      KeyInfo key;
      key.id = id;
      key.secret = absl::StrCat("secret-", id);
      keys.push_back(key);
    }
    EXPECT_TRUE(pool_->Add(keys).ok());
  }

  FakeClock clock_{1'750'000'000'000};
  std::unique_ptr<KeyPool> pool_;
};

TEST_F(PinnedAcquireTest, UsableKeyIsHandedOutEveryTime) {
  for (int i = 0; i < 3; ++i) {
    AcquireResult result = pool_->AcquirePinned(2, kFlash);
    ASSERT_TRUE(result.available) << result.unavailable_reason;
    EXPECT_EQ(result.key_id, 2);
    EXPECT_EQ(result.secret, "secret-2");
  }
}

TEST_F(PinnedAcquireTest, DoesNotMoveTheRotation) {
  ASSERT_TRUE(pool_->AcquirePinned(2, kFlash).available);
  EXPECT_EQ(pool_->Acquire(kFlash).key_id, 1);
  EXPECT_EQ(pool_->Acquire(kFlash).key_id, 2);
}

TEST_F(PinnedAcquireTest, CoolingForTheModelIsUnavailableUntilItFreesUp) {
  ASSERT_TRUE(pool_->Report(2, kPro, RateLimited(30 * kSecond)).ok());
  AcquireResult result = pool_->AcquirePinned(2, kPro);
  EXPECT_FALSE(result.available);
  EXPECT_EQ(result.retry_at_ms, clock_.NowUnixMs() + 30 * kSecond);
  EXPECT_THAT(result.unavailable_reason, AllOf(HasSubstr("key 2"), HasSubstr("cooling for gemini-2.5-pro")));
  // Other models are not affected.
  EXPECT_TRUE(pool_->AcquirePinned(2, kFlash).available);
  clock_.AdvanceMs(30 * kSecond);
  EXPECT_TRUE(pool_->AcquirePinned(2, kPro).available);
}

TEST_F(PinnedAcquireTest, CoolingForEveryModelIsUnavailableWithTheTime) {
  ASSERT_TRUE(pool_->Report(3, "", RateLimited(90 * kSecond)).ok());
  for (const char* model : {kPro, kFlash, ""}) {
    AcquireResult result = pool_->AcquirePinned(3, model);
    EXPECT_FALSE(result.available) << model;
    EXPECT_EQ(result.retry_at_ms, clock_.NowUnixMs() + 90 * kSecond) << model;
  }
  clock_.AdvanceMs(90 * kSecond);
  EXPECT_TRUE(pool_->AcquirePinned(3, kPro).available);
}

TEST_F(PinnedAcquireTest, DisabledKeySaysSoAndWillNotFreeUp) {
  Outcome invalid;
  invalid.kind = OutcomeKind::kKeyInvalid;
  invalid.http_status = 400;
  invalid.error_reason = "API_KEY_INVALID";
  ASSERT_TRUE(pool_->Report(1, kFlash, invalid).ok());
  AcquireResult result = pool_->AcquirePinned(1, kFlash);
  EXPECT_FALSE(result.available);
  EXPECT_EQ(result.retry_at_ms, 0);
  EXPECT_THAT(result.unavailable_reason,
              AllOf(HasSubstr("key 1 is disabled"), HasSubstr("API_KEY_INVALID"), HasSubstr("gempoolctl keys reset 1")));
}

TEST_F(PinnedAcquireTest, PausedKeySaysSoEvenWhenAlsoCooling) {
  ASSERT_TRUE(pool_->Report(1, kFlash, RateLimited(30 * kSecond)).ok());
  ASSERT_TRUE(pool_->Pause(KeySelection{.ids = {1}}).ok());
  AcquireResult result = pool_->AcquirePinned(1, kFlash);
  EXPECT_FALSE(result.available);
  EXPECT_EQ(result.retry_at_ms, 0);
  EXPECT_THAT(result.unavailable_reason, AllOf(HasSubstr("paused"), HasSubstr("gempoolctl keys resume 1")));
  ASSERT_TRUE(pool_->Resume(KeySelection{.ids = {1}}).ok());
  EXPECT_TRUE(pool_->AcquirePinned(1, kPro).available);
}

TEST_F(PinnedAcquireTest, FailingKeyIsStillUsable) {
  Outcome failed;
  failed.kind = OutcomeKind::kServerError;
  failed.http_status = 503;
  ASSERT_TRUE(pool_->Report(2, kFlash, failed).ok());
  ASSERT_EQ(pool_->Get(2)->state, KeyState::kFailing);
  EXPECT_TRUE(pool_->AcquirePinned(2, kFlash).available);
}

TEST_F(PinnedAcquireTest, UnknownKeyIsUnavailableWithoutRetryTime) {
  AcquireResult result = pool_->AcquirePinned(42, kFlash);
  EXPECT_FALSE(result.available);
  EXPECT_EQ(result.retry_at_ms, 0);
  EXPECT_THAT(result.unavailable_reason, HasSubstr("no longer in the gemini pool"));
  pool_->Remove(std::vector<int64_t>{2});
  EXPECT_FALSE(pool_->AcquirePinned(2, kFlash).available);
}

}  // namespace
}  // namespace gempool::keypool
