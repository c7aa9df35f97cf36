#include "gempool/gemini/google_status.h"

#include <gtest/gtest.h>

namespace gempool::gemini {
namespace {

TEST(GoogleStatusNameTest, FollowsGooglesHttpMapping) {
  EXPECT_EQ(GoogleStatusName(400), "INVALID_ARGUMENT");
  EXPECT_EQ(GoogleStatusName(401), "UNAUTHENTICATED");
  EXPECT_EQ(GoogleStatusName(403), "PERMISSION_DENIED");
  EXPECT_EQ(GoogleStatusName(404), "NOT_FOUND");
  EXPECT_EQ(GoogleStatusName(409), "ABORTED");
  EXPECT_EQ(GoogleStatusName(429), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(GoogleStatusName(499), "CANCELLED");
  EXPECT_EQ(GoogleStatusName(500), "INTERNAL");
  // google.rpc.Code's name, not HTTP's reason phrase "Not Implemented".
  EXPECT_EQ(GoogleStatusName(501), "UNIMPLEMENTED");
  EXPECT_EQ(GoogleStatusName(503), "UNAVAILABLE");
  EXPECT_EQ(GoogleStatusName(504), "DEADLINE_EXCEEDED");
}

TEST(GoogleStatusNameTest, StatusesOutsideTheMappingHaveNone) {
  for (int status : {0, 200, 302, 408, 413, 431, 502, 599, -1}) {
    EXPECT_EQ(GoogleStatusName(status), std::nullopt) << status;
  }
}

}  // namespace
}  // namespace gempool::gemini
