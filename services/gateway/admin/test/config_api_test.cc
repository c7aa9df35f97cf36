#include "admin/config_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "admin/settings_catalog.h"
#include "admin/test/fake_admin_backend.h"
#include "gempool/config/config.h"
#include "gempool/config/ui_settings.h"
#include "gempool/testing/fake_clock.h"

namespace gempool::gateway::admin {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ConfigApiTest : public ::testing::Test {
 protected:
  ApiCall Post(const std::string& path, nlohmann::json body) {
    ApiCall call;
    call.method = "POST";
    call.path = path;
    call.body = std::move(body);
    return call;
  }
  nlohmann::json Setting(const std::string& name) {
    ApiCall get;
    get.method = "GET";
    get.path = "/config";
    ApiResult listed = api_.Handle(get);
    EXPECT_EQ(listed.status, 200);
    for (const auto& s : listed.body["settings"]) {
      if (s["name"] == name) return s;
    }
    ADD_FAILURE() << name << " not listed";
    return {};
  }

  gempool::testing::FakeClock clock_;
  testing::FakeAdminBackend backend_{clock_};
  int saves_ = 0;
  ConfigApi api_{backend_,
                 Environment::FromMap({{"MAX_RETRIES", "3"}, {"ALLOWED_TOKENS", "sk-client-one,sk-client-two"}}),
                 clock_, [this] { ++saves_; }};
};

TEST_F(ConfigApiTest, ListsEverySettingWithValueDefaultAndSource) {
  nlohmann::json retries = Setting("MAX_RETRIES");
  EXPECT_EQ(retries["value"], "3");
  EXPECT_EQ(retries["default"], "3");
  EXPECT_EQ(retries["source"], "environment");
  EXPECT_EQ(retries["live"], true);
  EXPECT_EQ(Setting("TIME_OUT")["source"], "default");
  nlohmann::json tokens = Setting("ALLOWED_TOKENS");
  EXPECT_THAT(tokens["value"].get<std::string>(), Not(HasSubstr("sk-client-one")));
  EXPECT_EQ(Setting("MYSQL_PASSWORD")["editable"], false);
}

TEST_F(ConfigApiTest, EveryCatalogDefaultLoads) {
  for (const SettingSpec& spec : SettingCatalog()) {
    if (spec.default_text[0] == '\0') continue;
    auto loaded = LoadConfig(Environment::FromMap({{spec.name, spec.default_text}}));
    EXPECT_TRUE(loaded.ok()) << spec.name << ": " << loaded.status();
  }
}

TEST_F(ConfigApiTest, SaveValidatesWithTheStartUpParsers) {
  ApiResult bad = api_.Handle(Post("/config", {{"values", {{"MAX_RETRIES", "lots"}, {"TIME_OUT", "0"}}}}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body["errors"]["MAX_RETRIES"].get<std::string>(), HasSubstr("MAX_RETRIES"));
  EXPECT_THAT(bad.body["errors"]["TIME_OUT"].get<std::string>(), HasSubstr("TIME_OUT"));
  EXPECT_TRUE(backend_.settings.empty()) << "all or nothing";
  EXPECT_EQ(api_.Handle(Post("/config", {{"values", {{"MYSQL_HOST", "db"}}}})).status, 400);
  EXPECT_EQ(api_.Handle(Post("/config", {{"values", {{"NOT_A_SETTING", "1"}}}})).status, 400);
  EXPECT_EQ(api_.Handle(Post("/config", {{"values", {{"CUSTOM_HEADERS", R"({"Authorization":"x"})"}}}})).status, 400);

  ApiResult check = api_.Handle(Post("/config/validate", {{"values", {{"BASE_URL", "ftp://x"}}}}));
  EXPECT_EQ(check.status, 200);
  EXPECT_THAT(check.body["errors"]["BASE_URL"].get<std::string>(), HasSubstr("http"));
  EXPECT_TRUE(backend_.settings.empty()) << "validate never saves";
}

TEST_F(ConfigApiTest, SaveStoresValueAndEnvironmentFingerprintThenWinsUntilTheEnvironmentChanges) {
  ApiResult saved = api_.Handle(Post("/config", {{"values", {{"MAX_RETRIES", "5"}, {"LOG_LEVEL", "debug"}}}}));
  ASSERT_EQ(saved.status, 200) << saved.body.dump();
  EXPECT_EQ(saves_, 1);
  EXPECT_EQ(backend_.settings["MAX_RETRIES"], "5");
  EXPECT_EQ(backend_.settings.count(config::UiMetaName("MAX_RETRIES")), 1u);
  EXPECT_EQ(saved.body["live"][0], "LOG_LEVEL");
  EXPECT_EQ(saved.body["live"][1], "MAX_RETRIES");
  EXPECT_TRUE(saved.body["restart"].empty());
  nlohmann::json retries = Setting("MAX_RETRIES");
  EXPECT_EQ(retries["value"], "5");
  EXPECT_EQ(retries["source"], "ui");
  EXPECT_EQ(retries["ui"]["applied"], true);
  EXPECT_EQ(Setting("MAX_FAILURES")["editable"], false) << "the broker does not read UI values yet";

  // Another process whose environment changed since the save: env wins.
  ConfigApi later(backend_, Environment::FromMap({{"MAX_RETRIES", "4"}}), clock_, nullptr);
  ApiCall get;
  get.method = "GET";
  get.path = "/config";
  for (const auto& s : later.Handle(get).body["settings"]) {
    if (s["name"] != "MAX_RETRIES") continue;
    EXPECT_EQ(s["value"], "4");
    EXPECT_EQ(s["source"], "environment");
    EXPECT_EQ(s["ui"]["env_changed_since"], true);
  }
}

TEST(MaskSettingValueTest, MasksEachEntry) {
  EXPECT_EQ(MaskSettingValue("ALLOWED_TOKENS", "sk-aaaaaaaaaaaa1111,sk-bbbbbbbbbbbb2222"),
            "***11, ***22");
  EXPECT_EQ(MaskSettingValue("AUTH_TOKEN", "short"), "***");
  EXPECT_EQ(MaskSettingValue("PAID_KEY", "AIzaSyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), "AIzaSy...AAAA");
  EXPECT_EQ(MaskSettingValue("PROXIES", "http://user:pw@proxy:8080,http://p2:3128"),
            "http://***@proxy:8080, http://p2:3128");
  EXPECT_EQ(MaskSettingValue("PAID_KEY", ""), "");
}

}  // namespace
}  // namespace gempool::gateway::admin
