// Text clean-up and validation before values reach a column, and the JSON
// form of model cooldowns.

#include "text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cooldowns_json.h"
#include "gempool/testing/status_matchers.h"

namespace gempool::storage {
namespace {

using ::gempool::testing::IsOk;
using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ValidateSecretTest, AcceptsApiKeysAndRejectsJunkWithoutEchoingIt) {
  EXPECT_THAT(ValidateSecret("AIzaSyA1234567890abcdefghijklmnopqrstu", 0), IsOk());
  EXPECT_THAT(ValidateSecret("AQ.Ab8RN6abcdef", 0), IsOk());
  EXPECT_THAT(ValidateSecret("", 4), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key #5 is empty")));
  const std::string spaced = "AIzaSyA123456 7890abcdefghijklmnopqrstu";
  EXPECT_THAT(ValidateSecret(spaced, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("space"), Not(HasSubstr(spaced)))));
  EXPECT_THAT(ValidateSecret("AIza\ttab", 0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateSecret(std::string(300, 'k'), 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("300 characters")));
}

TEST(ValidateSettingNameTest, AcceptsEnvironmentVariableNames) {
  EXPECT_THAT(ValidateSettingName("MAX_RETRIES"), IsOk());
  EXPECT_THAT(ValidateSettingName("_private2"), IsOk());
  EXPECT_THAT(ValidateSettingName(""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(ValidateSettingName("2FAST"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateSettingName("A.B"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'A.B'")));
}

TEST(CooldownsJsonTest, RoundTrips) {
  ModelCooldowns in;
  auto* c = in.Add();
  c->set_model("gemini-2.5-pro");
  c->set_until_ms(1'760'000'000'123);
  c->set_reason("RESOURCE_EXHAUSTED \"per day\" \xe9\x85\x8d\xe9\xa2\x9d");
  in.Add()->set_model("gemini-2.5-flash");
  const std::string json = EncodeCooldowns(in);
  ModelCooldowns out;
  ASSERT_TRUE(DecodeCooldowns(json, &out));
  ASSERT_EQ(out.size(), 2);
  EXPECT_EQ(out[0].model(), "gemini-2.5-pro");
  EXPECT_EQ(out[0].until_ms(), 1'760'000'000'123);
  EXPECT_EQ(out[0].reason(), in[0].reason());
  EXPECT_EQ(out[1].model(), "gemini-2.5-flash");
  EXPECT_EQ(EncodeCooldowns(ModelCooldowns()), "[]");
}

TEST(CooldownsJsonTest, InvalidUtf8IsReplacedNotThrown) {
  ModelCooldowns in;
  in.Add()->set_reason("bad \xff byte");
  ModelCooldowns out;
  ASSERT_TRUE(DecodeCooldowns(EncodeCooldowns(in), &out));
  EXPECT_EQ(out[0].reason(), "bad ? byte");
}

TEST(CooldownsJsonTest, RejectsGarbage) {
  ModelCooldowns out;
  EXPECT_TRUE(DecodeCooldowns("", &out));
  EXPECT_FALSE(DecodeCooldowns("not json", &out));
  EXPECT_FALSE(DecodeCooldowns("{\"model\":\"x\"}", &out));
  EXPECT_FALSE(DecodeCooldowns("[{\"model\":1,\"until_ms\":2}]", &out));
  EXPECT_FALSE(DecodeCooldowns("[{\"model\":\"x\",\"until_ms\":2}, 3]", &out));
  EXPECT_EQ(out.size(), 0);
}

}  // namespace
}  // namespace gempool::storage
