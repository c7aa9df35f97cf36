#include "gempool/common/secrets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MaskKeyTest, ShowsOnlyEnds) {
  EXPECT_EQ(MaskKey("AIzaSyA1234567890abcdefghijklmnopqrstu"), "AIzaSy...rstu");
  EXPECT_EQ(MaskKey("short"), "...rt");
}

TEST(RedactSecretsTest, RedactsKnownAndKeyShapedSecrets) {
  const std::string known = "my-custom-secret-key";
  const std::string google = "AIzaSyD" + std::string(32, 'x');
  std::string text = "Consumer 'api_key:" + google + "' has been suspended; also " + known;
  std::string out = RedactSecrets(text, {known});
  EXPECT_THAT(out, Not(HasSubstr(google)));
  EXPECT_THAT(out, Not(HasSubstr(known)));
  EXPECT_THAT(out, HasSubstr("AIzaSy...xxxx"));
  EXPECT_THAT(out, HasSubstr("has been suspended"));
}

TEST(RedactSecretsTest, RedactsNewAqKeys) {
  std::string key = "AQ.Ab8RN6abcdefghijklmnopqrstuvwxyz";
  EXPECT_THAT(RedactSecrets("key " + key + " leaked", {}), Not(HasSubstr(key)));
}

TEST(TokenIdTest, StableShortAndNotTheToken) {
  EXPECT_EQ(TokenId("sk-123456"), TokenId("sk-123456"));
  EXPECT_NE(TokenId("sk-123456"), TokenId("sk-123457"));
  EXPECT_EQ(TokenId("sk-123456").size(), 12u);
  EXPECT_EQ(TokenId(""), "");
}

}  // namespace
}  // namespace gempool
