// Issue 15 §1: the model settings apply live on a running gateway, with no
// restart: imported from a gemini-balance database with `gempoolctl import
// gemini-balance` (THINKING_BUDGET_MAP, SAFETY_SETTINGS, SEARCH_MODELS), or
// saved through the admin API (FILTERED_MODELS, SHOW_THINKING_PROCESS). The
// fake upstream's record of each call shows them in force.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gempool/testing/subprocess.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::Contains;
using ::testing::Not;

constexpr char kBudgetMap[] = R"({"gemini-2.5-flash": 4321})";
constexpr char kSafety[] = R"([{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}])";
constexpr char kSearchModels[] = R"(["gemini-2.0-flash"])";
// Settings reach a gateway within a poll (2 s); generous for loaded CI.
constexpr int kApplyDeadlineMs = 20000;

class LiveModelSettingsTest : public StackTest {
 protected:
  void TearDown() override {
    StackTest::TearDown();
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  httplib::Headers Bearer(const std::string& token) const { return {{"Authorization", "Bearer " + token}}; }

  // POST /v1/chat/completions for `model`; the upstream request it caused
  // (its body parsed), or null when there was none.
  json ChatUpstreamBody(const std::string& model, std::string* upstream_model = nullptr) {
    const int64_t since = LastUpstreamId();
    const json body = {{"model", model}, {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}};
    auto r = stack().Gateway()->Post("/v1/chat/completions", Bearer(stack().token()), body.dump(), "application/json");
    if (!r || r->status != 200) {
      ADD_FAILURE() << "chat " << model << ": " << (r ? r->body : httplib::to_string(r.error()));
      return nullptr;
    }
    const std::vector<UpstreamRequest> calls = Upstream("generateContent", since);
    if (calls.empty()) return nullptr;
    if (upstream_model != nullptr) *upstream_model = calls.back().model;
    return json::parse(calls.back().body, nullptr, false);
  }

  static int ThinkingBudget(const json& body) {
    if (!body.is_object()) return -2;
    const json config = body.value("generationConfig", json::object()).value("thinkingConfig", json::object());
    return config.value("thinkingBudget", -2);
  }

  static bool IncludesThoughts(const json& body) {
    if (!body.is_object()) return false;
    const json config = body.value("generationConfig", json::object()).value("thinkingConfig", json::object());
    return config.value("includeThoughts", false);
  }

  static bool HasGoogleSearch(const json& body) {
    if (!body.is_object() || !body.contains("tools")) return false;
    for (const json& tool : body["tools"]) {
      if (tool.contains("googleSearch")) return true;
    }
    return false;
  }

  // A gemini-balance SQLite database (its t_settings table) with `rows`.
  std::string GeminiBalanceDatabase(const std::vector<std::pair<std::string, std::string>>& rows) {
    std::string pattern = (std::filesystem::temp_directory_path() / "gempool-live-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp";
      return "";
    }
    dir_ = pattern;
    const std::string path = dir_ + "/default_db";
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    auto exec = [db](const std::string& sql) {
      char* error = nullptr;
      EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
      sqlite3_free(error);
    };
    exec("CREATE TABLE t_settings (id INTEGER NOT NULL PRIMARY KEY, `key` VARCHAR(100) NOT NULL UNIQUE, "
         "value TEXT, description VARCHAR(255), created_at DATETIME, updated_at DATETIME)");
    for (const auto& [name, value] : rows) {
      char* quoted = sqlite3_mprintf("INSERT INTO t_settings (`key`, value, description, created_at, updated_at) "
                                     "VALUES (%Q, %Q, %Q, '2025-05-01 10:00:00', '2025-05-01 10:00:00')",
                                     name.c_str(), value.c_str(), name.c_str());
      exec(quoted);
      sqlite3_free(quoted);
    }
    sqlite3_close(db);
    return path;
  }

  // POST /api/config {"values": values} with the admin token.
  json SaveSettings(const json& values) {
    auto r = stack().Gateway()->Post("/api/config", Bearer(stack().options().admin_token),
                                     json{{"values", values}}.dump(), "application/json");
    if (!r) {
      ADD_FAILURE() << "POST /api/config: " << httplib::to_string(r.error());
      return {};
    }
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body, nullptr, false);
  }

  // The ids GET /v1/models lists.
  std::vector<std::string> ListedModels() {
    auto r = stack().Gateway()->Get("/v1/models", Bearer(stack().token()));
    if (!r || r->status != 200) {
      ADD_FAILURE() << "GET /v1/models: " << (r ? r->body : httplib::to_string(r.error()));
      return {};
    }
    const json list = json::parse(r->body, nullptr, false);
    if (!list.is_object() || !list.contains("data") || !list["data"].is_array()) {
      ADD_FAILURE() << "GET /v1/models is not an OpenAI model list: " << r->body;
      return {};
    }
    std::vector<std::string> ids;
    for (const json& model : list["data"]) ids.push_back(model["id"]);
    return ids;
  }

  std::string dir_;
};

