#include "admin/request_guard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::gateway::admin {
namespace {

using ::testing::HasSubstr;

TEST(RequestGuardTest, ReadsTheSessionCookie) {
  EXPECT_EQ(CookieValue("a=1; gempool_session=abc; b=2", "gempool_session"), "abc");
  EXPECT_EQ(CookieValue("gempool_session_x=1", "gempool_session"), std::nullopt);
  EXPECT_EQ(CookieValue("", "gempool_session"), std::nullopt);
}

TEST(RequestGuardTest, AdminBearerNeedsTheExactToken) {
  EXPECT_TRUE(IsAdminBearer({{"authorization", "Bearer tok"}}, "tok"));
  EXPECT_TRUE(IsAdminBearer({{"authorization", "bearer  tok "}}, "tok"));
  EXPECT_FALSE(IsAdminBearer({{"authorization", "Bearer tok2"}}, "tok"));
  EXPECT_FALSE(IsAdminBearer({{"authorization", "tok"}}, "tok"));
  EXPECT_FALSE(IsAdminBearer({{"authorization", "Bearer "}}, ""));
}

TEST(RequestGuardTest, SameOriginChecks) {
  EXPECT_TRUE(CheckSameOrigin({}).ok()) << "non-browser clients send neither header";
  EXPECT_TRUE(CheckSameOrigin({{"sec-fetch-site", "same-origin"}, {"origin", "http://h:8000"}, {"host", "h:8000"}}).ok());
  EXPECT_TRUE(CheckSameOrigin({{"origin", "https://h"}, {"host", "h:443"}}).ok());
  EXPECT_TRUE(CheckSameOrigin({{"origin", "https://ui.example"}, {"host", "127.0.0.1:8000"},
                               {"x-forwarded-host", "ui.example"}})
                  .ok())
      << "behind a reverse proxy";
  EXPECT_FALSE(CheckSameOrigin({{"sec-fetch-site", "cross-site"}}).ok());
  EXPECT_FALSE(CheckSameOrigin({{"sec-fetch-site", "same-site"}}).ok());
  EXPECT_FALSE(CheckSameOrigin({{"origin", "http://evil:8000"}, {"host", "h:8000"}}).ok());
  EXPECT_FALSE(CheckSameOrigin({{"origin", "null"}, {"host", "h:8000"}}).ok());
}

TEST(RequestGuardTest, CsrfNeedsTheHeader) {
  EXPECT_TRUE(CheckCsrf({{"x-csrf-token", "t1"}}, "t1").ok());
  EXPECT_THAT(CheckCsrf({}, "t1").message(), HasSubstr("X-CSRF-Token"));
  EXPECT_FALSE(CheckCsrf({{"x-csrf-token", "t2"}}, "t1").ok());
}

TEST(RequestGuardTest, SessionCookieAttributes) {
  EXPECT_EQ(SessionCookie("id", 60, false), "gempool_session=id; Path=/; Max-Age=60; HttpOnly; SameSite=Strict");
  EXPECT_THAT(SessionCookie("id", 60, true), HasSubstr("; Secure"));
  EXPECT_TRUE(CameOverHttps({{"x-forwarded-proto", "https"}}));
  EXPECT_FALSE(CameOverHttps({{"x-forwarded-proto", "http"}}));
}

}  // namespace
}  // namespace gempool::gateway::admin
