#include "fake_upstream/behavior.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"

namespace gempool::fake {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;
using json = nlohmann::json;

TEST(ParseBehaviorTest, StatusAloneIsAnError) {
  auto b = ParseBehavior(json::parse(
      R"({"status":429,"retryDelay":"30s","quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier"})"));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->kind, Behavior::Kind::kError);
  EXPECT_EQ(b->status, 429);
  EXPECT_EQ(b->retry_delay, "30s");
  EXPECT_EQ(b->quota_id, "GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
}

TEST(ParseBehaviorTest, LeakedImplies403) {
  auto b = ParseBehavior(json::parse(R"({"leaked":true})"));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->kind, Behavior::Kind::kError);
  EXPECT_EQ(b->status, 403);
  EXPECT_TRUE(b->leaked);
}

TEST(ParseBehaviorTest, Kinds) {
  auto slow = ParseBehavior(json::parse(R"({"kind":"slow","delayMs":2000})"));
  ASSERT_TRUE(slow.ok());
  EXPECT_EQ(slow->kind, Behavior::Kind::kSlow);
  EXPECT_EQ(slow->delay_ms, 2000);
  auto broken = ParseBehavior(json::parse(R"({"kind":"broken_stream","afterChunks":2})"));
  ASSERT_TRUE(broken.ok());
  EXPECT_EQ(broken->kind, Behavior::Kind::kBrokenStream);
  EXPECT_EQ(broken->after_chunks, 2);
  auto stream = ParseBehavior(json::parse(R"({"kind":"slow_stream","chunks":5,"intervalMs":50})"));
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(stream->kind, Behavior::Kind::kStream);
  EXPECT_EQ(stream->chunks, 5);
  EXPECT_EQ(stream->interval_ms, 50);
  auto stream_error = ParseBehavior(json::parse(R"({"kind":"stream_error","afterChunks":1})"));
  ASSERT_TRUE(stream_error.ok());
  EXPECT_EQ(stream_error->status, 503);
  auto reset = ParseBehavior(json::parse(R"({"kind":"broken_stream","afterChunks":1,"reset":true})"));
  ASSERT_TRUE(reset.ok());
  EXPECT_TRUE(reset->reset);
  EXPECT_THAT(ParseBehavior(json::parse(R"({"kind":"slow","reset":true})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("broken_stream")));
  auto hang = ParseBehavior(json::parse(R"({"kind":"hang"})"));
  ASSERT_TRUE(hang.ok());
  EXPECT_EQ(hang->kind, Behavior::Kind::kHang);
}

TEST(ParseBehaviorTest, RawBody) {
  auto b = ParseBehavior(json::parse(R"({"status":200,"body":"{ \"x\" : 1 }","contentType":"application/json"})"));
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->has_body);
  EXPECT_EQ(b->body, "{ \"x\" : 1 }");
}

TEST(ParseBehaviorTest, RejectsTyposAndBadValues) {
  EXPECT_THAT(ParseBehavior(json::parse(R"({"statsu":429})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("statsu")));
  EXPECT_THAT(ParseBehavior(json::parse(R"({"status":"429"})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("status")));
  EXPECT_THAT(ParseBehavior(json::parse(R"({"status":429,"retryDelay":"30"})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("retryDelay")));
  EXPECT_THAT(ParseBehavior(json::parse(R"({"kind":"explode"})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kind")));
  EXPECT_THAT(ParseBehavior(json::parse(R"({"kind":"error"})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("status")));
  EXPECT_THAT(ParseBehavior(json::parse(R"({"kind":"broken_stream","chunks":2,"afterChunks":2})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("afterChunks")));
  EXPECT_THAT(ParseBehavior(json::parse(R"([1])")), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace gempool::fake
