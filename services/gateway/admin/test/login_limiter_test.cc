#include "admin/login_limiter.h"

#include <gtest/gtest.h>

#include "gempool/testing/fake_clock.h"

namespace gempool::gateway::admin {
namespace {

TEST(LoginLimiterTest, BlocksAnAddressAfterTooManyFailuresUntilTheyAge) {
  gempool::testing::FakeClock clock;
  LoginLimiter limiter(clock, {3, 60000, 100});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.RetryAfterMs("a"), 0);
    limiter.RecordFailure("a");
    clock.AdvanceMs(1000);
  }
  EXPECT_EQ(limiter.RetryAfterMs("a"), 57000);
  EXPECT_EQ(limiter.RetryAfterMs("b"), 0);
  clock.AdvanceMs(57000);
  EXPECT_EQ(limiter.RetryAfterMs("a"), 0);
  limiter.RecordFailure("a");
  EXPECT_GT(limiter.RetryAfterMs("a"), 0) << "the two recent failures still count";
  limiter.RecordSuccess("a");
  EXPECT_EQ(limiter.RetryAfterMs("a"), 0);
}

TEST(LoginLimiterTest, ForgetsTheStalestAddressWhenFull) {
  gempool::testing::FakeClock clock;
  LoginLimiter limiter(clock, {1, 60000, 2});
  limiter.RecordFailure("old");
  clock.AdvanceMs(10);
  limiter.RecordFailure("mid");
  clock.AdvanceMs(10);
  limiter.RecordFailure("new");
  EXPECT_EQ(limiter.RetryAfterMs("old"), 0);
  EXPECT_GT(limiter.RetryAfterMs("mid"), 0);
  EXPECT_GT(limiter.RetryAfterMs("new"), 0);
}

}  // namespace
}  // namespace gempool::gateway::admin
