// PROXIES health checks and choice: `gempoolctl proxies check` marks a proxy
// that does not answer dead, and no call goes through it afterwards (keys
// whose own proxy it is use the live one); with
// PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY=false one key's calls spread over
// every proxy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gempool/keypool/proxy_for_key.h"
#include "gempool/testing/test_proxies.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

// Nothing listens on port 1: a connection is refused at once.
constexpr char kDeadProxy[] = "http://127.0.0.1:1";

class ProxyHealthTest : public StackTest {
 protected:
  // Google-shaped keys whose last characters differ in parity, so a hash of
  // two proxies homes some on each.
  static std::vector<std::string> Keys(int n) {
    std::vector<std::string> keys;
    for (int i = 0; i < n; ++i) {
      std::string key = "AIzaSyProxyHealthTestKey000000000000000";
      key.back() = static_cast<char>('a' + i);
      keys.push_back(key);
    }
    return keys;
  }

  // SOCKS5: fake-gemini is plain HTTP, which an HTTP proxy would be asked in
  // absolute form (the test HTTP proxy passes that on verbatim).
  testing::TestSocks5Proxy live_;
  testing::TestSocks5Proxy other_;
};

TEST_F(ProxyHealthTest, ADeadProxyIsReportedAndSkipped) {
  StackOptions options;
  options.keys = Keys(6);
  options.max_retries = 1;  // A call through the dead proxy would fail outright.
  const std::vector<std::string> proxies = {live_.Url(), kDeadProxy};
  options.extra_env = {{"PROXIES", json(proxies).dump()}};
  int homed_on_dead = 0;
  for (const std::string& key : options.keys) homed_on_dead += keypool::ProxyForKey(proxies, key) == kDeadProxy;
  ASSERT_GT(homed_on_dead, 0) << "the test needs a key whose own proxy is the dead one";
  ASSERT_NO_FATAL_FAILURE(StartStack(options));

  Stack::CtlResult r = stack().RunCtl({"proxies", "check", "--json"});
  EXPECT_EQ(r.exit_code, 1) << "a dead proxy makes the check exit 1; stderr: " << r.error;
  const json checked = json::parse(r.output, nullptr, false);
  ASSERT_FALSE(checked.is_discarded()) << r.output;
  ASSERT_EQ(checked["proxies"].size(), 2u) << checked.dump();
  EXPECT_EQ(checked["proxies"][0]["proxy"], live_.Url());
  EXPECT_TRUE(checked["proxies"][0]["alive"]);
  EXPECT_EQ(checked["proxies"][1]["proxy"], kDeadProxy);
  EXPECT_FALSE(checked["proxies"][1]["alive"]);
  EXPECT_NE(checked["proxies"][1]["error"], "");
  EXPECT_GT(checked["proxies"][1]["checked_at_ms"].get<int64_t>(), 0);
  EXPECT_EQ(checked["interval_seconds"], 300);

  Stack::CtlResult text = stack().RunCtl({"proxies", "list"});
  EXPECT_EQ(text.exit_code, 0) << text.error;
  EXPECT_THAT(text.output, HasSubstr("dead"));
  EXPECT_THAT(text.output, HasSubstr("alive"));

  // The gateway's replica learns the verdict on the broker's stream: every
  // key's calls (two rounds over the six) then succeed in one attempt
  // (MAX_RETRIES=1), so none went to the dead proxy.
  const int64_t since = LastUpstreamId();
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        for (int i = 0; i < 12; ++i) {
          auto call = Generate();
          if (!call || call->status != 200) return false;
        }
        return true;
      },
      15000))
      << "calls still fail after the dead proxy was reported";
  EXPECT_GT(live_.tunnels(), 0);
  // Keys homed on the dead proxy served too.
  std::set<std::string> served_homed_on_dead;
  for (const UpstreamRequest& r : Upstream("generateContent", since)) {
    if (keypool::ProxyForKey(proxies, r.key) == kDeadProxy) served_homed_on_dead.insert(r.key);
  }
  EXPECT_FALSE(served_homed_on_dead.empty());

  // The admin page's view is the same.
  auto page = stack().Gateway()->Get(
      "/api/proxies", {{"Authorization", "Bearer " + stack().options().admin_token}});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200) << page->body;
  const json listed = json::parse(page->body);
  EXPECT_FALSE(listed["proxies"][1]["alive"]);
}

TEST_F(ProxyHealthTest, WithoutConsistentHashingOneKeyUsesEveryProxy) {
  StackOptions options;
  options.keys = Keys(1);
  options.extra_env = {{"PROXIES", json(std::vector<std::string>{live_.Url(), other_.Url()}).dump()},
                       {"PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY", "false"}};
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  for (int i = 0; i < 30; ++i) {
    auto call = Generate();
    ASSERT_TRUE(call);
    ASSERT_EQ(call->status, 200) << call->body;
  }
  // 30 fair coin flips all alike: about 2e-9. (Connections are kept alive
  // per proxy, so tunnels count connections, not calls.)
  EXPECT_GT(live_.tunnels(), 0);
  EXPECT_GT(other_.tunnels(), 0);
}

}  // namespace
}  // namespace gempool::integration
