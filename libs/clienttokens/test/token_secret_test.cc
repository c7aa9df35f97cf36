#include "gempool/clienttokens/token_secret.h"

#include <gtest/gtest.h>

#include <set>

#include "absl/strings/match.h"

namespace gempool::clienttokens {
namespace {

TEST(TokenSecretTest, SecretIsPrefixAndFortyBase62Characters) {
  absl::StatusOr<std::string> secret = GenerateSecret();
  ASSERT_TRUE(secret.ok());
  ASSERT_EQ(secret->size(), 43u);
  EXPECT_TRUE(absl::StartsWith(*secret, "gp-"));
  for (char c : secret->substr(3)) EXPECT_TRUE(isalnum(static_cast<unsigned char>(c))) << *secret;
}

TEST(TokenSecretTest, SecretsDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(*GenerateSecret());
  EXPECT_EQ(seen.size(), 200u);
}

TEST(TokenSecretTest, Sha256HexOfKnownInput) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(TokenSecretTest, ShownPrefixIsSevenCharacters) { EXPECT_EQ(ShownPrefix("gp-3fA9xyzzy"), "gp-3fA9"); }

}  // namespace
}  // namespace gempool::clienttokens
