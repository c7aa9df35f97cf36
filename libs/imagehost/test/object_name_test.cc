#include "gempool/imagehost/object_name.h"

#include <set>

#include <gtest/gtest.h>

#include "test/test_support.h"

namespace gempool::imagehost {
namespace {

TEST(ObjectNameTest, DatePathRandomAndExtension) {
  EXPECT_EQ(ObjectName(testing::FixedEnv().now, "0123456789abcdef", "image/png"),
            "2026/12/06/0123456789abcdef.png");
  EXPECT_EQ(ExtensionForMime("IMAGE/JPEG"), "jpg");
  EXPECT_EQ(ExtensionForMime("image/webp"), "webp");
  EXPECT_EQ(ExtensionForMime("application/x-thing"), "bin");
}

TEST(ObjectNameTest, RandomPartsDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string hex = RandomHex(16);
    ASSERT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(hex);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace gempool::imagehost
