// Issue 7: a setting saved on the admin page takes effect at once in every
// service, the key broker included (MAX_FAILURES, PAID_KEY), with no
// restart, and it is still in force after the broker restarts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "gempool/testing/subprocess.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::Contains;

constexpr char kImagen[] = "imagen-3.0-generate-002";
// A Google-shaped key the fake upstream accepts (it accepts every key).
constexpr char kPaidKey[] = "AIzaSyPaidKeySavedOnTheAdminPage0123456";

class UiSettingsTest : public StackTest {
 protected:
  httplib::Headers Admin() const { return {{"Authorization", "Bearer " + stack_->options().admin_token}}; }

  // POST /api/config {"values": values} with the admin token as a bearer.
  json SaveSettings(const json& values) {
    auto r = stack().Gateway()->Post("/api/config", Admin(), json{{"values", values}}.dump(), "application/json");
    if (!r) {
      ADD_FAILURE() << "POST /api/config: " << httplib::to_string(r.error());
      return {};
    }
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body, nullptr, false);
  }

  // The GET /api/config entry of `name`.
  json Setting(const std::string& name) {
    auto r = stack().Gateway()->Get("/api/config", Admin());
    if (!r || r->status != 200) {
      ADD_FAILURE() << "GET /api/config failed";
      return {};
    }
    const json listed = json::parse(r->body, nullptr, false);
    for (const json& s : listed["settings"]) {
      if (s["name"] == name) return s;
    }
    ADD_FAILURE() << name << " not listed";
    return {};
  }

  // The key the upstream saw for the newest call of `model`, "" when none.
  std::string LastKeyFor(const std::string& model, int64_t since) {
    std::string key;
    for (const UpstreamRequest& r : Upstream("generateContent", since)) {
      if (r.model == model) key = r.key;
    }
    return key;
  }

  // Sends `n` generateContent requests for `model`; each must succeed.
  void SendOk(int n, const std::string& model = kFlash) {
    for (int i = 0; i < n; ++i) {
      auto r = Generate(model);
      ASSERT_TRUE(r) << "request " << i;
      ASSERT_EQ(r->status, 200) << "request " << i << ": " << r->body;
    }
  }

  // Upstream calls made with `key` after request id `since`.
  int UsesOf(const std::string& key, int64_t since) {
    int uses = 0;
    for (const UpstreamRequest& r : Upstream("generateContent", since)) uses += r.key == key ? 1 : 0;
    return uses;
  }

  void WaitUntilHealthy() {
    ASSERT_TRUE(gempool::testing::WaitFor(
        [&] {
          auto r = stack().Gateway()->Get("/health");
          return r && r->status == 200;
        },
        15000))
        << "the gateway did not report healthy";
  }
};

