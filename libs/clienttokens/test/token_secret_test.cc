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

TEST(TokenSecretTest, ShownPrefixIsSevenCharacters) { EXPECT_EQ(ShownPrefix("gp-3fA9xyzzy"), "gp-3fA9"); }

}  // namespace
}  // namespace gempool::clienttokens
