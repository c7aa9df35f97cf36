#include "gempool/keypool/proxy_chooser.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "gempool/keypool/proxy_for_key.h"

namespace gempool::keypool {
namespace {

const std::vector<std::string> kProxies = {"http://a:1", "http://b:2", "socks5://c:3"};

std::vector<std::string> Keys(int n) {
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i) keys.push_back(absl::StrCat("AIzaSyTestKey", i));
  return keys;
}

TEST(ProxyChooserTest, NoProxiesMeansDirect) {
  EXPECT_EQ(ProxyChooser({}, {}, true).Choose("k"), "");
  EXPECT_EQ(ProxyChooser({}, {}, false).Choose("k"), "");
  EXPECT_EQ(ProxyChooser().Choose("k"), "");
}

TEST(ProxyChooserTest, ConsistentHashWithNothingDeadIsProxyForKey) {
  const ProxyChooser chooser(kProxies, {}, true);
  for (const std::string& key : Keys(50)) EXPECT_EQ(chooser.Choose(key), ProxyForKey(kProxies, key));
}

TEST(ProxyChooserTest, ConsistentHashMovesOnlyTheKeysOfADeadProxyToLiveOnes) {
  const std::string dead = "http://b:2";
  const ProxyChooser chooser(kProxies, {dead, "http://not-listed:9"}, true);
  int moved = 0;
  for (const std::string& key : Keys(300)) {
    const std::string home = ProxyForKey(kProxies, key);
    const std::string chosen = chooser.Choose(key);
    EXPECT_NE(chosen, dead);
    if (home != dead) {
      EXPECT_EQ(chosen, home) << key;
    } else {
      ++moved;
      EXPECT_EQ(chosen, chooser.Choose(key)) << "a moved key keeps its new proxy";
    }
  }
  EXPECT_GT(moved, 0);
}

TEST(ProxyChooserTest, RandomModeSpreadsOneKeyOverEveryLiveProxy) {
  const ProxyChooser chooser(kProxies, {"socks5://c:3"}, false);
  absl::BitGen gen(std::seed_seq{42});
  std::map<std::string, int> seen;
  for (int i = 0; i < 400; ++i) ++seen[chooser.Choose("AIzaSyTheSameKey", gen)];
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen.count("socks5://c:3"), 0u);
  EXPECT_GT(seen["http://a:1"], 120);
  EXPECT_GT(seen["http://b:2"], 120);
}

TEST(ProxyChooserTest, RandomModeWithTheThreadGeneratorStaysAmongLiveProxies) {
  const ProxyChooser chooser(kProxies, {"http://a:1"}, false);
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(chooser.Choose("k"));
  EXPECT_EQ(seen, (std::set<std::string>{"http://b:2", "socks5://c:3"}));
}

TEST(ProxyChooserTest, EveryProxyDeadUsesThemAsIfAlive) {
  const ProxyChooser consistent(kProxies, kProxies, true);
  for (const std::string& key : Keys(20)) EXPECT_EQ(consistent.Choose(key), ProxyForKey(kProxies, key));
  const ProxyChooser random(kProxies, kProxies, false);
  absl::BitGen gen(std::seed_seq{7});
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(random.Choose("k", gen));
  EXPECT_EQ(seen.size(), 3u);
}

}  // namespace
}  // namespace gempool::keypool
