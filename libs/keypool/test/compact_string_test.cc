#include "gempool/keypool/compact_string.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace gempool::keypool {
namespace {

const std::string kGeminiKey = "AIzaSyA1234567890abcdefghijklmnopqrstuv";  // 39 characters.
const std::string kLong(200, 'x');

TEST(CompactStringTest, IsSmallerThanAStringWithItsHeapBlock) {
  EXPECT_EQ(kGeminiKey.size(), CompactString::kInlineSize);
  EXPECT_EQ(sizeof(CompactString), 40u);
}

TEST(CompactStringTest, EmptyByDefault) {
  CompactString s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.view(), "");
  EXPECT_FALSE(s.on_heap());
}

TEST(CompactStringTest, KeepsAGeminiKeyInline) {
  CompactString s(kGeminiKey);
  EXPECT_EQ(s.view(), kGeminiKey);
  EXPECT_EQ(s.str(), kGeminiKey);
  EXPECT_FALSE(s.on_heap());
}

TEST(CompactStringTest, KeepsLongerTextOnTheHeap) {
  CompactString s(kGeminiKey + "!");
  EXPECT_EQ(s.view(), kGeminiKey + "!");
  EXPECT_TRUE(s.on_heap());
  s.assign(kLong);
  EXPECT_EQ(s.view(), kLong);
  s.assign("short");
  EXPECT_EQ(s.view(), "short");
  EXPECT_FALSE(s.on_heap());
  s.clear();
  EXPECT_TRUE(s.empty());
}

TEST(CompactStringTest, HoldsAnyBytes) {
  const std::string with_nul("a\0b", 3);
  CompactString s(with_nul);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.view(), with_nul);
}

TEST(CompactStringTest, CopiesAreIndependent) {
  for (const std::string& text : {kGeminiKey, kLong}) {
    CompactString a(text);
    CompactString b(a);
    CompactString c;
    c = a;
    a.assign("changed");
    EXPECT_EQ(b.view(), text);
    EXPECT_EQ(c.view(), text);
    EXPECT_EQ(a.view(), "changed");
  }
}

TEST(CompactStringTest, MovesLeaveTheSourceEmpty) {
  for (const std::string& text : {kGeminiKey, kLong}) {
    CompactString a(text);
    CompactString b(std::move(a));
    EXPECT_EQ(b.view(), text);
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented state.
    CompactString c("old text that is longer than thirty-nine characters, on the heap");
    c = std::move(b);
    EXPECT_EQ(c.view(), text);
    EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  }
}

TEST(CompactStringTest, AssignsAViewOfItself) {
  CompactString inline_text(kGeminiKey);
  inline_text.assign(inline_text.view().substr(4));
  EXPECT_EQ(inline_text.view(), kGeminiKey.substr(4));
  CompactString heap_text(kLong + "tail");
  heap_text.assign(heap_text.view().substr(1));
  EXPECT_EQ(heap_text.view(), kLong.substr(1) + "tail");
  heap_text.assign(heap_text.view().substr(0, 5));
  EXPECT_EQ(heap_text.view(), "xxxxx");
}

TEST(CompactStringTest, SurvivesVectorGrowth) {
  std::vector<CompactString> strings;
  for (int i = 0; i < 1000; ++i) {
    strings.emplace_back(i % 2 == 0 ? kGeminiKey + std::to_string(i) : std::to_string(i));
  }
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(strings[i].view(), i % 2 == 0 ? kGeminiKey + std::to_string(i) : std::to_string(i));
  }
}

}  // namespace
}  // namespace gempool::keypool
