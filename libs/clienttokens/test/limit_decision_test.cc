#include "gempool/clienttokens/limit_decision.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/common/time_zone.h"
#include "gempool/testing/fake_clock.h"

namespace gempool::clienttokens {
namespace {

using ::testing::HasSubstr;

v1::ClientToken Token(int rpm, int64_t per_day) {
  v1::ClientToken token;
  token.set_name("x");
  token.mutable_limits()->set_requests_per_minute(rpm);
  token.mutable_limits()->set_tokens_per_day(per_day);
  return token;
}

class LimitDecisionTest : public ::testing::Test {
 protected:
  // 2027-01-15 08:00:20 UTC: 40 s to the next minute.
  gempool::testing::FakeClock clock_{1'800'000'020'000};
  absl::TimeZone zone_ = *LoadTimeZoneSetting("Asia/Shanghai");
};

TEST_F(LimitDecisionTest, NoLimitsAllowEverything) {
  EXPECT_TRUE(Decide(Token(0, 0), {}, {}, "gemini-2.5-pro", clock_.NowUnixMs(), zone_).allowed());
}

TEST_F(LimitDecisionTest, RequestsPerMinuteCountsSharedAndLocal) {
  const int64_t now = clock_.NowUnixMs();
  WindowUse shared;
  shared.AddRequests(now, 2);
  WindowUse local;
  EXPECT_TRUE(Decide(Token(3, 0), shared, local, "", now, zone_).allowed());
  local.AddRequests(now, 1);
  const LimitDecision refused = Decide(Token(3, 0), shared, local, "", now, zone_);
  EXPECT_EQ(refused.refused_by, Limit::kRequestsPerMinute);
  EXPECT_EQ(refused.http_status(), 429);
  EXPECT_EQ(refused.retry_after_s, 40);
  EXPECT_EQ(refused.message, "client token 'x' is over its requests_per_minute limit (3)");
  // The next minute starts from zero.
  clock_.AdvanceMs(40'000);
  EXPECT_TRUE(Decide(Token(3, 0), shared, local, "", clock_.NowUnixMs(), zone_).allowed());
}

TEST_F(LimitDecisionTest, RetryAfterIsAtLeastOneSecond) {
  clock_.SetUnixMs(1'800'000'059'999);
  WindowUse shared;
  shared.AddRequests(clock_.NowUnixMs(), 1);
  EXPECT_EQ(Decide(Token(1, 0), shared, {}, "", clock_.NowUnixMs(), zone_).retry_after_s, 1);
}

TEST_F(LimitDecisionTest, TokensPerDayUntilTheNextDayInTheZone) {
  const int64_t now = clock_.NowUnixMs();  // 16:00:20 in Shanghai.
  WindowUse shared;
  shared.AddTokens(now, 600, zone_);
  WindowUse local;
  local.AddTokens(now, 399, zone_);
  EXPECT_TRUE(Decide(Token(0, 1000), shared, local, "", now, zone_).allowed());
  local.AddTokens(now, 1, zone_);
  const LimitDecision refused = Decide(Token(0, 1000), shared, local, "", now, zone_);
  EXPECT_EQ(refused.refused_by, Limit::kTokensPerDay);
  EXPECT_EQ(refused.retry_after_s, 8 * 3600 - 20);
  EXPECT_THAT(refused.message, HasSubstr("tokens_per_day limit (1000)"));
  clock_.AdvanceMs(8 * 3'600'000LL);
  EXPECT_TRUE(Decide(Token(0, 1000), shared, local, "", clock_.NowUnixMs(), zone_).allowed());
}

TEST_F(LimitDecisionTest, ModelRefusedWith403NamingIt) {
  v1::ClientToken token = Token(0, 0);
  token.mutable_limits()->add_allowed_models("gemini-2.5-*");
  EXPECT_TRUE(Decide(token, {}, {}, "models/gemini-2.5-flash", clock_.NowUnixMs(), zone_).allowed());
  const LimitDecision refused = Decide(token, {}, {}, "gemini-2.0-flash", clock_.NowUnixMs(), zone_);
  EXPECT_EQ(refused.http_status(), 403);
  EXPECT_EQ(refused.retry_after_s, 0);
  EXPECT_THAT(refused.message, HasSubstr("may not call model 'gemini-2.0-flash'"));
  EXPECT_EQ(LimitName(refused.refused_by), "allowed_models");
}

}  // namespace
}  // namespace gempool::clienttokens
