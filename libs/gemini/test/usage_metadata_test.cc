#include "gempool/gemini/usage_metadata.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gempool::gemini {
namespace {

TEST(ParseUsageMetadataTest, ReadsEveryCount) {
  const auto counts = ParseUsageMetadata(
      R"({"promptTokenCount": 10, "candidatesTokenCount": 20, "thoughtsTokenCount": 30,
          "cachedContentTokenCount": 4, "toolUsePromptTokenCount": 5, "totalTokenCount": 65,
          "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 10}]})");
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->prompt, 10);
  EXPECT_EQ(counts->candidates, 20);
  EXPECT_EQ(counts->thoughts, 30);
  EXPECT_EQ(counts->cached, 4);
  EXPECT_EQ(counts->tool_use_prompt, 5);
  EXPECT_EQ(counts->total, 65);
}

TEST(ParseUsageMetadataTest, TotalIsComputedWhenAbsentWithoutCountingCachedTwice) {
  const auto counts = ParseUsageMetadata(
      R"({"promptTokenCount": 10, "candidatesTokenCount": 20, "thoughtsTokenCount": 3,
          "cachedContentTokenCount": 8, "toolUsePromptTokenCount": 2})");
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->total, 35);
}

TEST(ParseUsageMetadataTest, MissingNegativeAndMistypedCountsAreZeroAndHugeOnesClamped) {
  const auto counts = ParseUsageMetadata(
      R"({"promptTokenCount": "10", "candidatesTokenCount": -4, "thoughtsTokenCount": 2.5,
          "cachedContentTokenCount": null, "toolUsePromptTokenCount": 18446744073709551615,
          "totalTokenCount": {}})");
  ASSERT_TRUE(counts.has_value());
  TokenCounts expected;
  expected.thoughts = 2;
  expected.tool_use_prompt = kMaxTokenCount;
  EXPECT_EQ(*counts, expected);
}

TEST(ParseUsageMetadataTest, EmptyObjectIsAllZeros) {
  const auto counts = ParseUsageMetadata("{}");
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(*counts, TokenCounts{});
}

TEST(ParseUsageMetadataTest, NotAnObjectIsNothing) {
  EXPECT_FALSE(ParseUsageMetadata("").has_value());
  EXPECT_FALSE(ParseUsageMetadata("[1]").has_value());
  EXPECT_FALSE(ParseUsageMetadata("{\"promptTokenCount\": 1").has_value());
  EXPECT_FALSE(ParseUsageMetadata("12").has_value());
}

TEST(ParseUsageMetadataTest, ReadsTopLevelKeysOnlyAndALaterDuplicateWins) {
  // As a parsed tree reads it: nested objects' keys are not the counts, the
  // last of two equal keys is the value, and a nested or non-number value is 0.
  const auto counts = ParseUsageMetadata(
      R"({"promptTokenCount": 1, "details": {"totalTokenCount": 99, "promptTokenCount": 5},
          "promptTokenCount": 7, "candidatesTokenCount": [3], "thoughtsTokenCount": true,
          "cachedContentTokenCount": 2, "cachedContentTokenCount": {"n": 1}, "toolUsePromptTokenCount": 1e3})");
  ASSERT_TRUE(counts.has_value());
  TokenCounts expected;
  expected.prompt = 7;
  expected.tool_use_prompt = 1000;
  expected.total = 1007;
  EXPECT_EQ(*counts, expected);
}

TEST(ParseUsageMetadataTest, InvalidJsonIsNothingEvenWithCountsBeforeTheFault) {
  EXPECT_FALSE(ParseUsageMetadata(R"({"promptTokenCount": 1, "x": tru})").has_value());
  EXPECT_FALSE(ParseUsageMetadata(R"({"promptTokenCount": 1} trailing)").has_value());
  EXPECT_FALSE(ParseUsageMetadata(R"({"promptTokenCount": 1e999})").has_value());
  EXPECT_FALSE(ParseUsageMetadata("{\"a\": \"\xff\"}").has_value());  // Not UTF-8.
}

TEST(ParseUsageMetadataTest, HugeCountsAreClampedSoSumsDoNotWrap) {
  const auto counts =
      ParseUsageMetadata(R"({"promptTokenCount": 9223372036854775807, "candidatesTokenCount": 9})");
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->prompt, kMaxTokenCount);
  EXPECT_EQ(counts->total, kMaxTokenCount + 9);
  TokenCounts many;
  many.total = INT64_MAX - 1;
  many.Add(*counts);
  EXPECT_EQ(many.total, INT64_MAX);
  EXPECT_EQ(many.prompt, kMaxTokenCount);
}

TEST(TokenCountTest, ReadsOneCountClampedAndZeroForAnythingElse) {
  const nlohmann::json usage = nlohmann::json::parse(
      R"({"a": 12, "b": 1e300, "c": -1e300, "d": 7.9, "e": "12", "f": null, "g": 18446744073709551615,
          "h": -5, "i": 1125899906842624, "j": 1125899906842625})");
  EXPECT_EQ(TokenCount(usage, "a"), 12);
  EXPECT_EQ(TokenCount(usage, "b"), kMaxTokenCount);  // Not an undefined double-to-integer cast.
  EXPECT_EQ(TokenCount(usage, "c"), 0);
  EXPECT_EQ(TokenCount(usage, "d"), 7);
  EXPECT_EQ(TokenCount(usage, "e"), 0);
  EXPECT_EQ(TokenCount(usage, "f"), 0);
  EXPECT_EQ(TokenCount(usage, "g"), kMaxTokenCount);
  EXPECT_EQ(TokenCount(usage, "h"), 0);
  EXPECT_EQ(TokenCount(usage, "i"), kMaxTokenCount);
  EXPECT_EQ(TokenCount(usage, "j"), kMaxTokenCount);
  EXPECT_EQ(TokenCount(usage, "missing"), 0);
  EXPECT_EQ(TokenCount(nlohmann::json::array({1}), "a"), 0);
  EXPECT_EQ(AddTokenCounts(INT64_MAX - 1, 2), INT64_MAX);
  EXPECT_EQ(AddTokenCounts(40, 2), 42);
}

}  // namespace
}  // namespace gempool::gemini
