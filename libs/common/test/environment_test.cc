#include "gempool/common/environment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"

namespace gempool {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST(ParseDotEnvTest, ReadsPlainQuotedExportedAndJsonValues) {
  auto parsed = ParseDotEnv(
      "# comment\n"
      "PORT=8000\n"
      "export AUTH_TOKEN=sk-admin\n"
      "API_KEYS=[\"AIzaA\",\"AIzaB\"]\n"
      "NAME=\"two words\"   # trailing\n"
      "SINGLE='a # not a comment'\n"
      "LEVEL=INFO # comment\n"
      "EMPTY=\n"
      "ESC=\"a\\nb\"\n",
      ".env");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(*parsed, UnorderedElementsAre(Pair("PORT", "8000"), Pair("AUTH_TOKEN", "sk-admin"),
                                            Pair("API_KEYS", "[\"AIzaA\",\"AIzaB\"]"),
                                            Pair("NAME", "two words"), Pair("SINGLE", "a # not a comment"),
                                            Pair("LEVEL", "INFO"), Pair("EMPTY", ""), Pair("ESC", "a\nb")));
}

TEST(ParseDotEnvTest, RejectsLineWithoutEqualsNamingFileAndLine) {
  EXPECT_THAT(ParseDotEnv("A=1\nthis is wrong\n", "/x/.env"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("/x/.env:2")));
}

TEST(ParseDotEnvTest, RejectsUnclosedQuote) {
  EXPECT_THAT(ParseDotEnv("A=\"open\n", ".env"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("never closed")));
}

// .env holds keys and passwords and start-up errors reach logs: a refusal
// names the file, line and variable, never the value (the .env fuzzer,
// tests/fuzz/dotenv/pasted_key_line).
TEST(ParseDotEnvTest, ErrorsNeverShowValues) {
  EXPECT_THAT(ParseDotEnv("A=1\nAIzaSyPastedKeyWithoutName1234567\n", "/x/.env"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("/x/.env:2"), Not(HasSubstr("AIzaSyPastedKey")))));
  EXPECT_THAT(ParseDotEnv("MYSQL_PASSWORD=\"hunter2-secret\"extra-secret\n", ".env"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(".env:1: MYSQL_PASSWORD"), Not(HasSubstr("secret")))));
  EXPECT_THAT(ParseDotEnv("PAID_KEY='AIzaSyUnclosed\n", ".env"),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("PAID_KEY"), Not(HasSubstr("AIza")))));
}

// The .env fuzzer (tests/fuzz/dotenv/variable_named_export): "export" is a
// prefix only when a name follows it.
TEST(ParseDotEnvTest, AVariableNamedExport) {
  auto parsed = ParseDotEnv("export = 'a'\nexport export=b\n", ".env");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(*parsed, UnorderedElementsAre(Pair("export", "b")));
  EXPECT_THAT(*ParseDotEnv("export = 'a'", ".env"), UnorderedElementsAre(Pair("export", "a")));
}

TEST(ParseDotEnvTest, RejectsInvalidName) {
  EXPECT_THAT(ParseDotEnv("1A=1\n", ".env"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(EnvironmentTest, GetOrFallsBackOnEmptyAndKeepsSource) {
  Environment env = Environment::FromMap({{"A", "1"}, {"B", ""}});
  EXPECT_EQ(env.GetOr("A", "x"), "1");
  EXPECT_EQ(env.GetOr("B", "x"), "x");
  EXPECT_EQ(env.GetOr("C", "x"), "x");
  EXPECT_EQ(env.SourceOf("A"), SettingSource::kEnvironment);
  EXPECT_EQ(env.SourceOf("C"), SettingSource::kDefault);
}

}  // namespace
}  // namespace gempool
