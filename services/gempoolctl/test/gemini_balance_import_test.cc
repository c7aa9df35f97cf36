// PlanImport: which gemini-balance rows become keys, settings, .env lines, or
// are reported as not imported; and that a second import changes nothing.

#include "gemini_balance_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/config/config.h"
#include "gempool/config/ui_settings.h"

namespace gempool::ctl {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Key;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

// A t_settings table as gemini-balance leaves it after its first start.
SourceSettings GeminiBalanceRows() {
  return {
      {"API_KEYS", R"(["AIzaSyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AIzaSyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",)"
                   R"( "AIzaSyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "bad key with spaces"])"},
      {"ALLOWED_TOKENS", R"(["sk-client-1", "sk-client-2"])"},
      {"AUTH_TOKEN", "sk-admin-gb"},
      {"MAX_FAILURES", "10"},
      {"MAX_RETRIES", "3"},
      {"BASE_URL", "https://generativelanguage.googleapis.com/v1beta"},
      {"THINKING_BUDGET_MAP", "{'gemini-2.5-flash': 4000.0}"},
      {"SHOW_THINKING_PROCESS", "False"},
      {"PROXIES", R"(["socks4://user:pw@proxy:1080"])"},
      {"PAID_KEY", ""},
      {"MYSQL_PASSWORD", "gb-db-password"},
      {"VERTEX_API_KEYS", "[]"},
      {"STREAM_OPTIMIZER_ENABLED", "false"},
      {"MY_OWN_THING", "secret-ish"},
      {"TIMEZONE", std::nullopt},
  };
}

TEST(PlanImportTest, SortsEveryRowAndNeverEchoesAValue) {
  const Environment env = Environment::FromMap({{"ALLOWED_TOKENS", R"(["sk-gempool"])"}, {"MAX_RETRIES", "3"}});
  const ImportPlan plan = PlanImport(GeminiBalanceRows(), env, {});

  EXPECT_THAT(plan.keys,
              ElementsAre("AIzaSyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AIzaSyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"));
  EXPECT_THAT(plan.keys, Not(Contains("bad")));
  // "bad key with spaces" splits into entries only if comma-separated; in a
  // JSON list it is one entry with spaces: not storable.
  EXPECT_EQ(plan.invalid_keys.size(), 1u);

  EXPECT_THAT(plan.settings, UnorderedElementsAre(Pair("ALLOWED_TOKENS", R"(["sk-client-1", "sk-client-2"])"),
                                                  Pair("MAX_FAILURES", "10"),
                                                  Pair("THINKING_BUDGET_MAP", R"({"gemini-2.5-flash": 4000.0})"),
                                                  Pair("SHOW_THINKING_PROCESS", "False")));
  EXPECT_THAT(plan.unchanged, UnorderedElementsAre("MAX_RETRIES", "BASE_URL", "PAID_KEY", "TIMEZONE"));
  EXPECT_THAT(plan.env_lines, ElementsAre(Pair("AUTH_TOKEN", "sk-admin-gb")));
  EXPECT_THAT(plan.not_imported, UnorderedElementsAre(Key("PROXIES"), Key("MYSQL_PASSWORD"),
                                                      Key("STREAM_OPTIMIZER_ENABLED"), Key("MY_OWN_THING")));
  EXPECT_THAT(plan.not_imported.at("PROXIES"), HasSubstr("not valid in gempool"));
  EXPECT_THAT(plan.not_imported.at("MY_OWN_THING"), HasSubstr("unknown"));
  EXPECT_THAT(plan.not_imported.at("MYSQL_PASSWORD"), HasSubstr("environment"));
  for (const auto& [name, reason] : plan.not_imported) {
    EXPECT_THAT(reason, Not(HasSubstr("user:pw")));
    EXPECT_THAT(reason, Not(HasSubstr("gb-db-password")));
    EXPECT_THAT(reason, Not(HasSubstr("secret-ish")));
  }
}

TEST(PlanImportTest, VertexApiKeysGoToTheVertexPool) {
  SourceSettings rows = GeminiBalanceRows();
  rows["VERTEX_API_KEYS"] = R"(["AQ.Ab8RN6VertexAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AQ.Ab8RN6VertexAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "bad vertex key"])";
  const ImportPlan plan = PlanImport(rows, Environment::FromMap({}), {});
  EXPECT_THAT(plan.vertex_keys, ElementsAre("AQ.Ab8RN6VertexAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  EXPECT_EQ(plan.invalid_vertex_keys.size(), 1u);
  EXPECT_THAT(plan.keys, Not(Contains("AQ.Ab8RN6VertexAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")));
  EXPECT_EQ(plan.not_imported.count("VERTEX_API_KEYS"), 0u);
}

TEST(PlanImportTest, StoredSettingsParseInGempoolAndASecondImportChangesNothing) {
  const Environment env = Environment::FromMap({{"AUTH_TOKEN", "sk-admin-gb"}, {"MAX_FAILURES", "3"}});
  const ImportPlan first = PlanImport(GeminiBalanceRows(), env, {});
  ASSERT_THAT(first.settings, Not(IsEmpty()));
  EXPECT_THAT(first.env_lines, IsEmpty());  // The admin token is already gempool's.

  // Stored as the admin page stores them, they are what gempool loads.
  const std::map<std::string, std::string> stored = SettingsToStore(first, env, 1234);
  EXPECT_THAT(stored, Contains(Key(config::UiMetaName("MAX_FAILURES"))));
  absl::StatusOr<Config> loaded = LoadConfig(config::ApplyUiSettings(env, stored));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->max_failures, 10);
  EXPECT_EQ(loaded->allowed_tokens, (std::vector<std::string>{"sk-client-1", "sk-client-2"}));
  EXPECT_EQ(loaded->openai.thinking_budget_map.at("gemini-2.5-flash"), 4000);
  EXPECT_FALSE(loaded->openai.show_thinking_process);

  const ImportPlan second = PlanImport(GeminiBalanceRows(), env, stored);
  EXPECT_THAT(second.settings, IsEmpty());
  EXPECT_THAT(second.unchanged, Contains("MAX_FAILURES"));
  EXPECT_THAT(second.unchanged, Contains("ALLOWED_TOKENS"));
  EXPECT_THAT(second.unchanged, Contains("AUTH_TOKEN"));
}

