#include "gempool/openai/image_directives.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::IsOk;
using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ImageDirectivesTest, TakesBothOutOfThePrompt) {
  auto d = ExtractImageDirectives("a red fox {n:3} in snow {ratio:16:9}");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->prompt, "a red fox in snow");
  EXPECT_EQ(d->count, 3);
  EXPECT_EQ(d->aspect_ratio, "16:9");
}

TEST(ImageDirectivesTest, NoneLeavesThePromptAlone) {
  auto d = ExtractImageDirectives("  a cat, {style} and {\"x\": 1}\nsecond line ");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->prompt, "  a cat, {style} and {\"x\": 1}\nsecond line ");
  EXPECT_FALSE(d->count.has_value());
  EXPECT_FALSE(d->aspect_ratio.has_value());
}

TEST(ImageDirectivesTest, SpacesAndCaseInsideTheBraces) {
  auto d = ExtractImageDirectives("{ N : 4 }{Ratio: 9 : 16}tall tower");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->prompt, "tall tower");
  EXPECT_EQ(d->count, 4);
  EXPECT_EQ(d->aspect_ratio, "9:16");
}

TEST(ImageDirectivesTest, EveryImagenRatioIsAccepted) {
  for (const char* ratio : {"1:1", "3:4", "4:3", "9:16", "16:9"}) {
    auto d = ExtractImageDirectives(std::string("x {ratio:") + ratio + "}");
    ASSERT_THAT(d, IsOk()) << ratio;
    EXPECT_EQ(d->aspect_ratio, ratio);
  }
}

TEST(ImageDirectivesTest, OutOfRangeValuesAreErrorsNamingTheDirective) {
  EXPECT_THAT(ExtractImageDirectives("x {n:5}"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("{n:5}")));
  EXPECT_THAT(ExtractImageDirectives("x {n:0}"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1 to 4")));
  EXPECT_THAT(ExtractImageDirectives("x {n:two}"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ExtractImageDirectives("x {ratio:2:1}"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1:1, 3:4, 4:3, 9:16 or 16:9")));
}

TEST(ImageDirectivesTest, RepeatsMustAgree) {
  auto same = ExtractImageDirectives("{n:2} x {n:2}");
  ASSERT_THAT(same, IsOk());
  EXPECT_EQ(same->count, 2);
  EXPECT_THAT(ExtractImageDirectives("{n:2} x {n:3}"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("disagree")));
  EXPECT_THAT(ExtractImageDirectives("{ratio:1:1} {ratio:4:3}"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ImageDirectivesTest, UnclosedOrNestedBracesAreText) {
  auto d = ExtractImageDirectives("x {n:2");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->prompt, "x {n:2");
  EXPECT_FALSE(d->count.has_value());
  auto nested = ExtractImageDirectives("{a {n:1} b}");
  ASSERT_THAT(nested, IsOk());
  EXPECT_EQ(nested->prompt, "{a b}");
  EXPECT_EQ(nested->count, 1);
}

TEST(ImageDirectivesTest, OnlyDirectivesLeaveAnEmptyPrompt) {
  auto d = ExtractImageDirectives(" {n:1} {ratio:1:1} ");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->prompt, "");
}

}  // namespace
}  // namespace gempool::openai
