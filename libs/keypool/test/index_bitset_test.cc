#include "gempool/keypool/index_bitset.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace gempool::keypool {
namespace {

size_t ReferenceNext(const std::set<size_t>& members, size_t from) {
  auto it = members.lower_bound(from);
  return it == members.end() ? IndexBitset::kNone : *it;
}

TEST(IndexBitsetTest, EmptyHasNoMembers) {
  IndexBitset set;
  EXPECT_EQ(set.FindNext(0), IndexBitset::kNone);
  set.Resize(1000);
  EXPECT_EQ(set.count(), 0u);
  EXPECT_EQ(set.FindNext(0), IndexBitset::kNone);
  EXPECT_EQ(set.FindNext(5000), IndexBitset::kNone);
}

TEST(IndexBitsetTest, FindsAcrossWordsAndLevels) {
  IndexBitset set;
  set.Resize(300'000);  // Four levels.
  set.Set(5);
  set.Set(64);
  set.Set(4096 * 3 + 7);
  set.Set(299'999);
  EXPECT_EQ(set.count(), 4u);
  EXPECT_EQ(set.FindNext(0), 5u);
  EXPECT_EQ(set.FindNext(6), 64u);
  EXPECT_EQ(set.FindNext(65), 4096u * 3 + 7);
  EXPECT_EQ(set.FindNext(4096 * 3 + 8), 299'999u);
  EXPECT_EQ(set.FindNext(300'000), IndexBitset::kNone);
  set.Clear(4096 * 3 + 7);
  EXPECT_EQ(set.FindNext(65), 299'999u);
  set.Clear(299'999);
  EXPECT_EQ(set.FindNext(65), IndexBitset::kNone);
  EXPECT_EQ(set.count(), 2u);
}

TEST(IndexBitsetTest, SetAndClearAreIdempotent) {
  IndexBitset set;
  set.Resize(10);
  set.Set(3);
  set.Set(3);
  EXPECT_EQ(set.count(), 1u);
  set.Clear(3);
  set.Clear(3);
  set.Clear(9999);  // Outside: ignored.
  EXPECT_EQ(set.count(), 0u);
  EXPECT_FALSE(set.Test(3));
}

TEST(IndexBitsetTest, GrowingKeepsMembersAndSummaries) {
  IndexBitset set;
  set.Resize(10);
  set.Set(7);
  set.Resize(70'000);
  set.Set(69'999);
  EXPECT_EQ(set.FindNext(0), 7u);
  EXPECT_EQ(set.FindNext(8), 69'999u);
  set.Set(200'000);  // Set beyond the size grows it.
  EXPECT_EQ(set.FindNext(70'000), 200'000u);
}

TEST(IndexBitsetTest, MatchesAnOrderedSetUnderRandomOperations) {
  std::mt19937_64 rng(42);
  for (size_t universe : {1u, 63u, 64u, 65u, 4097u, 270'000u}) {
    IndexBitset set;
    set.Resize(universe);
    std::set<size_t> reference;
    std::uniform_int_distribution<size_t> pick(0, universe - 1);
    for (int i = 0; i < 20'000; ++i) {
      const size_t x = pick(rng);
      switch (rng() % 3) {
        case 0:
          set.Set(x);
          reference.insert(x);
          break;
        case 1:
          set.Clear(x);
          reference.erase(x);
          break;
        default:
          ASSERT_EQ(set.FindNext(x), ReferenceNext(reference, x)) << "universe " << universe << " from " << x;
          ASSERT_EQ(set.Test(x), reference.count(x) == 1);
      }
    }
    ASSERT_EQ(set.count(), reference.size());
  }
}

}  // namespace
}  // namespace gempool::keypool
