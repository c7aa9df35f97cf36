#include "http/http_status.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gempool::gateway {
namespace {

TEST(ErrorReplyTest, GeminiShapedBody) {
  HttpReply reply = ErrorReply(absl::UnavailableError("key broker at 127.0.0.1:8001 is not answering"));
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.content_type, "application/json; charset=UTF-8");
  auto body = nlohmann::json::parse(reply.body);
  EXPECT_EQ(body["error"]["code"], 503);
  EXPECT_EQ(body["error"]["status"], "UNAVAILABLE");
  EXPECT_EQ(body["error"]["message"], "key broker at 127.0.0.1:8001 is not answering");
}

}  // namespace
}  // namespace gempool::gateway
