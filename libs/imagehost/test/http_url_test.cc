#include "gempool/imagehost/http_url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"

namespace gempool::imagehost {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;

TEST(HttpUrlTest, SplitsTheParts) {
  absl::StatusOr<HttpUrl> url = ParseHttpUrl("http://127.0.0.1:9000/api/1/upload?format=json", "X");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->Origin(), "http://127.0.0.1:9000");
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->path, "/api/1/upload");
  EXPECT_EQ(url->query, "format=json");
  absl::StatusOr<HttpUrl> bare = ParseHttpUrl("https://[::1]:8443", "X");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->host, "::1");
  EXPECT_EQ(bare->PathAndQuery(), "/");
}

TEST(HttpUrlTest, RefusesWhatCannotBeUsed) {
  EXPECT_THAT(ParseHttpUrl("ftp://x/y", "PICGO_API_URL"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("PICGO_API_URL")));
  EXPECT_THAT(ParseHttpUrl("https://user:pw@x/y", "X"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseHttpUrl("https:///y", "X"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseHttpUrl("https://x/y z", "X"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(HttpUrlTest, AddressHostsAndEscaping) {
  EXPECT_TRUE(IsAddressHost("127.0.0.1"));
  EXPECT_TRUE(IsAddressHost("::1"));
  EXPECT_TRUE(IsAddressHost("localhost"));
  EXPECT_FALSE(IsAddressHost("oss-cn-hangzhou.aliyuncs.com"));
  EXPECT_EQ(QueryEscape("a b/c&d=e~"), "a%20b%2Fc%26d%3De~");
  EXPECT_EQ(PathEscape("2026/12/06/a b.png"), "2026/12/06/a%20b.png");
}

}  // namespace
}  // namespace gempool::imagehost
