// Issue 4: the broker treats each upstream error for what it is, keeps key
// states across restarts, and serves several gateways as one pool.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "absl/strings/numbers.h"
#include "integration/db_rows.h"
#include "integration/measured.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::Contains;
using ::testing::SizeIs;

int Count(const std::vector<std::string>& used, const std::string& key) {
  return static_cast<int>(std::count(used.begin(), used.end(), key));
}

class KeyStateTest : public StackTest {
 protected:
  // Sends `n` generateContent requests for `model` through `gateway`; each
  // must succeed.
  void SendOk(int n, const std::string& model = kFlash, int gateway = 0) {
    for (int i = 0; i < n; ++i) {
      auto r = Generate(model, gateway);
      ASSERT_TRUE(r) << "request " << i;
      ASSERT_EQ(r->status, 200) << "request " << i << ": " << r->body;
    }
  }
  std::vector<std::string> UsedKeys(const std::string& model, int64_t since = 0) {
    std::vector<std::string> keys;
    for (const UpstreamRequest& r : Upstream("generateContent", since)) {
      if (r.model == model) keys.push_back(r.key);
    }
    return keys;
  }

  std::unique_ptr<MysqlDatabase> mysql_db_;
};

TEST_F(KeyStateTest, InvalidKeyIsUsedExactlyOnceEvenWithHighMaxFailures) {
  StackOptions options;
  options.max_failures = 10;
  options.upstream_valid_keys = {options.keys[1], options.keys[2]};  // keys[0] is not valid
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  ASSERT_NO_FATAL_FAILURE(SendOk(15));
  EXPECT_EQ(Count(UsedKeys(kFlash), options.keys[0]), 1) << "an API_KEY_INVALID key must be disabled at once";
}

TEST_F(KeyStateTest, RateLimitedKeyCoolsForThatModelOnly) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  const std::string limited = stack().options().keys[0];
  ASSERT_TRUE(fake()
                  .ScriptKey(limited, kPro,
                             json::array({{{"status", 429},
                                           {"retryDelay", "30s"},
                                           {"quotaId", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}}}),
                             true)
                  .ok());
  ASSERT_NO_FATAL_FAILURE(SendOk(9, kPro));
  EXPECT_EQ(Count(UsedKeys(kPro), limited), 1) << "a key cooling 30 s for " << kPro << " was used again";
  ASSERT_NO_FATAL_FAILURE(SendOk(6, kFlash));
  EXPECT_GE(Count(UsedKeys(kFlash), limited), 1) << "the key cools for " << kPro << " only, not for " << kFlash;
}

TEST_F(KeyStateTest, FlakyKeyStaysInThePool) {
  StackOptions options;
  options.max_failures = 3;
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  const std::string flaky = options.keys[0];
  // Every other use of the key fails with 503; the successes in between
  // clear its failure count.
  ASSERT_TRUE(fake().ScriptKey(flaky, "", json::array({{{"status", 503}}, {{"kind", "success"}}}), true).ok());
  ASSERT_NO_FATAL_FAILURE(SendOk(24));
  const std::vector<std::string> used = UsedKeys(kFlash);
  ASSERT_GE(used.size(), 24u);
  EXPECT_GE(Count(used, flaky), 6) << "the flaky key was dropped";
  const std::vector<std::string> recent(used.end() - 6, used.end());
  EXPECT_THAT(recent, Contains(flaky)) << "the flaky key is no longer handed out";
}

TEST_F(KeyStateTest, AllKeysCoolingGives429WithRetryAfter) {
  StackOptions options;
  options.keys = {StackOptions::TestKey(1), StackOptions::TestKey(2)};
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  ASSERT_TRUE(fake().ScriptKey("", kFlash, json::array({{{"status", 429}, {"retryDelay", "30s"}}}), true).ok());
  auto first = Generate();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 429) << first->body;
  const int64_t seen = LastUpstreamId();

  auto second = Generate();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 429) << second->body;
  ASSERT_TRUE(second->has_header("Retry-After")) << "no Retry-After header; body: " << second->body;
  int retry_after = 0;
  ASSERT_TRUE(absl::SimpleAtoi(second->get_header_value("Retry-After"), &retry_after))
      << second->get_header_value("Retry-After");
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 31);
  EXPECT_THAT(Upstream("generateContent", seen), SizeIs(0)) << "a cooling key was used";
}

