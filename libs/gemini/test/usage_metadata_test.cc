#include "gempool/gemini/usage_metadata.h"

#include <gtest/gtest.h>

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

TEST(ParseUsageMetadataTest, MissingNegativeAndMistypedCountsAreZero) {
  const auto counts = ParseUsageMetadata(
      R"({"promptTokenCount": "10", "candidatesTokenCount": -4, "thoughtsTokenCount": 2.5,
          "cachedContentTokenCount": null, "toolUsePromptTokenCount": 18446744073709551615,
          "totalTokenCount": {}})");
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(*counts, TokenCounts{});
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

TEST(ParseUsageMetadataTest, ComputedTotalDoesNotWrap) {
  const auto counts =
      ParseUsageMetadata(R"({"promptTokenCount": 9223372036854775807, "candidatesTokenCount": 9})");
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->total, INT64_MAX);
}

}  // namespace
}  // namespace gempool::gemini
