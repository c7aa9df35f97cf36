// The broker's proxy health checks end to end in one process: a proxy the
// check cannot reach is skipped by AcquireKey, sent to gateways in the
// WatchKeys settings, and reported by KeyAdmin.CheckProxies (credentials
// masked); PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY=false reaches the stream.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "broker_harness.h"
#include "gempool/keypool/proxy_for_key.h"

namespace gempool::keybroker {
namespace {

using ::gempool::keybroker::testing::BrokerHarness;
using ::gempool::keybroker::testing::FakeProbeTransport;
using ::gempool::keybroker::testing::TestKey;
using ::testing::ElementsAre;

const std::vector<std::string> kProxies = {"http://proxy-a:3128", "http://user:pw@proxy-b:3128"};

class BrokerProxyHealthTest : public ::testing::Test {
 protected:
  void Start(bool consistent_hash = true) {
    std::vector<std::string> keys;
    for (int i = 1; i <= 8; ++i) keys.push_back(TestKey(i));
    Config config = harness_.MakeConfig(keys);
    config.proxies = kProxies;
    config.proxies_use_consistency_hash_by_api_key = consistent_hash;
    harness_.StartBroker(config, BrokerHarness::Options(false));
  }

  v1::PoolSettings SnapshotSettings() {
    auto context = BrokerHarness::Context();
    v1::WatchKeysRequest request;
    request.set_watcher("test");
    auto stream = harness_.broker_stub().WatchKeys(context.get(), request);
    v1::KeyPoolUpdate update;
    EXPECT_TRUE(stream->Read(&update));
    context->TryCancel();
    return update.settings();
  }

  v1::CheckProxiesResponse CheckProxies(bool run_now) {
    v1::CheckProxiesRequest request;
    request.set_run_now(run_now);
    v1::CheckProxiesResponse response;
    grpc::Status status = harness_.admin_stub().CheckProxies(BrokerHarness::AdminContext().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  BrokerHarness harness_;
};

TEST_F(BrokerProxyHealthTest, ADeadProxyIsSkippedAndSentToGatewaysUntilItIsBack) {
  Start();
  harness_.probes().SetProxyResponse(kProxies[1],
                                     FakeProbeTransport::Failure(gemini::TransportFailure::kConnection, "refused"));
  const v1::CheckProxiesResponse checked = CheckProxies(true);
  ASSERT_EQ(checked.proxies_size(), 2);
  EXPECT_EQ(checked.proxies(0).proxy(), "http://proxy-a:3128");
  EXPECT_TRUE(checked.proxies(0).alive());
  EXPECT_EQ(checked.proxies(1).proxy(), "http://***@proxy-b:3128");
  EXPECT_FALSE(checked.proxies(1).alive());
  EXPECT_EQ(checked.proxies(1).error(), "refused");
  EXPECT_EQ(checked.interval_seconds(), 300);

  EXPECT_THAT(SnapshotSettings().dead_proxies(), ElementsAre(kProxies[1]));
  std::set<std::string> used;
  int homed_on_dead = 0;
  for (int i = 0; i < 16; ++i) {
    v1::AcquireKeyResponse key = harness_.Acquire("gemini-2.5-flash");
    ASSERT_TRUE(key.available());
    homed_on_dead += keypool::ProxyForKey(kProxies, key.secret()) == kProxies[1];
    used.insert(key.proxy());
  }
  EXPECT_GT(homed_on_dead, 0) << "no key's own proxy was the dead one: the test proves nothing";
  EXPECT_EQ(used, std::set<std::string>{kProxies[0]});
  // The last results without a new check.
  EXPECT_FALSE(CheckProxies(false).proxies(1).alive());

  harness_.probes().SetProxyResponse(kProxies[1], FakeProbeTransport::Http(403));
  EXPECT_TRUE(CheckProxies(true).proxies(1).alive());
  EXPECT_EQ(SnapshotSettings().dead_proxies_size(), 0);
}

TEST_F(BrokerProxyHealthTest, AVerdictReachesWatchingGatewaysWithoutASnapshot) {
  Start();
  auto context = BrokerHarness::Context();
  v1::WatchKeysRequest watch;
  watch.set_watcher("test");
  auto stream = harness_.broker_stub().WatchKeys(context.get(), watch);
  v1::KeyPoolUpdate update;
  do {
    ASSERT_TRUE(stream->Read(&update));
  } while (!update.snapshot_complete());
  const uint64_t generation = harness_.broker().settings().generation();

  harness_.probes().SetProxyResponse(kProxies[1],
                                     FakeProbeTransport::Failure(gemini::TransportFailure::kConnection, "refused"));
  ASSERT_FALSE(CheckProxies(true).proxies(1).alive());
  do {
    ASSERT_TRUE(stream->Read(&update));
    ASSERT_FALSE(update.snapshot()) << "a proxy verdict must not resync the gateways";
  } while (!update.has_settings());
  EXPECT_THAT(update.settings().dead_proxies(), ElementsAre(kProxies[1]));
  EXPECT_EQ(harness_.broker().settings().generation(), generation);
  context->TryCancel();
}

TEST_F(BrokerProxyHealthTest, KeysWhoseProxyIsDeadAreVerifiedThroughALiveOne) {
  Start();
  harness_.probes().SetProxyResponse(kProxies[1],
                                     FakeProbeTransport::Failure(gemini::TransportFailure::kConnection, "refused"));
  ASSERT_FALSE(CheckProxies(true).proxies(1).alive());

  v1::KeySelection request;
  request.set_all(true);
  v1::VerifyKeysResponse response;
  grpc::Status status = harness_.admin_stub().VerifyKeys(BrokerHarness::AdminContext().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  int homed_on_dead = 0;
  int probes = 0;
  for (const ProbeHttpRequest& probe : harness_.probes().requests()) {
    std::string secret;
    for (const auto& [name, value] : probe.headers) {
      if (name == "x-goog-api-key") secret = value;
    }
    if (secret.empty()) continue;  // A proxy check.
    ++probes;
    homed_on_dead += keypool::ProxyForKey(kProxies, secret) == kProxies[1];
    EXPECT_EQ(probe.proxy, kProxies[0]) << "a key probe went through the dead proxy";
  }
  EXPECT_EQ(probes, 8);
  EXPECT_GT(homed_on_dead, 0) << "no key's own proxy was the dead one: the test proves nothing";
}

TEST_F(BrokerProxyHealthTest, RandomChoiceReachesGatewaysAndSpreadsOneKey) {
  Start(/*consistent_hash=*/false);
  EXPECT_TRUE(SnapshotSettings().proxies_random());
  std::set<std::string> used;
  for (int i = 0; i < 40; ++i) used.insert(harness_.Acquire("gemini-2.5-flash", {2, 3, 4, 5, 6, 7, 8}).proxy());
  EXPECT_EQ(used.size(), 2u) << "key 1 alone, 40 calls, both proxies";
}

TEST_F(BrokerProxyHealthTest, AProxyAnswering502ItselfIsDead) {
  Start();
  harness_.probes().SetProxyResponse(kProxies[0], FakeProbeTransport::Http(502));
  const v1::CheckProxiesResponse checked = CheckProxies(true);
  EXPECT_FALSE(checked.proxies(0).alive());
  EXPECT_EQ(checked.proxies(0).error(), "the proxy answered HTTP 502");
  EXPECT_TRUE(checked.proxies(1).alive());
}

}  // namespace
}  // namespace gempool::keybroker
