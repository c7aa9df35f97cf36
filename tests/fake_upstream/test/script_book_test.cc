#include "fake_upstream/script_book.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::fake {
namespace {

Behavior Status(int status) {
  Behavior b;
  b.kind = Behavior::Kind::kError;
  b.status = status;
  return b;
}

TEST(ScriptBookTest, NoScriptMeansNormalAnswer) {
  ScriptBook book;
  EXPECT_FALSE(book.Next("k1", "gemini-2.5-flash").has_value());
}

TEST(ScriptBookTest, QueueIsConsumedInOrderThenDrains) {
  ScriptBook book;
  book.Set("k1", "", {Status(429), Status(503)}, /*repeat=*/false);
  EXPECT_EQ(book.Pending("k1", ""), 2u);
  EXPECT_EQ(book.Next("k1", "gemini-2.5-flash")->status, 429);
  EXPECT_EQ(book.Next("k1", "gemini-2.5-pro")->status, 503);
  EXPECT_FALSE(book.Next("k1", "gemini-2.5-flash").has_value());
  EXPECT_EQ(book.Pending("k1", ""), 0u);
}

TEST(ScriptBookTest, OtherKeysAreUnaffected) {
  ScriptBook book;
  book.Set("k1", "", {Status(429)}, false);
  EXPECT_FALSE(book.Next("k2", "gemini-2.5-flash").has_value());
  EXPECT_TRUE(book.Next("k1", "gemini-2.5-flash").has_value());
}

TEST(ScriptBookTest, RepeatPlaysForever) {
  ScriptBook book;
  book.Set("k1", "", {Status(429), Status(503)}, /*repeat=*/true);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(book.Next("k1", "")->status, 429);
    EXPECT_EQ(book.Next("k1", "")->status, 503);
  }
}

TEST(ScriptBookTest, PerModelScriptOnlyHitsThatModel) {
  ScriptBook book;
  book.Set("k1", "models/gemini-2.5-pro", {Status(429)}, true);
  EXPECT_FALSE(book.Next("k1", "gemini-2.5-flash").has_value());
  EXPECT_EQ(book.Next("k1", "gemini-2.5-pro")->status, 429);
  EXPECT_EQ(book.Next("k1", "models/gemini-2.5-pro")->status, 429);
}

TEST(ScriptBookTest, MostSpecificSelectorWins) {
  ScriptBook book;
  book.Set("", "", {Status(500)}, true);
  book.Set("", "gemini-2.5-pro", {Status(503)}, true);
  book.Set("k1", "", {Status(429)}, true);
  book.Set("k1", "gemini-2.5-pro", {Status(403)}, true);
  EXPECT_EQ(book.Next("k1", "gemini-2.5-pro")->status, 403);
  EXPECT_EQ(book.Next("k1", "gemini-2.5-flash")->status, 429);
  EXPECT_EQ(book.Next("k2", "gemini-2.5-pro")->status, 503);
  EXPECT_EQ(book.Next("k2", "gemini-2.5-flash")->status, 500);
}

TEST(ScriptBookTest, DrainedSpecificQueueFallsBackToBroaderOne) {
  ScriptBook book;
  book.Set("k1", "gemini-2.5-pro", {Status(403)}, false);
  book.Set("k1", "", {Status(429)}, false);
  EXPECT_EQ(book.Next("k1", "gemini-2.5-pro")->status, 403);
  EXPECT_EQ(book.Next("k1", "gemini-2.5-pro")->status, 429);
  EXPECT_FALSE(book.Next("k1", "gemini-2.5-pro").has_value());
}

TEST(ScriptBookTest, SetReplacesAndEmptyClears) {
  ScriptBook book;
  book.Set("k1", "", {Status(429), Status(429)}, false);
  book.Set("k1", "", {Status(503)}, false);
  EXPECT_EQ(book.Next("k1", "")->status, 503);
  book.Set("k1", "", {Status(503)}, true);
  book.Set("k1", "", {}, false);
  EXPECT_FALSE(book.Next("k1", "").has_value());
  book.Set("k1", "", {Status(503)}, true);
  book.Clear();
  EXPECT_FALSE(book.Next("k1", "").has_value());
}

}  // namespace
}  // namespace gempool::fake
