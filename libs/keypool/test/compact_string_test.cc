#include "gempool/keypool/compact_string.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace gempool::keypool {
namespace {

const std::string kGeminiKey = "AIzaSyA1234567890abcdefghijklmnopq-_uv";  // 39 characters.
const std::string kLong(200, 'x');

// The text of `s` (a view into a buffer that lives as long as the test).
std::string View(const CompactString& s) {
  CompactString::Buffer buffer;
  return std::string(s.view(buffer));
}

TEST(CompactStringTest, IsNoBiggerThanAStringWithoutItsHeapBlock) {
  EXPECT_EQ(sizeof(CompactString), 32u);
  EXPECT_EQ(sizeof(CompactString), sizeof(std::string));
}

TEST(CompactStringTest, PacksAGeminiKeyInline) {
  CompactString s(kGeminiKey);
  EXPECT_TRUE(s.packed());
  EXPECT_FALSE(s.on_heap());
  EXPECT_EQ(s.size(), kGeminiKey.size());
  EXPECT_EQ(View(s), kGeminiKey);
}

TEST(CompactStringTest, PacksEveryCharacterOfTheAlphabetAtEveryPosition) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (size_t size = CompactString::kInlineSize + 1; size <= CompactString::kMaxPackedSize; ++size) {
    for (size_t shift = 0; shift < alphabet.size(); ++shift) {
      std::string text;
      for (size_t i = 0; i < size; ++i) text += alphabet[(i + shift) % alphabet.size()];
      CompactString s(text);
      ASSERT_TRUE(s.packed()) << text;
      ASSERT_EQ(View(s), text);
    }
  }
}

TEST(CompactStringTest, KeepsShortTextAsItIsAndOtherTextOnTheHeap) {
  EXPECT_FALSE(CompactString("key-1").packed());
  EXPECT_EQ(View(CompactString("key-1")), "key-1");
  const std::string too_long_to_pack(CompactString::kMaxPackedSize + 1, 'a');
  EXPECT_TRUE(CompactString(too_long_to_pack).on_heap());
  EXPECT_EQ(View(CompactString(too_long_to_pack)), too_long_to_pack);
  const std::string not_the_alphabet = kGeminiKey.substr(0, 38) + "+";
  EXPECT_TRUE(CompactString(not_the_alphabet).on_heap());
  EXPECT_EQ(View(CompactString(not_the_alphabet)), not_the_alphabet);
}

TEST(CompactStringTest, EmptyByDefault) {
  CompactString s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(View(s), "");
  EXPECT_FALSE(s.on_heap());
  EXPECT_FALSE(s.packed());
}

TEST(CompactStringTest, KeepsLongerTextOnTheHeap) {
  CompactString s(kGeminiKey + "!");
  EXPECT_EQ(View(s), kGeminiKey + "!");
  EXPECT_TRUE(s.on_heap());
  s.assign(kLong);
  EXPECT_EQ(View(s), kLong);
  s.assign("short");
  EXPECT_EQ(View(s), "short");
  EXPECT_FALSE(s.on_heap());
  s.clear();
  EXPECT_TRUE(s.empty());
}

TEST(CompactStringTest, HoldsAnyBytes) {
  const std::string with_nul("a\0b", 3);
  CompactString s(with_nul);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(View(s), with_nul);
}

TEST(CompactStringTest, CopiesAreIndependent) {
  for (const std::string& text : {kGeminiKey, kLong}) {
    CompactString a(text);
    CompactString b(a);
    CompactString c;
    c = a;
    a.assign("changed");
    EXPECT_EQ(View(b), text);
    EXPECT_EQ(View(c), text);
    EXPECT_EQ(View(a), "changed");
  }
}

TEST(CompactStringTest, MovesLeaveTheSourceEmpty) {
  for (const std::string& text : {kGeminiKey, kLong}) {
    CompactString a(text);
    CompactString b(std::move(a));
    EXPECT_EQ(View(b), text);
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented state.
    CompactString c("old text that is longer than thirty-nine characters, on the heap");
    c = std::move(b);
    EXPECT_EQ(View(c), text);
    EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  }
}

TEST(CompactStringTest, AssignsAViewOfItself) {
  CompactString::Buffer buffer;
  const std::string plain = "plain, 31 bytes kept as they are";
  CompactString inline_text(plain.substr(0, CompactString::kInlineSize));
  inline_text.assign(inline_text.view(buffer).substr(4));
  EXPECT_EQ(View(inline_text), plain.substr(4, CompactString::kInlineSize - 4));
  CompactString packed_text(kGeminiKey);
  packed_text.assign(packed_text.view(buffer).substr(1));
  EXPECT_EQ(View(packed_text), kGeminiKey.substr(1));
  CompactString heap_text(kLong + "tail");
  heap_text.assign(heap_text.view(buffer).substr(1));
  EXPECT_EQ(View(heap_text), kLong.substr(1) + "tail");
  heap_text.assign(heap_text.view(buffer).substr(0, 5));
  EXPECT_EQ(View(heap_text), "xxxxx");
}

TEST(CompactStringTest, SurvivesVectorGrowth) {
  std::vector<CompactString> strings;
  for (int i = 0; i < 1000; ++i) {
    strings.emplace_back(i % 2 == 0 ? kGeminiKey + std::to_string(i) : std::to_string(i));
  }
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(View(strings[i]), i % 2 == 0 ? kGeminiKey + std::to_string(i) : std::to_string(i));
  }
}

}  // namespace
}  // namespace gempool::keypool