TEST_F(LiveModelSettingsTest, ImportedGeminiBalanceSettingsReachTheRunningGatewayWithoutARestart) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  // Before: the defaults (no budget, every harm category OFF, -search only
  // for 2.5 models).
  json before = ChatUpstreamBody(kFlash);
  ASSERT_TRUE(before.is_object());
  EXPECT_EQ(ThinkingBudget(before), -2) << before.dump();
  EXPECT_EQ(before["safetySettings"].size(), 5u) << before.dump();
  std::string upstream_model;
  json search_before = ChatUpstreamBody("gemini-2.0-flash-search", &upstream_model);
  EXPECT_EQ(upstream_model, "gemini-2.0-flash-search");
  EXPECT_FALSE(HasGoogleSearch(search_before));

  const std::string source = GeminiBalanceDatabase({{"THINKING_BUDGET_MAP", kBudgetMap},
                                                    {"SAFETY_SETTINGS", kSafety},
                                                    {"SEARCH_MODELS", kSearchModels}});
  ASSERT_FALSE(source.empty());
  const Stack::CtlResult imported = stack().RunCtl({"import", "gemini-balance", "--sqlite", source, "--json"});
  ASSERT_EQ(imported.exit_code, 0) << imported.output << imported.error;
  const json report = json::parse(imported.output, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << imported.output;
  std::vector<std::string> names;
  for (const json& s : report["settings"]["imported"]) {
    names.push_back(s.is_object() ? s.value("name", "") : s.is_string() ? s.get<std::string>() : "");
  }
  EXPECT_THAT(names, Contains("THINKING_BUDGET_MAP"));
  EXPECT_THAT(names, Contains("SAFETY_SETTINGS"));
  EXPECT_THAT(names, Contains("SEARCH_MODELS"));

  // The same gateway process, never restarted, picks them up by itself.
  json after;
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        after = ChatUpstreamBody(kFlash);
        return ThinkingBudget(after) == 4321;
      },
      kApplyDeadlineMs))
      << "THINKING_BUDGET_MAP never reached the gateway; last upstream body: " << after.dump();
  EXPECT_EQ(after["safetySettings"], json::parse(kSafety)) << after.dump();
  json search_after = ChatUpstreamBody("gemini-2.0-flash-search", &upstream_model);
  EXPECT_EQ(upstream_model, "gemini-2.0-flash");
  EXPECT_TRUE(HasGoogleSearch(search_after)) << search_after.dump();
  // The native API follows the same settings.
  const int64_t since = LastUpstreamId();
  auto native = Generate(kFlash);
  ASSERT_TRUE(native && native->status == 200);
  const std::vector<UpstreamRequest> calls = Upstream("generateContent", since);
  ASSERT_FALSE(calls.empty());
  const json native_body = json::parse(calls.back().body, nullptr, false);
  EXPECT_EQ(ThinkingBudget(native_body), 4321) << calls.back().body;
  EXPECT_EQ(native_body["safetySettings"], json::parse(kSafety)) << calls.back().body;
}

TEST_F(LiveModelSettingsTest, ModelSettingsSavedThroughTheAdminApiApplyAtOnce) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  ASSERT_THAT(ListedModels(), Contains(kPro)) << ::testing::PrintToString(ListedModels());
  ASSERT_TRUE(IncludesThoughts(ChatUpstreamBody(kFlash)));

  const json saved = SaveSettings({{"FILTERED_MODELS", json::array({kPro}).dump()}, {"SHOW_THINKING_PROCESS", "false"}});
  EXPECT_EQ(saved["saved"], 2) << saved.dump();
  EXPECT_TRUE(saved["restart"].empty()) << saved.dump();

  // The model list (cached by the gateway) follows the change.
  std::vector<std::string> listed;
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        listed = ListedModels();
        return !listed.empty() && std::find(listed.begin(), listed.end(), kPro) == listed.end();
      },
      kApplyDeadlineMs))
      << "FILTERED_MODELS saved on the admin page never hid " << kPro;
  EXPECT_THAT(listed, Contains(kFlash));
  // A filtered model is refused without an upstream call.
  const int64_t since = LastUpstreamId();
  const json body = {{"model", kPro}, {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}};
  auto refused =
      stack().Gateway()->Post("/v1/chat/completions", Bearer(stack().token()), body.dump(), "application/json");
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->status, 200) << refused->body;
  EXPECT_TRUE(Upstream("generateContent", since).empty());
  // SHOW_THINKING_PROCESS=false: thinking models are no longer asked for
  // thought summaries.
  const json chat = ChatUpstreamBody(kFlash);
  ASSERT_TRUE(chat.is_object());
  EXPECT_FALSE(IncludesThoughts(chat)) << chat.dump();
}

// The HTTP limits apply live too, to the connections accepted after a save.
TEST_F(LiveModelSettingsTest, AnHttpLimitSavedThroughTheAdminApiAppliesToNewConnections) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  const std::string big = GenerateBody(std::string(size_t{3} << 20, 'a'));  // 3 MiB.
  auto accepted = stack().Gateway()->Post(GeneratePath(kFlash).c_str(), Auth(), big, "application/json");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 200) << accepted->body;

  const json saved = SaveSettings({{"MAX_REQUEST_BODY_MB", "1"}});
  EXPECT_EQ(saved["live"], json::array({"MAX_REQUEST_BODY_MB"})) << saved.dump();
  int status = 0;
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        // A new client: a new connection.
        auto r = stack().Gateway()->Post(GeneratePath(kFlash).c_str(), Auth(), big, "application/json");
        status = r ? r->status : -1;
        return status == 413;
      },
      kApplyDeadlineMs))
      << "MAX_REQUEST_BODY_MB=1 saved on the admin page never applied; last status " << status;
}

}  // namespace
}  // namespace gempool::integration
