#include "gempool/gemini/url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::gemini {
namespace {

using ::testing::Optional;

TEST(PercentDecodeTest, DecodesEscapesAndKeepsInvalidOnes) {
  EXPECT_EQ(PercentDecode("models%2Fx%3AgenerateContent", false), "models/x:generateContent");
  EXPECT_EQ(PercentDecode("a%zzb%4", false), "a%zzb%4");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%", true), "%");
}

TEST(PercentDecodeStrictTest, DecodesEscapesAndRefusesBadOnes) {
  EXPECT_EQ(*PercentDecodeStrict("p%40ss%2Bword+x%e4%B8%AD"), "p@ss+word+x\xe4\xb8\xad");
  EXPECT_EQ(*PercentDecodeStrict(""), "");
  for (absl::string_view bad : {"%", "a%4", "%zz", "ok%2", "%g0"}) {
    absl::StatusOr<std::string> decoded = PercentDecodeStrict(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(decoded.status().message()), ::testing::HasSubstr("write % as %25")) << bad;
  }
  EXPECT_THAT(std::string(PercentDecodeStrict("ab%zz").status().message()), ::testing::HasSubstr("byte 3"));
}

TEST(SplitTargetTest, SplitsAtFirstQuestionMark) {
  auto [path, query] = SplitTarget("/v1beta/models?pageSize=5&x=?");
  EXPECT_EQ(path, "/v1beta/models");
  EXPECT_EQ(query, "pageSize=5&x=?");
  auto [only_path, no_query] = SplitTarget("/health");
  EXPECT_EQ(only_path, "/health");
  EXPECT_EQ(no_query, "");
}

TEST(QueryParamTest, FindsDecodedValues) {
  EXPECT_THAT(QueryParam("alt=sse&key=sk%2B1", "key"), Optional(std::string("sk+1")));
  EXPECT_THAT(QueryParam("k%65y=abc", "key"), Optional(std::string("abc")));
  EXPECT_THAT(QueryParam("key", "key"), Optional(std::string("")));
  EXPECT_EQ(QueryParam("alt=sse", "key"), std::nullopt);
  EXPECT_EQ(QueryParam("", "key"), std::nullopt);
  EXPECT_EQ(QueryParam("monkey=1", "key"), std::nullopt);
}

TEST(RemoveQueryParamTest, DropsEveryMatchAndKeepsTheRestVerbatim) {
  EXPECT_EQ(RemoveQueryParam("alt=sse&key=abc", "key"), "alt=sse");
  EXPECT_EQ(RemoveQueryParam("key=abc&pageToken=a%2Bb&key=def&k%65y=x&pageSize=5", "key"),
            "pageToken=a%2Bb&pageSize=5");
  EXPECT_EQ(RemoveQueryParam("key=abc", "key"), "");
  EXPECT_EQ(RemoveQueryParam("a=1&&b=2", "key"), "a=1&b=2");
  EXPECT_EQ(RemoveQueryParam("monkey=1", "key"), "monkey=1");
}

}  // namespace
}  // namespace gempool::gemini
