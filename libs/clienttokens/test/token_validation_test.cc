#include "gempool/clienttokens/token_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/common/time_zone.h"
#include "gempool/testing/status_matchers.h"

namespace gempool::clienttokens {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'800'000'000'000;  // 2027-01-15 08:00:00 UTC.

TEST(TokenValidationTest, Names) {
  EXPECT_TRUE(ValidateName("cherry-studio-laptop").ok());
  EXPECT_TRUE(ValidateName("笔记本").ok());
  EXPECT_THAT(ValidateName(""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs a name")));
  EXPECT_THAT(ValidateName("   "), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateName("a\nb"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("control")));
  EXPECT_THAT(ValidateName("\xff"), StatusIs(absl::StatusCode::kInvalidArgument));
  // Overlong forms and surrogates are not UTF-8 either.
  EXPECT_THAT(ValidateName("a\xC0\xAF" "b"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateName("a\xED\xA0\x80" "b"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(ValidateName("caf\xC3\xA9 \xF0\x9F\x8D\x92").ok());
  EXPECT_THAT(ValidateName(std::string(65, 'a')), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("65")));
  EXPECT_TRUE(ValidateName(std::string(64, 'a')).ok());
}

TEST(TokenValidationTest, Expiry) {
  EXPECT_TRUE(ValidateExpiry(0, kNow).ok());
  EXPECT_TRUE(ValidateExpiry(kNow + 1, kNow).ok());
  EXPECT_THAT(ValidateExpiry(kNow, kNow), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("future")));
}

TEST(TokenValidationTest, Limits) {
  v1::ClientTokenLimits limits;
  EXPECT_TRUE(ValidateLimits(limits).ok());
  limits.set_requests_per_minute(-1);
  EXPECT_THAT(ValidateLimits(limits), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("requests_per_minute")));
  limits.set_requests_per_minute(60);
  limits.set_tokens_per_day(-5);
  EXPECT_THAT(ValidateLimits(limits), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tokens_per_day")));
  limits.set_tokens_per_day(1000);
  limits.add_allowed_models("gemini-2.5-*");
  limits.add_allowed_models("models/gemini-2.0-flash");
  EXPECT_TRUE(ValidateLimits(limits).ok());
  limits.add_allowed_models("gem*ini");
  EXPECT_THAT(ValidateLimits(limits), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("gem*ini")));
  limits.mutable_allowed_models()->RemoveLast();
  limits.add_allowed_models("");
  EXPECT_THAT(ValidateLimits(limits), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TokenValidationTest, ParseExpiryDurationsAndDates) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  EXPECT_EQ(*ParseExpiry("", kNow, utc), 0);
  EXPECT_EQ(*ParseExpiry("never", kNow, utc), 0);
  EXPECT_EQ(*ParseExpiry("30d", kNow, utc), kNow + 30LL * 86'400'000);
  EXPECT_EQ(*ParseExpiry("12h", kNow, utc), kNow + 12LL * 3'600'000);
  EXPECT_EQ(*ParseExpiry("90m", kNow, utc), kNow + 90LL * 60'000);
  // The end of 2027-02-01 in Shanghai: 2027-02-02 00:00 +08:00.
  const absl::TimeZone shanghai = *LoadTimeZoneSetting("Asia/Shanghai");
  EXPECT_EQ(*ParseExpiry("2027-02-01", kNow, shanghai), 1'801'497'600'000);
  EXPECT_THAT(ParseExpiry("2020-01-01", kNow, utc).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("passed")));
  EXPECT_THAT(ParseExpiry("soon", kNow, utc).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("30d")));
  EXPECT_THAT(ParseExpiry("0d", kNow, utc).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TokenValidationTest, RefusalReason) {
  v1::ClientToken token;
  token.set_name("x");
  EXPECT_EQ(RefusalReason(token, kNow), "");
  token.set_expires_at_ms(kNow + 1);
  EXPECT_EQ(RefusalReason(token, kNow), "");
  EXPECT_THAT(RefusalReason(token, kNow + 1), HasSubstr("client token 'x' expired at 2027-01-15"));
  token.set_disabled(true);
  EXPECT_EQ(RefusalReason(token, kNow), "client token 'x' is disabled");
}

}  // namespace
}  // namespace gempool::clienttokens
