#include "gempool/config/parse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"

namespace gempool::config {
namespace {

using ::gempool::testing::IsOkAndHolds;
using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

TEST(ParseStringListTest, AcceptsJsonAndCommaForms) {
  EXPECT_THAT(ParseStringList("K", "[\"a\", \" b \"]"), IsOkAndHolds(ElementsAre("a", "b")));
  EXPECT_THAT(ParseStringList("K", "a, b,,c"), IsOkAndHolds(ElementsAre("a", "b", "c")));
  EXPECT_THAT(ParseStringList("K", "\"a\",\"b\""), IsOkAndHolds(ElementsAre("a", "b")));
  EXPECT_THAT(ParseStringList("K", ""), IsOkAndHolds(IsEmpty()));
}

// The settings fuzzer (tests/fuzz/config_settings/quoted_entry_spaces): the
// comma form kept white space inside quotes, so ALLOWED_TOKENS=" sk-a " in
// quotes held a token with spaces that no client sends.
TEST(ParseStringListTest, QuotedCommaEntriesAreTrimmedToo) {
  EXPECT_THAT(ParseStringList("ALLOWED_TOKENS", "\" sk-a \", ' sk-b\v', \"\r\""),
              IsOkAndHolds(ElementsAre("sk-a", "sk-b")));
}

TEST(ParseStringListTest, MalformedJsonNamesTheVariable) {
  EXPECT_THAT(ParseStringList("API_KEYS", "[\"a\","),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("API_KEYS")));
  EXPECT_THAT(ParseStringList("API_KEYS", "[1,2]"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("quoted string")));
}

TEST(ParseStringListTest, NeverEchoesSecretValues) {
  const std::string keys = "[\"AIzaSySecretKeyValue1234567890\",";
  auto parsed = ParseStringList("API_KEYS", keys);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("API_KEYS"));
  EXPECT_THAT(std::string(parsed.status().message()), ::testing::Not(HasSubstr("AIzaSySecret")));
  auto tokens = ParseStringList("ALLOWED_TOKENS", "[\"sk-secret-token\"");
  ASSERT_FALSE(tokens.ok());
  EXPECT_THAT(std::string(tokens.status().message()), ::testing::Not(HasSubstr("sk-secret-token")));
}

TEST(ParseIntTest, ChecksDigitsAndRange) {
  EXPECT_THAT(ParseInt("PORT", "8000", 1, 65535), IsOkAndHolds(8000));
  EXPECT_THAT(ParseInt("PORT", "80a", 1, 65535),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("PORT='80a'")));
  EXPECT_THAT(ParseInt("PORT", "70000", 1, 65535), StatusIs(absl::StatusCode::kInvalidArgument));
}

// NaN compares false with everything, so "value < min || value > max" let
// CHECK_INTERVAL_HOURS=nan through (tests/fuzz/config_settings/nan_interval).
TEST(ParseDoubleTest, RefusesNanAndInfinity) {
  EXPECT_THAT(ParseDouble("CHECK_INTERVAL_HOURS", "1.5", 0, 8760), IsOkAndHolds(1.5));
  for (const char* text : {"nan", "NaN", "-nan", "inf", "-inf", "8760.5"}) {
    EXPECT_THAT(ParseDouble("CHECK_INTERVAL_HOURS", text, 0, 8760),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("CHECK_INTERVAL_HOURS")))
        << text;
  }
}

TEST(ParseBoolTest, AcceptsCommonSpellings) {
  EXPECT_THAT(ParseBool("B", "TRUE"), IsOkAndHolds(true));
  EXPECT_THAT(ParseBool("B", "off"), IsOkAndHolds(false));
  EXPECT_THAT(ParseBool("B", "maybe"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseStringMapTest, ParsesObjectsOnly) {
  EXPECT_THAT(ParseStringMap("H", "{\"X-A\":\"1\",\"X-B\":2}"),
              IsOkAndHolds(ElementsAre(Pair("X-A", "1"), Pair("X-B", "2"))));
  EXPECT_THAT(ParseStringMap("H", "[1]"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ValidateHostPortTest, NeedsHostAndNumericPort) {
  EXPECT_TRUE(ValidateHostPort("A", "keybroker:8001").ok());
  EXPECT_FALSE(ValidateHostPort("A", "keybroker").ok());
  EXPECT_FALSE(ValidateHostPort("A", "keybroker:x").ok());
  EXPECT_EQ(PortOf("h:8002"), 8002);
}

}  // namespace
}  // namespace gempool::config
