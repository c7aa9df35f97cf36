#include "admin/config_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "admin/settings_catalog.h"
#include "admin/test/fake_admin_backend.h"
#include "gempool/config/config.h"
#include "gempool/config/ui_settings.h"
#include "gempool/testing/fake_clock.h"

namespace gempool::gateway::admin {
namespace {

using ::testing::AllOf;
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

// Issue 15: every catalog row is listed with its value, default and source
// (lists and JSON maps as text, secrets masked); a setting that cannot
// apply live says why, every other one is editable and live.
TEST(ConfigApiCatalogTest, EveryRowIsListedAndEachNotLiveOneSaysWhy) {
  gempool::testing::FakeClock clock;
  testing::FakeAdminBackend backend{clock};
  ConfigApi api{backend,
                Environment::FromMap({{"SAFETY_SETTINGS", R"([{"category":"HARM_CATEGORY_HARASSMENT","threshold":"OFF"}])"},
                                      {"THINKING_BUDGET_MAP", R"({"gemini-2.5-flash": 1024})"},
                                      {"SEARCH_MODELS", R"(["gemini-2.5-flash"])"},
                                      {"SMMS_SECRET_TOKEN", "smms-secret-token-0123456789"},
                                      {"OSS_ACCESS_KEY_SECRET", "oss-secret-0123456789abcdef"}}),
                clock, nullptr};
  ApiCall get;
  get.method = "GET";
  get.path = "/config";
  const ApiResult listed = api.Handle(get);
  ASSERT_EQ(listed.status, 200);
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& s : listed.body["settings"]) by_name[s["name"]] = s;
  for (const SettingSpec& spec : SettingCatalog()) {
    ASSERT_EQ(by_name.count(spec.name), 1u) << spec.name;
    const nlohmann::json& s = by_name[spec.name];
    for (const char* field : {"value", "default", "source", "live", "editable", "not_live_reason"}) {
      EXPECT_TRUE(s.contains(field)) << spec.name << " lacks " << field;
    }
    if (spec.live) {
      EXPECT_TRUE(spec.editable) << spec.name << ": live but not editable";
      EXPECT_EQ(s["not_live_reason"], "") << spec.name;
    } else {
      EXPECT_NE(s["not_live_reason"], "") << spec.name << " is not live and does not say why";
    }
  }
  EXPECT_EQ(by_name["SAFETY_SETTINGS"]["value"], R"([{"category":"HARM_CATEGORY_HARASSMENT","threshold":"OFF"}])");
  EXPECT_EQ(by_name["SAFETY_SETTINGS"]["source"], "environment");
  EXPECT_EQ(by_name["THINKING_BUDGET_MAP"]["value"], R"({"gemini-2.5-flash": 1024})");
  EXPECT_EQ(by_name["THINKING_BUDGET_MAP"]["default"], "{}");
  EXPECT_EQ(by_name["SEARCH_MODELS"]["value"], R"(["gemini-2.5-flash"])");
  EXPECT_EQ(by_name["SHOW_THINKING_PROCESS"]["source"], "default");
  EXPECT_EQ(by_name["SHOW_THINKING_PROCESS"]["live"], true);
  for (const char* secret : {"SMMS_SECRET_TOKEN", "OSS_ACCESS_KEY_SECRET"}) {
    EXPECT_THAT(by_name[secret]["value"].get<std::string>(), Not(HasSubstr("0123456789"))) << secret;
    EXPECT_EQ(by_name[secret]["is_set"], true) << secret;
  }
  // The ones that cannot be live.
  EXPECT_EQ(by_name["PORT"]["not_live_reason"], "listen");
  EXPECT_EQ(by_name["DATABASE_TYPE"]["not_live_reason"], "database");
  EXPECT_EQ(by_name["KEYBROKER_ADDR"]["not_live_reason"], "address");
  EXPECT_EQ(by_name["GATEWAY_IO_THREADS"]["not_live_reason"], "startup");
  EXPECT_EQ(by_name["SHUTDOWN_GRACE_SECONDS"]["not_live_reason"], "shutdown");
  for (const char* now_live : {"MAX_KEY_WAIT_MS", "RESPONSES_STORE_DAYS", "ADMIN_SESSION_EXPIRE", "GATEWAY_THREADS",
                               "MAX_CONNECTIONS", "REQUEST_HEAD_TIMEOUT", "MAX_REQUEST_BODY_MB"}) {
    EXPECT_EQ(by_name[now_live]["live"], true) << now_live;
  }
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

