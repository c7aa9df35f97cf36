// KeyPools: one KeyPool per Pool, keys found by id across them.
#include "gempool/keypool/key_pools.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/keypool/proto_convert.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/status_matchers.h"

namespace gempool::keypool {
namespace {

using ::gempool::testing::FakeClock;
using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

KeyInfo Key(int64_t id, std::string secret) {
  KeyInfo key;
  key.id = id;
  key.secret = std::move(secret);
  return key;
}

class KeyPoolsTest : public ::testing::Test {
 protected:
  KeyPoolsTest() : pools_(KeyPoolOptions(), clock_, DailyQuotaReset::FixedRule()) {
    EXPECT_TRUE(pools_.Get(Pool::kGemini).Add({Key(1, "AIza-1"), Key(3, "AIza-3")}).ok());
    EXPECT_TRUE(pools_.Get(Pool::kVertex).Add({Key(2, "AQ.vertex-2")}).ok());
  }

  FakeClock clock_{1'750'000'000'000};
  KeyPools pools_;
};

TEST_F(KeyPoolsTest, EachPoolHandsOutOnlyItsOwnKeys) {
  for (int i = 0; i < 4; ++i) EXPECT_EQ(pools_.Get(Pool::kVertex).Acquire("m").key_id, 2);
  EXPECT_EQ(pools_.Get(Pool::kGemini).Acquire("m").key_id, 1);
  EXPECT_EQ(pools_.Get(Pool::kGemini).Acquire("m").key_id, 3);
  EXPECT_EQ(pools_.size(), 3u);
}

TEST_F(KeyPoolsTest, SnapshotsSayTheirPool) {
  EXPECT_EQ(pools_.Get(Pool::kVertex).Get(2)->pool, Pool::kVertex);
  EXPECT_EQ(pools_.Get(Pool::kGemini).Get(1)->pool, Pool::kGemini);
  EXPECT_EQ(ToRecord(*pools_.Get(Pool::kVertex).Get(2)).pool(), v1::POOL_VERTEX);
  EXPECT_EQ(ToView(*pools_.Get(Pool::kVertex).Get(2)).pool(), v1::POOL_VERTEX);
  EXPECT_EQ(FromRecord(ToRecord(*pools_.Get(Pool::kVertex).Get(2))).pool, Pool::kVertex);
}

TEST_F(KeyPoolsTest, FindsAKeyByIdInEitherPool) {
  EXPECT_EQ(pools_.Find(2), &pools_.Get(Pool::kVertex));
  EXPECT_EQ(pools_.Find(3), &pools_.Get(Pool::kGemini));
  EXPECT_EQ(pools_.Find(7), nullptr);
}

TEST_F(KeyPoolsTest, SplitsIdsByPoolAndNamesUnknownOnes) {
  auto split = pools_.SplitByPool({3, 2, 1});
  ASSERT_TRUE(split.ok());
  EXPECT_THAT((*split)[0], ElementsAre(3, 1));
  EXPECT_THAT((*split)[1], ElementsAre(2));
  EXPECT_THAT(pools_.SplitByPool({1, 9, 8}).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no keys with ids 8, 9")));
}

TEST(KeyPoolsEmptyTest, AnEmptyPoolSaysWhereItsKeysComeFrom) {
  FakeClock clock{1'750'000'000'000};
  KeyPools pools(KeyPoolOptions(), clock, DailyQuotaReset::FixedRule());
  const AcquireResult gemini = pools.Get(Pool::kGemini).Acquire("m");
  EXPECT_FALSE(gemini.available);
  EXPECT_THAT(gemini.unavailable_reason, HasSubstr("API_KEYS"));
  EXPECT_THAT(gemini.unavailable_reason, ::testing::Not(HasSubstr("VERTEX")));
  const AcquireResult vertex = pools.Get(Pool::kVertex).Acquire("m");
  EXPECT_FALSE(vertex.available);
  EXPECT_THAT(vertex.unavailable_reason, HasSubstr("VERTEX_API_KEYS"));
  EXPECT_THAT(vertex.unavailable_reason, HasSubstr("--pool vertex"));
}

}  // namespace
}  // namespace gempool::keypool