TEST(PlanImportTest, TheAdminTokenDefaultsToTheFirstAllowedToken) {
  const ImportPlan plan =
      PlanImport({{"ALLOWED_TOKENS", R"(["sk-first","sk-second"])"}, {"AUTH_TOKEN", ""}}, Environment(), {});
  EXPECT_THAT(plan.env_lines, ElementsAre(Pair("AUTH_TOKEN", "sk-first")));
}

TEST(PlanImportTest, AnEmptyValueNeverOverridesGempoolsOwn) {
  const ImportPlan plan = PlanImport({{"PAID_KEY", ""}, {"TEST_MODEL", ""}},
                                     Environment::FromMap({{"PAID_KEY", "AIzaPaid"}}), {});
  EXPECT_THAT(plan.settings, IsEmpty());
  EXPECT_THAT(plan.unchanged, ElementsAre("TEST_MODEL"));
  EXPECT_THAT(plan.not_imported, ElementsAre(Pair("PAID_KEY", HasSubstr("empty in gemini-balance"))));
}

TEST(PlanImportTest, CommaSeparatedKeysAndInvalidListsAreHandled) {
  ImportPlan plan = PlanImport({{"API_KEYS", "AIzaOne, AIzaTwo,AIzaOne"}}, Environment(), {});
  EXPECT_THAT(plan.keys, ElementsAre("AIzaOne", "AIzaTwo"));
  plan = PlanImport({{"API_KEYS", R"(["AIzaOne",)"}}, Environment(), {});
  EXPECT_THAT(plan.keys, IsEmpty());
  EXPECT_THAT(plan.not_imported, ElementsAre(Pair("API_KEYS", HasSubstr("not a list"))));
  EXPECT_THAT(plan.not_imported.at("API_KEYS"), Not(HasSubstr("AIzaOne")));
}

// The import fuzzer (tests/fuzz/gemini_balance_import/non_utf8_list_entry):
// comparing a comma-separated list holding bytes that are not UTF-8 threw
// nlohmann's type_error 316 out of PlanImport.
TEST(PlanImportTest, ListsThatAreNotUtf8AreComparedNotThrown) {
  const SourceSettings rows = {{"ALLOWED_TOKENS", "sk-a,sk-\x8c\x9d"},
                               {"SAFETY_SETTINGS", "[]"}};
  ImportPlan plan;
  ASSERT_NO_THROW(plan = PlanImport(rows, Environment(), {}));
  EXPECT_THAT(plan.settings, Contains(Key("ALLOWED_TOKENS")));
  const ImportPlan second = PlanImport(rows, Environment(), SettingsToStore(plan, Environment(), 1234));
  EXPECT_THAT(second.unchanged, Contains("ALLOWED_TOKENS"));
}

}  // namespace
}  // namespace gempool::ctl
