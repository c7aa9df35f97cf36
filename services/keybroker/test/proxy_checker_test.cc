#include "proxy_checker.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/common/mutex.h"
#include "gempool/testing/fake_clock.h"

namespace gempool::keybroker {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Answers by the proxy a request goes through: alive proxies answer 403
// (Google's answer to a call without a key), the others do not answer.
class ProxyTransport final : public ProbeTransport {
 public:
  void SetDead(const std::string& proxy, bool dead) {
    MutexLock lock(&mu_);
    dead_[proxy] = dead;
  }
  ProbeHttpResponse Post(const ProbeHttpRequest& request) override {
    MutexLock lock(&mu_);
    requests_.push_back(request);
    ProbeHttpResponse response;
    if (dead_[request.proxy]) {
      response.detail = "connection refused";
      return response;
    }
    response.responded = true;
    response.status = 403;
    return response;
  }
  void CancelAll() override {}
  std::vector<ProbeHttpRequest> requests() const {
    MutexLock lock(&mu_);
    return requests_;
  }

 private:
  mutable Mutex mu_;
  std::map<std::string, bool> dead_ ABSL_GUARDED_BY(mu_);
  std::vector<ProbeHttpRequest> requests_ ABSL_GUARDED_BY(mu_);
};

class ProxyCheckerTest : public ::testing::Test {
 protected:
  ProxyCheckerTest() {
    ProbeSettings settings;
    settings.base_url = "https://generativelanguage.googleapis.com";
    settings.test_model = "gemini-2.5-flash-lite";
    settings.timeout_seconds = 300;
    prober_ = std::make_shared<const KeyProber>(settings, transport_, clock_);
  }

  ProxyChecker MakeChecker() {
    return ProxyChecker([this] { return prober_; }, [this] { return proxies_; }, clock_,
                        [this](const std::vector<std::string>& dead) { told_.push_back(dead); });
  }

  gempool::testing::FakeClock clock_{1'700'000'000'000};
  ProxyTransport transport_;
  std::shared_ptr<const KeyProber> prober_;
  std::vector<std::string> proxies_ = {"http://user:pw@127.0.0.1:1", "socks5://127.0.0.1:2"};
  std::vector<std::vector<std::string>> told_;
};

TEST_F(ProxyCheckerTest, MarksAProxyThatDoesNotAnswerDeadAndTellsOnlyChanges) {
  ProxyChecker checker = MakeChecker();
  transport_.SetDead("socks5://127.0.0.1:2", true);
  std::vector<ProxyStatus> results = checker.Check();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].alive);
  EXPECT_FALSE(results[1].alive);
  EXPECT_EQ(results[1].error, "connection refused");
  EXPECT_EQ(results[1].checked_at_ms, 1'700'000'000'000);
  ASSERT_EQ(told_.size(), 1u);
  EXPECT_THAT(told_[0], ElementsAre("socks5://127.0.0.1:2"));

  checker.Check();  // Same verdict: nothing to tell.
  EXPECT_EQ(told_.size(), 1u);

  transport_.SetDead("socks5://127.0.0.1:2", false);  // Back.
  results = checker.Check();
  EXPECT_TRUE(results[1].alive);
  ASSERT_EQ(told_.size(), 2u);
  EXPECT_THAT(told_[1], IsEmpty());
}

TEST_F(ProxyCheckerTest, TheCheckCarriesNoKeyAndGoesThroughEachProxy) {
  ProxyChecker checker = MakeChecker();
  checker.Check();
  const std::vector<ProbeHttpRequest> requests = transport_.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const ProbeHttpRequest& r : requests) {
    EXPECT_EQ(r.scheme_host_port, "https://generativelanguage.googleapis.com:443");
    EXPECT_LE(r.timeout_seconds, ProxyChecker::kTimeoutSeconds);
    for (const auto& [name, value] : r.headers) EXPECT_NE(name, "x-goog-api-key");
  }
}

TEST_F(ProxyCheckerTest, LastListsTheCurrentProxiesWithUncheckedOnesAlive) {
  ProxyChecker checker = MakeChecker();
  transport_.SetDead("http://user:pw@127.0.0.1:1", true);
  checker.Check();
  proxies_.push_back("http://127.0.0.1:3");
  const std::vector<ProxyStatus> last = checker.Last();
  ASSERT_EQ(last.size(), 3u);
  EXPECT_FALSE(last[0].alive);
  EXPECT_TRUE(last[2].alive);
  EXPECT_EQ(last[2].checked_at_ms, 0);
}

TEST(MaskProxyCredentialsTest, HidesUserAndPassword) {
  EXPECT_EQ(MaskProxyCredentials("http://user:pw@127.0.0.1:1"), "http://***@127.0.0.1:1");
  EXPECT_EQ(MaskProxyCredentials("socks5h://a@b:1"), "socks5h://***@b:1");
  EXPECT_EQ(MaskProxyCredentials("http://127.0.0.1:1"), "http://127.0.0.1:1");
}

}  // namespace
}  // namespace gempool::keybroker
