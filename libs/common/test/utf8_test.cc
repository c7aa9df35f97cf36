#include "gempool/common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace gempool {
namespace {

TEST(Utf8Test, MeasuresWellFormedSequences) {
  EXPECT_EQ(Utf8SequenceLength("a"), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xC3\xA9x"), 2u);          // é
  EXPECT_EQ(Utf8SequenceLength("\xE4\xB8\xAD"), 3u);       // 中
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x8D\x92"), 4u);   // 🍒
  EXPECT_EQ(Utf8SequenceLength("\xF4\x8F\xBF\xBF"), 4u);   // U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xED\x9F\xBF"), 3u);       // U+D7FF, just below the surrogates
  EXPECT_EQ(Utf8SequenceLength(""), 0u);
}

TEST(Utf8Test, RefusesWhatRfc3629Forbids) {
  EXPECT_EQ(Utf8SequenceLength("\x80"), 0u) << "a stray continuation byte";
  EXPECT_EQ(Utf8SequenceLength("\xC0\xAF"), 0u) << "overlong '/'";
  EXPECT_EQ(Utf8SequenceLength("\xC1\xBF"), 0u) << "overlong";
  EXPECT_EQ(Utf8SequenceLength("\xE0\x9F\xBF"), 0u) << "overlong three-byte form";
  EXPECT_EQ(Utf8SequenceLength("\xF0\x8F\xBF\xBF"), 0u) << "overlong four-byte form";
  EXPECT_EQ(Utf8SequenceLength("\xED\xA0\x80"), 0u) << "a surrogate (U+D800)";
  EXPECT_EQ(Utf8SequenceLength("\xED\xBF\xBF"), 0u) << "a surrogate (U+DFFF)";
  EXPECT_EQ(Utf8SequenceLength("\xF4\x90\x80\x80"), 0u) << "past U+10FFFF";
  EXPECT_EQ(Utf8SequenceLength("\xF5\x80\x80\x80"), 0u) << "past U+10FFFF";
  EXPECT_EQ(Utf8SequenceLength("\xE4\xB8"), 0u) << "cut short";
  EXPECT_EQ(Utf8SequenceLength("\xE4\x41\xAD"), 0u) << "a non-continuation byte inside";
}

TEST(Utf8Test, ChecksWholeText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x8D\x92"));
  EXPECT_FALSE(IsValidUtf8("caf\xC3"));
  EXPECT_FALSE(IsValidUtf8("a\xED\xA0\x80z"));
  EXPECT_FALSE(IsValidUtf8(std::string("a\xFF", 2)));
}

TEST(Utf8Test, WithValidUtf8ReplacesEachBadByte) {
  EXPECT_EQ(WithValidUtf8("caf\xC3\xA9 \xF0\x9F\x8D\x92"), "caf\xC3\xA9 \xF0\x9F\x8D\x92");
  EXPECT_EQ(WithValidUtf8("a\xE1Sy"), "a\xEF\xBF\xBDSy");
  EXPECT_EQ(WithValidUtf8("\xE4\xB8"), "\xEF\xBF\xBD\xEF\xBF\xBD") << "a sequence cut short";
  EXPECT_EQ(WithValidUtf8(std::string("\0\x80", 2)), std::string("\0\xEF\xBF\xBD", 4));
  EXPECT_TRUE(IsValidUtf8(WithValidUtf8("\xC0\xAF\xED\xA0\x80\xF5")));
}

TEST(ValidUtf8PrefixTest, ReplacesInvalidBytesAndCutsAtCharacterBoundaries) {
  EXPECT_EQ(ValidUtf8Prefix("ok\xff\xfe.", 100), "ok??.");
  EXPECT_EQ(ValidUtf8Prefix("abcdef", 3), "abc");
  // "é" is two bytes: cutting at 2 must not split it.
  EXPECT_EQ(ValidUtf8Prefix("a\xc3\xa9", 2), "a");
  EXPECT_EQ(ValidUtf8Prefix("a\xc3\xa9", 3), "a\xc3\xa9");
  EXPECT_EQ(ValidUtf8Prefix("\xf0\x9f\x94\xa5x", 3), "");
  EXPECT_EQ(ValidUtf8Prefix("", 10), "");
  EXPECT_EQ(ValidUtf8Prefix("abc", 0), "");
}

}  // namespace
}  // namespace gempool
