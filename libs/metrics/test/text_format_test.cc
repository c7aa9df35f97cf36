#include "gempool/metrics/text_format.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace gempool::metrics {
namespace {

TEST(EscapeLabelValueTest, EscapesBackslashQuoteAndNewline) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

TEST(EscapeLabelValueTest, KeepsValidUtf8) { EXPECT_EQ(EscapeLabelValue("gemini-2.5-pro 模型"), "gemini-2.5-pro 模型"); }

TEST(EscapeLabelValueTest, ReplacesInvalidUtf8) {
  EXPECT_EQ(EscapeLabelValue("a\xff" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(EscapeLabelValue("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // Overlong '/'.
  EXPECT_EQ(EscapeLabelValue("\xE6\xA8"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // Cut short.
}

TEST(EscapeHelpTest, EscapesBackslashAndNewlineButNotQuotes) {
  EXPECT_EQ(EscapeHelp("say \"hi\"\\\nbye"), "say \"hi\"\\\\\\nbye");
}

TEST(FormatValueTest, IntegersHaveNoFractionOrExponent) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(42), "42");
  EXPECT_EQ(FormatValue(-7), "-7");
  EXPECT_EQ(FormatValue(123456789012), "123456789012");
}

TEST(FormatValueTest, FractionsReadBackTheSame) {
  EXPECT_EQ(FormatValue(0.005), "0.005");
  EXPECT_EQ(FormatValue(2.5), "2.5");
  EXPECT_EQ(FormatValue(0.1 + 0.2), "0.30000000000000004");
}

TEST(FormatValueTest, SpecialValues) {
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
}

TEST(NameTest, MetricAndLabelNames) {
  EXPECT_TRUE(IsValidMetricName("gempool_requests_total"));
  EXPECT_TRUE(IsValidMetricName("a:b_c9"));
  EXPECT_FALSE(IsValidMetricName("9abc"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_TRUE(IsValidLabelName("model"));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("1a"));
}

}  // namespace
}  // namespace gempool::metrics
