// ANTHROPIC_MODEL_MAP: parsing, precedence and glob matching.

#include "gempool/anthropic/model_map.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "gempool/testing/status_matchers.h"

namespace gempool::anthropic {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;

TEST(GlobMatchesTest, StarAndQuestionMark) {
  EXPECT_TRUE(GlobMatches("claude-*", "claude-sonnet-4-6"));
  EXPECT_TRUE(GlobMatches("claude-*haiku*", "claude-haiku-4-5-20251001"));
  EXPECT_TRUE(GlobMatches("claude-?-haiku", "claude-3-haiku"));
  EXPECT_TRUE(GlobMatches("*", ""));
  EXPECT_TRUE(GlobMatches("a**b", "ab"));
  EXPECT_FALSE(GlobMatches("claude-?-haiku", "claude-35-haiku"));
  EXPECT_FALSE(GlobMatches("claude-*haiku*", "claude-sonnet-4-6"));
  EXPECT_FALSE(GlobMatches("", "x"));
}

TEST(GlobMatchesTest, MatchesTheWholeName) {
  EXPECT_FALSE(GlobMatches("claude", "claude-opus"));
  EXPECT_FALSE(GlobMatches("opus*", "claude-opus"));
  EXPECT_TRUE(GlobMatches("*opus*", "claude-opus"));
}

TEST(GlobMatchesTest, IgnoresAsciiCase) {
  EXPECT_TRUE(GlobMatches("Claude-*-HAIKU*", "claude-3-5-haiku-latest"));
  EXPECT_TRUE(GlobMatches("claude-*", "CLAUDE-OPUS-4"));
}

// A recursive matcher takes exponential time on this (the test would not
// finish within ctest's timeout); the iterative one is quadratic at worst.
TEST(GlobMatchesTest, PathologicalPatternFinishes) {
  const std::string name(2000, 'a');
  EXPECT_FALSE(GlobMatches("*a*a*a*a*a*a*b", name));
  EXPECT_TRUE(GlobMatches("*a*a*a*a*a*a*", name));
}

TEST(ModelMapTest, DefaultMapsHaikuToFlashAndOtherClaudesToPro) {
  ModelMap map = ModelMap::Default();
  EXPECT_EQ(map.Map("claude-haiku-4-5-20251001"), "gemini-2.5-flash");
  EXPECT_EQ(map.Map("claude-sonnet-4-6"), "gemini-2.5-pro");
  EXPECT_EQ(map.Map("models/claude-opus-4-8"), "gemini-2.5-pro");
  EXPECT_EQ(map.Map("gemini-2.5-flash"), std::nullopt);
}

TEST(ModelMapTest, MoreLiteralCharactersWinWhateverTheOrder) {
  auto map = ModelMap::Parse(R"({"claude-*":"gemini-2.5-pro","claude-*haiku*":"gemini-2.5-flash-lite"})");
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->Map("claude-haiku-4-5"), "gemini-2.5-flash-lite");
  EXPECT_EQ(map->Map("claude-opus-4-8"), "gemini-2.5-pro");
}

TEST(ModelMapTest, TiesGoToTheEarlierEntry) {
  auto map = ModelMap::Parse(R"({"*-opus-4":"gemini-3-pro-preview","claude-*":"gemini-2.5-pro"})");
  ASSERT_TRUE(map.ok()) << map.status();
  // Both have 7 literal characters.
  EXPECT_EQ(map->Map("claude-opus-4"), "gemini-3-pro-preview");
}

TEST(ModelMapTest, ParseKeepsTheOrderWrittenAndStripsModelsPrefix) {
  auto map = ModelMap::Parse(R"({"z*":"models/gemini-2.5-flash","a*":"gemini-2.5-pro"})");
  ASSERT_TRUE(map.ok()) << map.status();
  ASSERT_EQ(map->entries().size(), 2u);
  EXPECT_EQ(map->entries()[0].pattern, "z*");
  EXPECT_EQ(map->entries()[0].model, "gemini-2.5-flash");
  EXPECT_EQ(map->entries()[1].pattern, "a*");
  EXPECT_EQ(map->ToJson(), R"({"z*":"gemini-2.5-flash","a*":"gemini-2.5-pro"})");
}

TEST(ModelMapTest, EmptyObjectMapsNothing) {
  auto map = ModelMap::Parse("{}");
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->Map("claude-sonnet-4-6"), std::nullopt);
  EXPECT_EQ(map->ToJson(), "{}");
}

TEST(ModelMapTest, ParseErrorsNameTheSettingAndTheEntry) {
  EXPECT_THAT(ModelMap::Parse("not json"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ANTHROPIC_MODEL_MAP is not valid JSON")));
  EXPECT_THAT(ModelMap::Parse(R"(["claude-*"])"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ANTHROPIC_MODEL_MAP must be a JSON object")));
  EXPECT_THAT(ModelMap::Parse(R"({"":"gemini-2.5-pro"})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty pattern")));
  EXPECT_THAT(ModelMap::Parse(R"({"claude-*":3})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("entry 'claude-*' must map to")));
  EXPECT_THAT(ModelMap::Parse(R"({"claude-*":""})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("entry 'claude-*'")));
  EXPECT_THAT(ModelMap::Parse(R"({"claude-*":"gemini 2.5 pro"})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("maps to 'gemini 2.5 pro', which is not a Gemini model id")));
  EXPECT_THAT(ModelMap::Parse(R"({"claude-*":"models/"})"), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace gempool::anthropic
