#include "gempool/gemini/error_body.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gempool::gemini {
namespace {

TEST(MakeErrorBodyTest, GoogleShape) {
  const std::string body = MakeErrorBody(401, "UNAUTHENTICATED", "pass a \"token\"");
  auto j = nlohmann::json::parse(body);
  EXPECT_EQ(j["error"]["code"], 401);
  EXPECT_EQ(j["error"]["status"], "UNAUTHENTICATED");
  EXPECT_EQ(j["error"]["message"], "pass a \"token\"");
}

TEST(MakeErrorBodyTest, InvalidUtf8DoesNotThrow) {
  const std::string body = MakeErrorBody(502, "UNAVAILABLE", std::string("bad \xff byte"));
  EXPECT_NO_THROW(nlohmann::json::parse(body));
}

}  // namespace
}  // namespace gempool::gemini
