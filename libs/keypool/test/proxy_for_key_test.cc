#include "gempool/keypool/proxy_for_key.h"

#include <gtest/gtest.h>

#include <map>

#include "absl/strings/str_cat.h"

namespace gempool::keypool {
namespace {

TEST(Fnv1a64Test, MatchesTheReferenceVectors) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(ProxyForKeyTest, NoProxiesMeansDirect) { EXPECT_EQ(ProxyForKey({}, "AIzaSyAnything"), ""); }

TEST(ProxyForKeyTest, IsStableAndSpreadsKeys) {
  const std::vector<std::string> proxies = {"http://a:1", "http://b:1", "http://c:1"};
  // Fixed expectations: the mapping must never change between releases or
  // restarts, or Google would see keys move between addresses.
  EXPECT_EQ(ProxyForKey(proxies, "foobar"), proxies[0x85944171f73967e8ULL % 3]);
  std::map<std::string, int> counts;
  for (int i = 0; i < 3000; ++i) {
    const std::string key = absl::StrCat("AIzaSyKey", i);
    const std::string proxy = ProxyForKey(proxies, key);
    EXPECT_EQ(proxy, ProxyForKey(proxies, key));
    ++counts[proxy];
  }
  ASSERT_EQ(counts.size(), 3u);
  for (const auto& [proxy, n] : counts) EXPECT_GT(n, 800) << proxy;
}

}  // namespace
}  // namespace gempool::keypool