// An upstream outage fails every key until MAX_FAILURES disables them all;
// once it is over the keys come back by themselves within seconds
// (MAX_FAILURES_RECHECK_SECONDS), with no admin reset and long before
// CHECK_INTERVAL_HOURS (off here).
TEST_F(KeyStateTest, KeysAnUpstreamOutageDisabledComeBackSoonAfterItEnds) {
  StackOptions options;
  options.max_failures = 1;
  options.extra_env["MAX_FAILURES_RECHECK_SECONDS"] = "1";
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  ASSERT_TRUE(fake().ScriptKey("", "", json::array({{{"status", 503}}}), true).ok());
  const httplib::Headers admin = {{"Authorization", "Bearer " + options.admin_token}};
  auto disabled_keys = [&]() -> int {
    auto r = stack().Gateway()->Get("/v1/keys/list", admin);
    if (!r || r->status != 200) return -1;
    return static_cast<int>(json::parse(r->body)["data"]["invalid_keys"].size());
  };
  // Three attempts per call, one failure disables a key: a call or two
  // disables all three.
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        auto r = Generate();
        return r && r->status != 200 && disabled_keys() == 3;
      },
      15000))
      << "the outage did not disable every key";

  ASSERT_TRUE(fake().Reset().ok());  // The outage is over.
  const auto over = std::chrono::steady_clock::now();
  ASSERT_TRUE(gempool::testing::WaitFor([&] { return disabled_keys() == 0; }, 20000))
      << "keys MAX_FAILURES disabled did not come back after the outage";
  Measured("KeysAnUpstreamOutageDisabledComeBackSoonAfterItEnds", "outage_over_to_every_key_back_ms", MsSince(over),
           " ms");
  // The gateway's replica hears of each key within the broker's next push
  // (50 ms): every key serves again.
  const int64_t since = LastUpstreamId();
  std::set<std::string> serving;
  EXPECT_TRUE(gempool::testing::WaitFor(
      [&] {
        auto r = Generate();
        if (!r || r->status != 200) return false;
        for (const std::string& key : UsedKeys(kFlash, since)) serving.insert(key);
        return serving.size() == options.keys.size();
      },
      5000))
      << "keys serving after the outage: " << ::testing::PrintToString(serving);
}

class KeyStateRestartTest : public KeyStateTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(KeyStateRestartTest, DisabledKeyStaysDisabledAcrossBrokerRestart) {
  StackOptions options;
  options.max_failures = 10;
  options.upstream_valid_keys = {options.keys[1], options.keys[2]};
  if (GetParam() == "mysql") {
    std::optional<MysqlTarget> server = MysqlTestServer();
    if (!server) {
      if (MysqlRequired()) FAIL() << "GEMPOOL_REQUIRE_MYSQL=1 but GEMPOOL_TEST_MYSQL_HOST is unset";
      GTEST_SKIP() << "GEMPOOL_TEST_MYSQL_HOST unset";
    }
    auto database = MysqlDatabase::Create(*server);
    ASSERT_TRUE(database.ok()) << database.status();
    mysql_db_ = *std::move(database);
    options.database_type = "mysql";
    options.mysql = mysql_db_->target();
  }
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  const std::string dead = options.keys[0];
  ASSERT_NO_FATAL_FAILURE(SendOk(4));
  ASSERT_EQ(Count(UsedKeys(kFlash), dead), 1);

  ASSERT_TRUE(stack().Restart(Stack::Service::kKeyBroker).ok());
  const int64_t since = LastUpstreamId();
  // The gateway reconnects to the restarted broker by itself.
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        auto r = stack().Gateway()->Get("/health");
        return r && r->status == 200;
      },
      15000));
  ASSERT_NO_FATAL_FAILURE(SendOk(9));
  EXPECT_EQ(Count(UsedKeys(kFlash, since), dead), 0) << "the restarted broker forgot the key was disabled";
}

INSTANTIATE_TEST_SUITE_P(Databases, KeyStateRestartTest, ::testing::Values("sqlite", "mysql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST_F(KeyStateTest, TwoGatewaysShareOneBroker) {
  StackOptions options;
  options.gateways = 2;
  options.max_failures = 10;
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  for (int i = 0; i < 12; ++i) ASSERT_NO_FATAL_FAILURE(SendOk(1, kFlash, i % 2));
  const std::vector<int> counts = CountPerKey(options.keys, UsedKeys(kFlash));
  const auto [min, max] = std::minmax_element(counts.begin(), counts.end());
  EXPECT_LE(*max - *min, 1) << "rotation across two gateways is uneven: " << ::testing::PrintToString(counts);

  // The first key dies; gateway 0 finds out, gateway 1 must never use it.
  const std::string dead = options.keys[0];
  ASSERT_TRUE(fake().SetValidKeys({options.keys[1], options.keys[2]}).ok());
  const int64_t before = LastUpstreamId();
  ASSERT_NO_FATAL_FAILURE(SendOk(3, kFlash, 0));
  ASSERT_EQ(Count(UsedKeys(kFlash, before), dead), 1) << "gateway 0 should have tried the dead key once";
  const int64_t after = LastUpstreamId();
  ASSERT_NO_FATAL_FAILURE(SendOk(9, kFlash, 1));
  EXPECT_EQ(Count(UsedKeys(kFlash, after), dead), 0) << "gateway 1 was handed a key disabled through gateway 0";
}

}  // namespace
}  // namespace gempool::integration
