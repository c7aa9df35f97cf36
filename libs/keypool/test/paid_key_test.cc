#include "gempool/keypool/paid_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::keypool {
namespace {

using ::testing::HasSubstr;

TEST(PaidKeyTest, ServesImageModelsOnlyWhenSet) {
  EXPECT_TRUE(IsPaidKeyModel("imagen-4.0-generate-001"));
  EXPECT_FALSE(IsPaidKeyModel("gemini-2.5-flash"));
  EXPECT_EQ(AcquirePaidKey("", "imagen-4.0-generate-001", {}), std::nullopt);
  EXPECT_EQ(AcquirePaidKey("AIzaPaid", "gemini-2.5-flash", {}), std::nullopt);

  std::optional<AcquireResult> paid = AcquirePaidKey("AIzaPaid", "imagen-4.0-generate-001", {});
  ASSERT_TRUE(paid.has_value());
  EXPECT_TRUE(paid->available);
  EXPECT_EQ(paid->key_id, kPaidKeyId);
  EXPECT_EQ(paid->secret, "AIzaPaid");
}

TEST(PaidKeyTest, AlreadyTriedMeansUnavailableNotThePool) {
  const int64_t tried[] = {kPaidKeyId};
  std::optional<AcquireResult> again = AcquirePaidKey("AIzaPaid", "imagen-4.0-generate-001", tried);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->available);
  EXPECT_THAT(again->unavailable_reason, HasSubstr("PAID_KEY"));
  EXPECT_TRUE(again->secret.empty());
}

}  // namespace
}  // namespace gempool::keypool
