#include "gempool/common/request_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gempool/common/request_scope.h"

namespace gempool {
namespace {

TEST(RequestIdTest, KeepsASaneClientId) {
  EXPECT_EQ(RequestIdFor("abc-123"), "abc-123");
  EXPECT_EQ(RequestIdFor("trace:01HX/span+1=ok_v2.x"), "trace:01HX/span+1=ok_v2.x");
  const std::string longest(kMaxRequestIdLength, 'z');
  EXPECT_EQ(RequestIdFor(longest), longest);
}

TEST(RequestIdTest, ReplacesAnInsaneOrMissingId) {
  for (const std::string& bad : {std::string(), std::string(kMaxRequestIdLength + 1, 'a'), std::string("two words"),
                                 std::string("tab\there"), std::string("line\nbreak"), std::string("quote\""),
                                 std::string("semi;colon"), std::string("utf8-\xC3\xA9"), std::string("nul\0x", 5)}) {
    EXPECT_FALSE(IsSaneRequestId(bad)) << bad;
    const std::string id = RequestIdFor(bad);
    EXPECT_NE(id, bad);
    EXPECT_TRUE(IsSaneRequestId(id));
  }
  EXPECT_EQ(RequestIdFor(std::nullopt).size(), 32u);
}

TEST(RequestIdTest, NewIdsAre32HexAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = NewRequestId();
    ASSERT_EQ(id.size(), 32u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(RequestIdTest, ThreadsDrawDifferentIds) {
  std::vector<std::string> first(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&first, t] { first[t] = NewRequestId(); });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(std::set<std::string>(first.begin(), first.end()).size(), 4u);
}

TEST(ScopedRequestIdTest, NestsAndIsPerThread) {
  EXPECT_EQ(CurrentRequestId(), "");
  {
    ScopedRequestId outer("outer");
    EXPECT_EQ(CurrentRequestId(), "outer");
    {
      ScopedRequestId inner("inner");
      EXPECT_EQ(CurrentRequestId(), "inner");
      std::string seen_elsewhere = "unset";
      std::thread([&seen_elsewhere] { seen_elsewhere = CurrentRequestId(); }).join();
      EXPECT_EQ(seen_elsewhere, "");
    }
    EXPECT_EQ(CurrentRequestId(), "outer");
  }
  EXPECT_EQ(CurrentRequestId(), "");
}

}  // namespace
}  // namespace gempool
