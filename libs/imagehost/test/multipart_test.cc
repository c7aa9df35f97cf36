#include "gempool/imagehost/multipart.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::imagehost {
namespace {

TEST(MultipartTest, OneFileField) {
  const std::string bytes("a\0b", 3);
  EXPECT_EQ(MultipartBody("XYZ", MultipartFile{"smfile", "f.png", "image/png", bytes}),
            std::string("--XYZ\r\nContent-Disposition: form-data; name=\"smfile\"; filename=\"f.png\"\r\n"
                        "Content-Type: image/png\r\n\r\na\0b\r\n--XYZ--\r\n",
                        113));
  EXPECT_EQ(MultipartContentType("XYZ"), "multipart/form-data; boundary=XYZ");
}

TEST(MultipartTest, BoundariesAreRandom) {
  const std::string a = RandomBoundary();
  EXPECT_THAT(a, ::testing::StartsWith("gempool-"));
  EXPECT_EQ(a.size(), 40u);
  EXPECT_NE(a, RandomBoundary());
}

}  // namespace
}  // namespace gempool::imagehost
