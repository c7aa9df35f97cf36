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
  EXPECT_EQ(TokenId("abc"), Sha256Hex("abc").substr(0, 12));
}

TEST(Sha256HexTest, KnownInputs) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SecretEqualsTest, EqualOnlyWhenEveryByteAndTheLengthMatch) {
  EXPECT_TRUE(SecretEquals("sk-secret", "sk-secret"));
  EXPECT_TRUE(SecretEquals("", ""));
  EXPECT_FALSE(SecretEquals("sk-secret", "sk-secreT"));
  EXPECT_FALSE(SecretEquals("sk-secret", "sk-secret2"));
  EXPECT_FALSE(SecretEquals("", "x"));
  EXPECT_FALSE(SecretEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace gempool
