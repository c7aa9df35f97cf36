#include "http_status.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gempool::gateway {
namespace {

TEST(HttpStatusForTest, CanonicalMapping) {
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kOk), 200);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kInternal), 500);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kDeadlineExceeded), 504);
}

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
