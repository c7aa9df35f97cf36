#include "gempool/clienttokens/model_allow_list.h"

#include <gtest/gtest.h>

namespace gempool::clienttokens {
namespace {

v1::ClientTokenLimits Allowing(std::initializer_list<const char*> models) {
  v1::ClientTokenLimits limits;
  for (const char* m : models) limits.add_allowed_models(m);
  return limits;
}

TEST(ModelAllowListTest, EmptyListAllowsEverything) {
  EXPECT_TRUE(ModelAllowed(v1::ClientTokenLimits(), "gemini-2.5-pro"));
}

TEST(ModelAllowListTest, ExactMatchOnly) {
  const v1::ClientTokenLimits limits = Allowing({"gemini-2.5-flash"});
  EXPECT_TRUE(ModelAllowed(limits, "gemini-2.5-flash"));
  EXPECT_TRUE(ModelAllowed(limits, "models/gemini-2.5-flash"));
  EXPECT_FALSE(ModelAllowed(limits, "gemini-2.5-flash-lite"));
  EXPECT_FALSE(ModelAllowed(limits, "gemini-2.5-pro"));
}

TEST(ModelAllowListTest, TrailingStarMatchesPrefix) {
  const v1::ClientTokenLimits limits = Allowing({"gemini-2.5-*", "imagen-3.0-generate-002"});
  EXPECT_TRUE(ModelAllowed(limits, "gemini-2.5-flash"));
  EXPECT_TRUE(ModelAllowed(limits, "models/gemini-2.5-pro"));
  EXPECT_FALSE(ModelAllowed(limits, "gemini-2.0-flash"));
  EXPECT_TRUE(ModelAllowed(limits, "imagen-3.0-generate-002"));
}

TEST(ModelAllowListTest, NoModelIsAllowed) { EXPECT_TRUE(ModelAllowed(Allowing({"x"}), "")); }

}  // namespace
}  // namespace gempool::clienttokens