TEST_F(UiSettingsTest, KeyBrokerSettingsSavedOnTheAdminPageApplyWithoutARestartAndSurviveOne) {
  StackOptions options;
  options.max_failures = 10;
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  const std::vector<std::string>& keys = stack().options().keys;
  // Without PAID_KEY, image models use the pool.
  ASSERT_NO_FATAL_FAILURE(SendOk(1, kImagen));
  EXPECT_THAT(keys, Contains(LastKeyFor(kImagen, 0)));
  // One save, both settings: the answer says they apply live.
  const json saved = SaveSettings({{"MAX_FAILURES", "1"}, {"PAID_KEY", kPaidKey}});
  EXPECT_EQ(saved["saved"], 2);
  EXPECT_EQ(saved["live"], json::array({"MAX_FAILURES", "PAID_KEY"}));
  EXPECT_TRUE(saved["restart"].empty()) << saved.dump();

  // The broker picks the save up by itself (it polls the settings table).
  int64_t since = LastUpstreamId();
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        auto r = Generate(kImagen);
        return r && r->status == 200 && LastKeyFor(kImagen, since) == kPaidKey;
      },
      15000))
      << "PAID_KEY saved on the admin page never reached the broker";
  // Saved together, so MAX_FAILURES=1 is in force too: keys[0]'s first 503
  // disables it at once (under MAX_FAILURES=10 it would stay in the rotation
  // and be tried again every third request).
  ASSERT_TRUE(fake().ScriptKey(keys[0], "", json::array({{{"status", 503}}}), true).ok());
  since = LastUpstreamId();
  ASSERT_NO_FATAL_FAILURE(SendOk(9));
  EXPECT_EQ(UsesOf(keys[0], since), 1) << "with MAX_FAILURES=1 a key is used once after its first failure";

  // A restarted broker starts with the saved values, before its first key.
  ASSERT_TRUE(stack().Restart(Stack::Service::kKeyBroker).ok());
  ASSERT_NO_FATAL_FAILURE(WaitUntilHealthy());
  since = LastUpstreamId();
  ASSERT_NO_FATAL_FAILURE(SendOk(1, kImagen));
  EXPECT_EQ(LastKeyFor(kImagen, since), kPaidKey) << "PAID_KEY from the admin page lost in the restart";
  ASSERT_TRUE(fake().ScriptKey(keys[1], "", json::array({{{"status", 503}}}), true).ok());
  since = LastUpstreamId();
  ASSERT_NO_FATAL_FAILURE(SendOk(9));
  EXPECT_EQ(UsesOf(keys[1], since), 1) << "MAX_FAILURES from the admin page lost in the restart";

  // The page says where the values come from, the secret masked.
  const json failures = Setting("MAX_FAILURES");
  EXPECT_EQ(failures["value"], "1");
  EXPECT_EQ(failures["source"], "ui");
  EXPECT_EQ(failures["editable"], true);
  const json paid = Setting("PAID_KEY");
  EXPECT_EQ(paid["source"], "ui");
  EXPECT_NE(paid["value"], kPaidKey);
}


// LOG_LEVEL is read by every service: saved on the admin page it reaches the
// key broker and persistence too. At ERROR neither logs its (INFO) stopping
// line any more.
TEST_F(UiSettingsTest, LogLevelSavedOnTheAdminPageReachesTheBrokerAndPersistence) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  const json saved = SaveSettings({{"LOG_LEVEL", "ERROR"}});
  EXPECT_EQ(saved["live"], json::array({"LOG_LEVEL"})) << saved.dump();
  // Both poll the settings table every 2 s and say when they apply the
  // level (the last INFO line each writes).
  auto log_of = [this](const std::string& file) {
    // Stack::Logs() is every process's log, each after a "---- <path> ----" line.
    const std::string logs = stack().Logs();
    const size_t start = logs.find("/" + file + " ----");
    if (start == std::string::npos) return std::string();
    const size_t end = logs.find("\n---- ", start);
    return logs.substr(start, end == std::string::npos ? std::string::npos : end - start);
  };
  EXPECT_TRUE(gempool::testing::WaitFor(
      [&] {
        return absl::StrContains(log_of("keybroker.log"), " -> ERROR") &&
               absl::StrContains(log_of("persistence.log"), " -> ERROR");
      },
      15000))
      << "the key broker or persistence did not apply LOG_LEVEL=ERROR";
  EXPECT_EQ(stack().Stop(Stack::Service::kKeyBroker), 0);
  EXPECT_EQ(stack().Stop(Stack::Service::kPersistence), 0);
  const std::string broker = log_of("keybroker.log");
  const std::string persistence = log_of("persistence.log");
  ASSERT_THAT(broker, ::testing::HasSubstr("ready:")) << "no broker log found";
  ASSERT_THAT(persistence, ::testing::HasSubstr("listening on")) << "no persistence log found";
  EXPECT_THAT(broker, ::testing::Not(::testing::HasSubstr("stopping on signal"))) << "the key broker still logs INFO";
  EXPECT_THAT(persistence, ::testing::Not(::testing::HasSubstr(": stopping"))) << "persistence still logs INFO";
}

}  // namespace
}  // namespace gempool::integration