  // Another process whose environment changed since the save: env wins.
  ConfigApi later(backend_, Environment::FromMap({{"MAX_RETRIES", "4"}}), clock_, nullptr);
  ApiCall get;
  get.method = "GET";
  get.path = "/config";
  const ApiResult listed = later.Handle(get);  // Held: the loop below reads into it.
  for (const auto& s : listed.body["settings"]) {
    if (s["name"] != "MAX_RETRIES") continue;
    EXPECT_EQ(s["value"], "4");
    EXPECT_EQ(s["source"], "environment");
    EXPECT_EQ(s["ui"]["env_changed_since"], true);
  }
}

TEST_F(ConfigApiTest, KeyBrokerSettingsAreEditableAndLive) {
  for (const char* name : {"MAX_FAILURES", "CHECK_INTERVAL_HOURS", "TEST_MODEL", "PAID_KEY", "PROXIES"}) {
    nlohmann::json s = Setting(name);
    EXPECT_EQ(s["editable"], true) << name;
    EXPECT_EQ(s["live"], true) << name << ": the broker follows the settings table";
    EXPECT_EQ(s["services"][0], "keybroker") << name;
  }
  const std::string paid = "AIzaSyPaidKeyForImagen0123456789abcdefg";
  ApiResult saved = api_.Handle(Post("/config", {{"values",
                                                  {{"MAX_FAILURES", "5"},
                                                   {"CHECK_INTERVAL_HOURS", "0.5"},
                                                   {"TEST_MODEL", "gemini-2.5-flash"},
                                                   {"PAID_KEY", paid},
                                                   {"PROXIES", "http://user:pw@proxy-a:3128,http://proxy-b:3128"}}}}));
  ASSERT_EQ(saved.status, 200) << saved.body.dump();
  EXPECT_EQ(saved.body["live"].size(), 5u);
  EXPECT_TRUE(saved.body["restart"].empty()) << "no restart needed";
  EXPECT_EQ(backend_.settings["MAX_FAILURES"], "5");
  EXPECT_EQ(backend_.settings["PAID_KEY"], paid);
  nlohmann::json failures = Setting("MAX_FAILURES");
  EXPECT_EQ(failures["value"], "5");
  EXPECT_EQ(failures["source"], "ui");
  EXPECT_EQ(failures["restart_pending"], false);
  nlohmann::json paid_setting = Setting("PAID_KEY");
  EXPECT_EQ(paid_setting["source"], "ui");
  EXPECT_EQ(paid_setting["value"], "AIzaSy...defg") << "masked";
  EXPECT_THAT(Setting("PROXIES")["value"].get<std::string>(), Not(HasSubstr("pw")));

  // A secret can be cleared (PAID_KEY off): saved as empty, then the default.
  ASSERT_EQ(api_.Handle(Post("/config", {{"values", {{"PAID_KEY", ""}}}})).status, 200);
  EXPECT_EQ(backend_.settings["PAID_KEY"], "");
  EXPECT_EQ(Setting("PAID_KEY")["is_set"], false);
}

TEST_F(ConfigApiTest, KeyBrokerSettingsAreValidatedWithoutEchoingSecrets) {
  auto error_of = [&](const std::string& name, const std::string& value) {
    ApiResult checked = api_.Handle(Post("/config/validate", {{"values", {{name, value}}}}));
    EXPECT_EQ(checked.status, 200);
    return checked.body["errors"].contains(name) ? checked.body["errors"][name].get<std::string>() : "";
  };
  EXPECT_THAT(error_of("MAX_FAILURES", "0"), HasSubstr("MAX_FAILURES"));
  EXPECT_THAT(error_of("CHECK_INTERVAL_HOURS", "-1"), HasSubstr("CHECK_INTERVAL_HOURS"));
  EXPECT_THAT(error_of("TEST_MODEL", "gemini 2.5/../x"), HasSubstr("TEST_MODEL"));
  EXPECT_THAT(error_of("PAID_KEY", "AIzaSyOne,AIzaSyTwo"), AllOf(HasSubstr("PAID_KEY"), Not(HasSubstr("AIzaSyOne"))));
  const std::string socks = error_of("PROXIES", "socks4://user:secretpw@proxy:1080");
  EXPECT_THAT(socks, AllOf(HasSubstr("PROXIES"), Not(HasSubstr("secretpw"))));
  const std::string bad_port = error_of("PROXIES", "http://user:secretpw@proxy:99999");
  EXPECT_THAT(bad_port, AllOf(HasSubstr("PROXIES"), Not(HasSubstr("secretpw"))));
  EXPECT_EQ(error_of("PROXIES", "http://proxy-a:3128"), "");
  EXPECT_EQ(error_of("TEST_MODEL", "models/gemini-2.5-flash-lite"), "");
  EXPECT_EQ(error_of("CHECK_INTERVAL_HOURS", "0"), "") << "0 turns re-validation off";
  EXPECT_TRUE(backend_.settings.empty());
}

// With many keys the page shows a few, masked, and how many more: the raw
// list is neither kept nor sent.
TEST(ConfigApiKeysTest, ApiKeysAreSummarizedAndTheRawListIsNotKept) {
  gempool::testing::FakeClock clock;
  testing::FakeAdminBackend backend{clock};
  std::string keys = "[";
  for (int i = 0; i < 25; ++i) {
    absl::StrAppend(&keys, i == 0 ? "" : ",", "\"AIzaSyKey", absl::Dec(i, absl::kZeroPad2),
                    "xxxxxxxxxxxxxxxxxxxxxxxxxx\"");
  }
  keys += "]";
  ConfigApi api{backend, Environment::FromMap({{"API_KEYS", keys}}), clock, [] {}};
  ApiCall get;
  get.method = "GET";
  get.path = "/config";
  const ApiResult listed = api.Handle(get);
  ASSERT_EQ(listed.status, 200);
  nlohmann::json api_keys;
  for (const auto& s : listed.body["settings"]) {
    if (s["name"] == "API_KEYS") api_keys = s;
  }
  ASSERT_TRUE(api_keys.is_object());
  EXPECT_EQ(api_keys["value"], SummarizeApiKeys(keys));
  EXPECT_THAT(api_keys["value"].get<std::string>(), HasSubstr("(+15)"));
  EXPECT_EQ(api_keys["is_set"], true);
  EXPECT_EQ(api_keys["source"], "environment");
  EXPECT_THAT(listed.body.dump(), Not(HasSubstr("xxxxxxxxxxxxxxxx")));
}

TEST(SummarizeApiKeysTest, ShowsTheFirstKeysMaskedThenTheCount) {
  EXPECT_EQ(SummarizeApiKeys("[\"AIzaSyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"]"), "AIzaSy...AAAA");
  EXPECT_EQ(SummarizeApiKeys("k1aaaaaaaaaaaa,k2bbbbbbbbbbbb,k3cccccccccccc", 2),
            absl::StrCat(MaskSettingValue("PAID_KEY", "k1aaaaaaaaaaaa"), ", ",
                         MaskSettingValue("PAID_KEY", "k2bbbbbbbbbbbb"), " (+1)"));
  EXPECT_EQ(SummarizeApiKeys("[\"unterminated"), "***");
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
