#include "commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gempool/common/clock.h"
#include "gempool/rpc/server.h"
#include "gempool/testing/status_matchers.h"
#include "gempool/testing/subprocess.h"
#include "gempool/v1/keybroker.grpc.pb.h"
#include "usage_command.h"

namespace gempool::ctl {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kToken[] = "t0k3n";

// Answers KeyAdmin calls with canned data and remembers the requests.
class FakeKeyAdmin final : public v1::KeyAdmin::Service {
 public:
  grpc::Status ListKeys(grpc::ServerContext* context, const v1::ListKeysRequest* request,
                        v1::ListKeysResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    absl::MutexLock lock(&mu_);
    last_list_ = *request;
    v1::KeyView* one = response->add_keys();
    one->set_id(1);
    one->set_masked("AIzaSy...aaaa");
    one->set_state(v1::KEY_STATE_ACTIVE);
    one->set_last_used_at_ms(1752609600000);  // 2025-07-15T20:00:00Z
    v1::ModelCooldown* cooldown = one->add_model_cooldowns();
    cooldown->set_model("gemini-2.5-pro");
    cooldown->set_until_ms(1752649200000);  // 2025-07-16T07:00:00Z
    cooldown->set_reason("RESOURCE_EXHAUSTED PerDay");
    v1::KeyView* two = response->add_keys();
    two->set_id(2);
    two->set_masked("AIzaSy...bbbb");
    two->set_state(v1::KEY_STATE_DISABLED);
    two->set_failure_count(3);
    two->set_state_reason("MAX_FAILURES");
    response->set_total(2);
    return grpc::Status::OK;
  }
  grpc::Status AddKeys(grpc::ServerContext* context, const v1::AddKeysRequest* request,
                       v1::AddKeysResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    absl::MutexLock lock(&mu_);
    for (const std::string& secret : request->secrets()) {
      added_.push_back(secret);
      if (secret == "dup") {
        response->add_duplicates("...up");
      } else {
        response->add_added_ids(static_cast<int64_t>(added_.size()) + 10);
      }
    }
    response->set_added(response->added_ids_size());
    return grpc::Status::OK;
  }
  grpc::Status PauseKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                         v1::KeyActionResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    absl::MutexLock lock(&mu_);
    last_selection_ = *request;
    for (int64_t id : request->ids()) {
      if (id == 42) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no key with id 42 in the pool");
    }
    response->set_affected(request->all() ? 5 : request->ids_size());
    return grpc::Status::OK;
  }
  grpc::Status RemoveKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                          v1::KeyActionResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    absl::MutexLock lock(&mu_);
    last_selection_ = *request;
    response->set_affected(1);
    return grpc::Status::OK;
  }
  grpc::Status ResetKeys(grpc::ServerContext*, const v1::KeySelection*, v1::KeyActionResponse*) override {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "the key broker is still loading keys from persistence at 127.0.0.1:8002");
  }
  grpc::Status GetPoolSummary(grpc::ServerContext* context, const v1::GetPoolSummaryRequest*,
                              v1::PoolSummary* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    response->set_total(6);
    response->set_active(2);
    response->set_cooling(1);
    response->set_failing(1);
    response->set_disabled(1);
    response->set_paused(1);
    response->set_cooling_some_model(1);
    return grpc::Status::OK;
  }

  // Key 1 passes, key 2 is invalid; --all verifies both, ids verify those.
  grpc::Status VerifyKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                          v1::VerifyKeysResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    absl::MutexLock lock(&mu_);
    last_selection_ = *request;
    std::vector<int64_t> ids(request->ids().begin(), request->ids().end());
    if (request->all()) ids = {1, 2};
    for (int64_t id : ids) {
      v1::KeyVerification* v = response->add_results();
      v->set_id(id);
      v->set_masked(id == 1 ? "AIzaSy...aaaa" : "AIzaSy...bbbb");
      v->set_passed(id == 1);
      v->set_state(id == 1 ? v1::KEY_STATE_ACTIVE : v1::KEY_STATE_DISABLED);
      v->set_http_status(id == 1 ? 200 : 400);
      v->set_message(id == 1 ? "the key works" : "the key is invalid (HTTP 400): API_KEY_INVALID");
      id == 1 ? response->set_passed(response->passed() + 1) : response->set_failed(response->failed() + 1);
    }
    return grpc::Status::OK;
  }
  grpc::Status GetKeyUsage(grpc::ServerContext* context, const v1::KeyUsageRequest* request,
                           v1::KeyUsageResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    absl::MutexLock lock(&mu_);
    last_usage_ = *request;
    response->set_now_ms(1752609600000);
    v1::KeyUsage* key = response->add_keys();
    key->set_id(1);
    key->set_masked("AIzaSy...aaaa");
    v1::ModelUsage* flash = key->add_models();
    flash->set_model("gemini-2.5-flash");
    flash->set_calls_1h(2);
    flash->set_calls_24h(30);
    flash->set_calls_30d(400);
    flash->set_failures_1h(1);
    flash->set_failures_24h(3);
    flash->set_failures_30d(7);
    v1::KeyUsage* idle = response->add_keys();
    idle->set_id(2);
    idle->set_masked("AIzaSy...bbbb");
    return grpc::Status::OK;
  }

  // One row each, of request "req-1" when the query names no other id.
  grpc::Status QueryRequestLogs(grpc::ServerContext* context, const v1::LogQuery* request,
                                v1::QueryRequestLogsResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    absl::MutexLock lock(&mu_);
    last_log_query_ = *request;
    v1::RequestLogEntry* e = response->add_entries();
    e->set_id(7);
    e->set_time_ms(1752609600000);  // 2025-07-15T20:00:00Z
    e->set_request_id(request->request_id().empty() ? "req-1" : request->request_id());
    e->set_key_id(3);
    e->set_model("gemini-2.5-flash");
    e->set_operation("generateContent");
    e->set_status_code(500);
    e->set_latency_ms(120);
    e->set_attempts(2);
    response->set_total(1);
    return grpc::Status::OK;
  }
  grpc::Status QueryErrorLogs(grpc::ServerContext* context, const v1::LogQuery* request,
                              v1::QueryErrorLogsResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    absl::MutexLock lock(&mu_);
    last_log_query_ = *request;
    if (request->request_id() == "none") return grpc::Status::OK;
    v1::ErrorLogEntry* e = response->add_entries();
    e->set_id(9);
    e->set_time_ms(1752609600000);
    e->set_request_id(request->request_id());
    e->set_key_id(3);
    e->set_model("gemini-2.5-flash");
    e->set_operation("generateContent");
    e->set_status_code(500);
    e->set_error_type("INTERNAL");
    e->set_message("upstream broke\nsecond line");
    response->set_total(1);
    return grpc::Status::OK;
  }
  v1::LogQuery last_log_query() {
    absl::MutexLock lock(&mu_);
    return last_log_query_;
  }

  // A day of 3 requests on gemini-2.5-flash per asked day; a limit over 1000
  // is INVALID_ARGUMENT, as persistence says.
  grpc::Status QueryUsage(grpc::ServerContext* context, const v1::UsageQuery* request,
                          v1::UsageReport* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    absl::MutexLock lock(&mu_);
    last_usage_query_ = *request;
    if (request->limit() > 1000) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "limit out of range");
    for (int64_t start : request->day_starts_ms()) {
      v1::UsageDay* d = response->add_days();
      d->set_start_ms(start);
    }
    v1::UsageDay* last = response->mutable_days(response->days_size() - 1);
    last->mutable_count()->set_requests(3);
    last->mutable_count()->mutable_usage()->set_prompt_tokens(30);
    last->mutable_count()->mutable_usage()->set_candidates_tokens(12);
    last->mutable_count()->mutable_usage()->set_total_tokens(42);
    *response->mutable_total() = last->count();
    v1::UsageGroup* g = response->add_groups();
    g->set_group(request->group_by() == v1::USAGE_GROUP_BY_KEY     ? "3"
                 : request->group_by() == v1::USAGE_GROUP_BY_TOKEN ? "e65472d190eb"
                                                                   : "gemini-2.5-flash");
    if (request->group_by() == v1::USAGE_GROUP_BY_TOKEN) {
      *response->add_groups() = *g;
      response->mutable_groups(1)->set_group("0123456789ab");  // A flat ALLOWED_TOKENS token: no name.
    }
    *g->mutable_count() = last->count();
    response->set_other_groups(2);
    return grpc::Status::OK;
  }
  // One managed token, for the names `usage --by token` shows.
  grpc::Status ListClientTokens(grpc::ServerContext* context, const v1::ListClientTokensRequest*,
                                v1::ListClientTokensResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    v1::ClientToken* token = response->add_tokens();
    token->set_id(7);
    token->set_name("cherry-laptop");
    token->set_token_id("e65472d190eb");
    return grpc::Status::OK;
  }
  v1::UsageQuery last_usage_query() {
    absl::MutexLock lock(&mu_);
    return last_usage_query_;
  }

  v1::KeyUsageRequest last_usage() {
    absl::MutexLock lock(&mu_);
    return last_usage_;
  }
  v1::ListKeysRequest last_list() {
    absl::MutexLock lock(&mu_);
    return last_list_;
  }
  v1::KeySelection last_selection() {
    absl::MutexLock lock(&mu_);
    return last_selection_;
  }
  std::vector<std::string> added() {
    absl::MutexLock lock(&mu_);
    return added_;
  }

 private:
  static grpc::Status Auth(const grpc::ServerContext& context) {
    auto it = context.client_metadata().find("authorization");
    if (it == context.client_metadata().end() ||
        std::string(it->second.data(), it->second.size()) != absl::StrCat("Bearer ", kToken)) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "wrong admin token: use the broker's AUTH_TOKEN");
    }
    return grpc::Status::OK;
  }

  absl::Mutex mu_;
  v1::ListKeysRequest last_list_ ABSL_GUARDED_BY(mu_);
  v1::KeySelection last_selection_ ABSL_GUARDED_BY(mu_);
  v1::KeyUsageRequest last_usage_ ABSL_GUARDED_BY(mu_);
  v1::LogQuery last_log_query_ ABSL_GUARDED_BY(mu_);
  v1::UsageQuery last_usage_query_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> added_ ABSL_GUARDED_BY(mu_);
};

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<rpc::RunningServer> server = rpc::StartServer("fake broker", "127.0.0.1:0", {&admin_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    addr_ = absl::StrCat("127.0.0.1:", server_.port);
  }
  void TearDown() override { server_.server->Shutdown(); }

  // Runs `args` against the fake (address and token given unless the
  // arguments say otherwise); returns the exit code.
  int RunCommand(std::vector<std::string> args, const std::string& input = "") {
    absl::StatusOr<Invocation> inv = ParseArgs(args);
    if (!inv.ok()) {
      ADD_FAILURE() << inv.status();
      return -1;
    }
    Targets targets;
    targets.keybroker_addr = inv->addr.value_or(addr_);
    targets.persistence_addr = addr_;
    targets.token = inv->token.value_or(kToken);
    out_.str("");
    err_.str("");
    std::istringstream in(input);
    return ctl::Run(*inv, targets, {in, out_, err_, false});
  }
  nlohmann::ordered_json OutJson() { return nlohmann::ordered_json::parse(out_.str()); }

  FakeKeyAdmin admin_;
  rpc::RunningServer server_;
  std::string addr_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CommandsTest, ListSendsTheFilterAndPrintsStableJson) {
  ASSERT_EQ(RunCommand({"keys", "list", "--state", "cooling,disabled", "--model", "models/x", "--search",
                        "AIza", "--limit", "50", "--offset", "3", "--json"}),
            kExitOk)
      << err_.str();
  v1::ListKeysRequest request = admin_.last_list();
  EXPECT_THAT(request.states(), ElementsAre(v1::KEY_STATE_COOLING, v1::KEY_STATE_DISABLED));
  EXPECT_EQ(request.model(), "models/x");
  EXPECT_EQ(request.search(), "AIza");
  EXPECT_EQ(request.limit(), 50);
  EXPECT_EQ(request.offset(), 3);

  nlohmann::ordered_json json = OutJson();
  EXPECT_EQ(json["total"], 2);
  EXPECT_EQ(json["offset"], 3);
  ASSERT_EQ(json["keys"].size(), 2u);
  const nlohmann::ordered_json& one = json["keys"][0];
  std::vector<std::string> fields;
  for (auto it = one.begin(); it != one.end(); ++it) fields.push_back(it.key());
  EXPECT_THAT(fields, ElementsAre("id", "key", "state", "failure_count", "state_reason", "last_error",
                                  "cooling_until_ms", "model_cooldowns", "last_used_at_ms", "created_at_ms"));
  EXPECT_EQ(one["key"], "AIzaSy...aaaa");
  EXPECT_EQ(one["state"], "active");
  EXPECT_EQ(one["model_cooldowns"][0]["model"], "gemini-2.5-pro");
  EXPECT_EQ(one["model_cooldowns"][0]["until_ms"], 1752649200000);
  EXPECT_EQ(json["keys"][1]["state"], "disabled");
  EXPECT_EQ(json["keys"][1]["state_reason"], "MAX_FAILURES");
}

// Sets TIMEZONE in the process environment for one test.
class ScopedTimezone {
 public:
  explicit ScopedTimezone(const char* zone) {
    if (const char* old = std::getenv("TIMEZONE")) old_ = old;
    if (zone != nullptr) {
      setenv("TIMEZONE", zone, 1);
    } else {
      unsetenv("TIMEZONE");
    }
  }
  ~ScopedTimezone() {
    if (old_.has_value()) {
      setenv("TIMEZONE", old_->c_str(), 1);
    } else {
      unsetenv("TIMEZONE");
    }
  }

 private:
  std::optional<std::string> old_;
};

TEST_F(CommandsTest, ListPrintsATableWithTimesInTimezone) {
  ScopedTimezone unset(nullptr);  // The default, Asia/Shanghai (UTC+8).
  ASSERT_EQ(RunCommand({"keys", "list"}), kExitOk) << err_.str();
  const std::string out = out_.str();
  EXPECT_THAT(out, HasSubstr("ID  KEY            STATE     FAILURES  LAST USED                DETAILS\n"));
  EXPECT_THAT(out, HasSubstr("AIzaSy...aaaa  active"));
  EXPECT_THAT(out, HasSubstr("2025-07-16 04:00:00 CST"));  // 2025-07-15T20:00:00Z
  EXPECT_THAT(out, HasSubstr("gemini-2.5-pro cooling until 2025-07-16 15:00:00 CST"));
  EXPECT_THAT(out, HasSubstr("disabled  3         -                        MAX_FAILURES"));
  EXPECT_THAT(out, HasSubstr("keys 1-2 of 2\ntimes in Asia/Shanghai (TIMEZONE)\n"));
}

TEST_F(CommandsTest, ListShowsTimesInADaylightSavingZone) {
  ScopedTimezone zone("America/New_York");
  ASSERT_EQ(RunCommand({"keys", "list"}), kExitOk) << err_.str();
  const std::string out = out_.str();
  EXPECT_THAT(out, HasSubstr("2025-07-15 16:00:00 EDT"));
  EXPECT_THAT(out, HasSubstr("times in America/New_York (TIMEZONE)\n"));
  // JSON stays in Unix milliseconds, which carry no zone.
  out_.str("");
  ASSERT_EQ(RunCommand({"--json", "keys", "list"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("\"last_used_at_ms\": 1752609600000"));
}

TEST_F(CommandsTest, AddReadsStandardInputWithAnySeparators) {
  ASSERT_EQ(RunCommand({"keys", "add"}, "AIzaA, AIzaB\nAIzaC AQ.D;[\"dup\"]\n"), kExitOk) << err_.str();
  EXPECT_THAT(admin_.added(), ElementsAre("AIzaA", "AIzaB", "AIzaC", "AQ.D", "dup"));
  EXPECT_EQ(out_.str(), "added 4 keys (ids 11, 12, 13, 14)\n1 duplicate not added: ...up\n");
}

TEST_F(CommandsTest, AddPrintsJson) {
  ASSERT_EQ(RunCommand({"keys", "add", "AIzaA", "dup", "--json"}), kExitOk) << err_.str();
  nlohmann::ordered_json json = OutJson();
  EXPECT_EQ(json["added"], 1);
  EXPECT_EQ(json["added_ids"], nlohmann::ordered_json::array({11}));
  EXPECT_EQ(json["duplicates"], nlohmann::ordered_json::array({"...up"}));
}

TEST_F(CommandsTest, AddWithoutKeysIsAUsageError) {
  EXPECT_EQ(RunCommand({"keys", "add"}, " \n, \n"), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("no keys given"));
  EXPECT_TRUE(admin_.added().empty());
}

TEST_F(CommandsTest, ActionsSendTheSelection) {
  ASSERT_EQ(RunCommand({"keys", "pause", "1", "2"}), kExitOk) << err_.str();
  EXPECT_THAT(admin_.last_selection().ids(), ElementsAre(1, 2));
  EXPECT_EQ(out_.str(), "paused 2 keys\n");
  ASSERT_EQ(RunCommand({"keys", "pause", "--all", "--json"}), kExitOk);
  EXPECT_TRUE(admin_.last_selection().all());
  EXPECT_EQ(OutJson()["affected"], 5);
  ASSERT_EQ(RunCommand({"keys", "remove", "9"}), kExitOk);
  EXPECT_EQ(out_.str(), "removed 1 key\n");
}

TEST_F(CommandsTest, VerifyExitsZeroOnlyWhenEveryKeyPassed) {
  ASSERT_EQ(RunCommand({"keys", "verify", "1"}), kExitOk) << err_.str();
  EXPECT_THAT(admin_.last_selection().ids(), ElementsAre(1));
  EXPECT_THAT(out_.str(), HasSubstr("AIzaSy...aaaa  passed  active  the key works"));
  EXPECT_THAT(out_.str(), HasSubstr("1 passed, 0 failed\n"));

  EXPECT_EQ(RunCommand({"keys", "verify", "--all"}), kExitError);
  EXPECT_TRUE(admin_.last_selection().all());
  EXPECT_THAT(out_.str(), HasSubstr("AIzaSy...bbbb  FAILED  disabled  the key is invalid"));
  EXPECT_THAT(out_.str(), HasSubstr("1 passed, 1 failed\n"));
}

TEST_F(CommandsTest, VerifyPrintsStableJson) {
  EXPECT_EQ(RunCommand({"keys", "verify", "1", "2", "--json"}), kExitError);
  nlohmann::ordered_json json = OutJson();
  EXPECT_EQ(json["passed"], 1);
  EXPECT_EQ(json["failed"], 1);
  ASSERT_EQ(json["results"].size(), 2u);
  std::vector<std::string> fields;
  for (auto it = json["results"][1].begin(); it != json["results"][1].end(); ++it) fields.push_back(it.key());
  EXPECT_THAT(fields, ElementsAre("id", "key", "passed", "state", "http_status", "message"));
  EXPECT_EQ(json["results"][1]["id"], 2);
  EXPECT_EQ(json["results"][1]["passed"], false);
  EXPECT_EQ(json["results"][1]["state"], "disabled");
  EXPECT_EQ(json["results"][1]["http_status"], 400);
}

TEST_F(CommandsTest, UsagePrintsATableAndJson) {
  ASSERT_EQ(RunCommand({"keys", "usage"}), kExitOk) << err_.str();
  EXPECT_EQ(admin_.last_usage().ids_size(), 0);
  EXPECT_THAT(out_.str(), HasSubstr("ID  KEY            MODEL             CALLS 1H  24H  30D  FAILED 1H  24H  30D\n"));
  EXPECT_THAT(out_.str(), HasSubstr("1   AIzaSy...aaaa  gemini-2.5-flash  2         30   400  1          3    7\n"));
  EXPECT_THAT(out_.str(), HasSubstr("2   AIzaSy...bbbb  -                 0         0    0    0          0    0\n"));

  ASSERT_EQ(RunCommand({"keys", "usage", "2", "1", "--json"}), kExitOk) << err_.str();
  EXPECT_THAT(admin_.last_usage().ids(), ElementsAre(2, 1));
  nlohmann::ordered_json json = OutJson();
  EXPECT_EQ(json["now_ms"], 1752609600000);
  ASSERT_EQ(json["keys"].size(), 2u);
  EXPECT_EQ(json["keys"][0]["key"], "AIzaSy...aaaa");
  const nlohmann::ordered_json& flash = json["keys"][0]["models"][0];
  std::vector<std::string> fields;
  for (auto it = flash.begin(); it != flash.end(); ++it) fields.push_back(it.key());
  EXPECT_THAT(fields, ElementsAre("model", "calls_1h", "calls_24h", "calls_30d", "failures_1h", "failures_24h",
                                  "failures_30d"));
  EXPECT_EQ(flash["calls_30d"], 400);
  EXPECT_EQ(json["keys"][1]["models"].size(), 0u);
}

TEST_F(CommandsTest, ServerErrorsExitWithOne) {
  EXPECT_EQ(RunCommand({"keys", "pause", "42"}), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("no key with id 42"));
  EXPECT_EQ(RunCommand({"keys", "pause", "42", "--json"}), kExitError);
  EXPECT_EQ(OutJson()["error"]["code"], "NOT_FOUND");
}

TEST_F(CommandsTest, UnimplementedCallsAreServerErrors) {
  EXPECT_EQ(RunCommand({"keys", "resume", "1"}), kExitError);
  EXPECT_FALSE(err_.str().empty());
}

TEST_F(CommandsTest, WrongOrMissingTokenExitsWithThree) {
  EXPECT_EQ(RunCommand({"keys", "summary", "--token", "wrong"}), kExitUnauthenticated);
  EXPECT_THAT(err_.str(), HasSubstr("wrong admin token"));
  EXPECT_EQ(RunCommand({"keys", "summary", "--token", "wrong", "--json"}), kExitUnauthenticated);
  EXPECT_EQ(OutJson()["error"]["code"], "UNAUTHENTICATED");

  absl::StatusOr<Invocation> inv = ParseArgs({"keys", "summary"});
  ASSERT_TRUE(inv.ok());
  std::istringstream in;
  Targets no_token{addr_, addr_, ""};
  EXPECT_EQ(ctl::Run(*inv, no_token, {in, out_, err_, false}), kExitUnauthenticated);
  EXPECT_THAT(err_.str(), HasSubstr("set AUTH_TOKEN in the environment or .env, or pass --token"));
}

TEST_F(CommandsTest, TheBrokersOwnUnavailableIsPassedOnAsIs) {
  EXPECT_EQ(RunCommand({"keys", "reset", "1"}), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("still loading keys"));
  EXPECT_THAT(err_.str(), ::testing::Not(HasSubstr("could not reach")));
}

TEST_F(CommandsTest, UnreachableBrokerExitsWithOne) {
  const std::string nowhere = absl::StrCat("127.0.0.1:", gempool::testing::FreePort());
  EXPECT_EQ(RunCommand({"keys", "summary", "--addr", nowhere}), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("could not reach the key broker at " + nowhere));
}

TEST_F(CommandsTest, SummaryPrintsEveryCount) {
  ASSERT_EQ(RunCommand({"keys", "summary", "--json"}), kExitOk);
  EXPECT_EQ(out_.str(), nlohmann::ordered_json({{"total", 6},
                                                {"active", 2},
                                                {"cooling", 1},
                                                {"failing", 1},
                                                {"disabled", 1},
                                                {"paused", 1},
                                                {"cooling_some_model", 1}})
                                .dump(2) +
                            "\n");
  ASSERT_EQ(RunCommand({"keys", "summary"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("cooling for some model  1\n"));
}

TEST_F(CommandsTest, HealthOfAServingService) {
  EXPECT_EQ(RunCommand({"health", "--service", "keybroker", "--addr", addr_}), kExitOk);
  EXPECT_EQ(out_.str(), absl::StrCat("keybroker  ", addr_, "  SERVING\n"));
}

TEST_F(CommandsTest, HealthOfANotServingService) {
  server_.server->GetHealthCheckService()->SetServingStatus(false);
  EXPECT_EQ(RunCommand({"health", "--service", "keybroker", "--addr", addr_, "--json"}), kExitError);
  EXPECT_EQ(OutJson()["healthy"], false);
  EXPECT_EQ(OutJson()["services"][0]["status"], "NOT_SERVING");
}

TEST_F(CommandsTest, HealthChecksBothServices) {
  absl::StatusOr<Invocation> inv = ParseArgs({"health", "--json"});
  ASSERT_TRUE(inv.ok());
  std::istringstream in;
  Targets targets{addr_, absl::StrCat("127.0.0.1:", gempool::testing::FreePort()), ""};
  EXPECT_EQ(ctl::Run(*inv, targets, {in, out_, err_, false}), kExitError);
  nlohmann::ordered_json json = OutJson();
  EXPECT_EQ(json["healthy"], false);
  ASSERT_EQ(json["services"].size(), 2u);
  EXPECT_EQ(json["services"][0]["service"], "keybroker");
  EXPECT_EQ(json["services"][0]["status"], "SERVING");
  EXPECT_EQ(json["services"][1]["service"], "persistence");
  EXPECT_EQ(json["services"][1]["status"], "UNREACHABLE");
  EXPECT_NE(json["services"][1]["error"], "");
}

TEST(ResolveTargetsTest, ReadsNoConfigurationWhenFlagsSaySoAll) {
  auto no_config = []() -> absl::StatusOr<Config> {
    ADD_FAILURE() << "configuration read";
    return absl::InternalError("should not be read");
  };
  absl::StatusOr<Invocation> health = ParseArgs({"health", "--service", "persistence", "--addr", "db:8002"});
  ASSERT_TRUE(health.ok());
  absl::StatusOr<Targets> targets = ResolveTargets(*health, no_config);
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(targets->persistence_addr, "db:8002");

  absl::StatusOr<Invocation> keys = ParseArgs({"keys", "list", "--addr", "b:1", "--token", "t"});
  ASSERT_TRUE(keys.ok());
  targets = ResolveTargets(*keys, no_config);
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(targets->keybroker_addr, "b:1");
  EXPECT_EQ(targets->token, "t");
}

TEST(ResolveTargetsTest, FillsTheRestFromTheConfiguration) {
  auto config = []() -> absl::StatusOr<Config> {
    Config c;
    c.keybroker_addr = "broker:8001";
    c.persistence_addr = "persistence:8002";
    c.allowed_tokens = {"first-allowed"};
    return c;
  };
  absl::StatusOr<Invocation> keys = ParseArgs({"keys", "list", "--addr", "other:1"});
  ASSERT_TRUE(keys.ok());
  absl::StatusOr<Targets> targets = ResolveTargets(*keys, config);
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(targets->keybroker_addr, "other:1");
  EXPECT_EQ(targets->token, "first-allowed") << "AUTH_TOKEN defaults to the first allowed token";

  absl::StatusOr<Invocation> health = ParseArgs({"health"});
  ASSERT_TRUE(health.ok());
  targets = ResolveTargets(*health, config);
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(targets->keybroker_addr, "broker:8001");
  EXPECT_EQ(targets->persistence_addr, "persistence:8002");
}

TEST(ResolveTargetsTest, ConfigurationErrorsAreUsageErrors) {
  absl::StatusOr<Invocation> keys = ParseArgs({"keys", "summary"});
  ASSERT_TRUE(keys.ok());
  auto broken = []() -> absl::StatusOr<Config> {
    return absl::InvalidArgumentError("PORT='x' is not valid");
  };
  EXPECT_THAT(ResolveTargets(*keys, broken),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("PORT='x' is not valid")));
}

TEST_F(CommandsTest, LogsSendsTheQueryAndPrintsStableJson) {
  ASSERT_EQ(RunCommand({"logs", "--errors", "--request-id", "my-trace-1", "--since", "1h", "--limit", "20",
                        "--offset", "5", "--json"}),
            kExitOk)
      << err_.str();
  const v1::LogQuery query = admin_.last_log_query();
  EXPECT_EQ(query.request_id(), "my-trace-1");
  EXPECT_EQ(query.limit(), 20);
  EXPECT_EQ(query.offset(), 5);
  EXPECT_NEAR(static_cast<double>(query.since_ms()), static_cast<double>(SystemClock::Get().NowUnixMs() - 3600000),
              60000.0);
  nlohmann::ordered_json json = OutJson();
  EXPECT_EQ(json["total"], 1);
  const nlohmann::ordered_json& row = json["entries"][0];
  std::vector<std::string> fields;
  for (auto it = row.begin(); it != row.end(); ++it) fields.push_back(it.key());
  EXPECT_THAT(fields, ElementsAre("id", "time_ms", "request_id", "key_id", "model", "operation", "status_code",
                                  "error_type", "message"));
  EXPECT_EQ(row["request_id"], "my-trace-1");
  EXPECT_EQ(row["message"], "upstream broke\nsecond line");
}

TEST_F(CommandsTest, LogsPrintsRequestRowsWithTimesInTimezone) {
  ScopedTimezone unset(nullptr);  // Asia/Shanghai.
  ASSERT_EQ(RunCommand({"logs"}), kExitOk) << err_.str();
  EXPECT_EQ(admin_.last_log_query().limit(), 50);
  EXPECT_EQ(admin_.last_log_query().since_ms(), 0);
  const std::string out = out_.str();
  EXPECT_THAT(out, HasSubstr("TIME                     REQUEST ID  STATUS  KEY  MODEL             OPERATION"));
  EXPECT_THAT(out, HasSubstr("2025-07-16 04:00:00 CST  req-1       500     #3   gemini-2.5-flash  generateContent"));
  EXPECT_THAT(out, HasSubstr("request log rows 1-1 of 1\ntimes in Asia/Shanghai (TIMEZONE)\n"));
}

TEST_F(CommandsTest, LogsShowsTheFirstLineOfAnErrorAndSaysWhenNothingMatches) {
  ASSERT_EQ(RunCommand({"logs", "--errors", "--request-id", "abc"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("INTERNAL    upstream broke\n"));
  ASSERT_EQ(RunCommand({"logs", "--errors", "--request-id", "none"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), "no error log rows match\n");
}

TEST_F(CommandsTest, LogsWithAWrongTokenExitsWithThree) {
  EXPECT_EQ(RunCommand({"logs", "--token", "wrong"}), kExitUnauthenticated);
  EXPECT_THAT(err_.str(), HasSubstr("wrong admin token"));
}

TEST_F(CommandsTest, UsageAsksForCalendarDaysInTimezoneAndPrintsStableJson) {
  ScopedTimezone zone("Asia/Shanghai");
  ASSERT_EQ(RunCommand({"usage", "--by", "key", "--since", "2025-07-10", "--until", "2025-07-16", "--limit", "5",
                        "--json"}),
            kExitOk)
      << err_.str();
  const v1::UsageQuery query = admin_.last_usage_query();
  EXPECT_EQ(query.group_by(), v1::USAGE_GROUP_BY_KEY);
  EXPECT_EQ(query.limit(), 5);
  ASSERT_EQ(query.day_starts_ms_size(), 7);
  EXPECT_EQ(query.since_ms(), 1752076800000);  // 2025-07-10 00:00 CST = 2025-07-09T16:00:00Z
  EXPECT_EQ(query.day_starts_ms(0), query.since_ms());
  EXPECT_EQ(query.until_ms(), 1752681600000);  // 2025-07-17 00:00 CST
  nlohmann::ordered_json json = OutJson();
  EXPECT_EQ(json["timezone"], "Asia/Shanghai");
  EXPECT_EQ(json["by"], "key");
  EXPECT_EQ(json["total"]["total_tokens"], 42);
  ASSERT_EQ(json["days"].size(), 7u);
  EXPECT_EQ(json["days"][0]["date"], "2025-07-10");
  EXPECT_EQ(json["days"][6]["date"], "2025-07-16");
  EXPECT_EQ(json["days"][6]["requests"], 3);
  std::vector<std::string> fields;
  for (auto it = json["groups"][0].begin(); it != json["groups"][0].end(); ++it) fields.push_back(it.key());
  EXPECT_THAT(fields, ElementsAre("group", "requests", "failures", "prompt_tokens", "candidates_tokens",
                                  "thoughts_tokens", "cached_tokens", "tool_use_prompt_tokens", "total_tokens"));
  EXPECT_EQ(json["groups"][0]["group"], "3");
  EXPECT_EQ(json["other_groups"], 2);
}

TEST_F(CommandsTest, UsagePrintsDaysAndTopGroups) {
  ScopedTimezone zone("UTC");
  ASSERT_EQ(RunCommand({"usage", "--since", "today"}), kExitOk) << err_.str();
  EXPECT_EQ(admin_.last_usage_query().day_starts_ms_size(), 1);
  EXPECT_EQ(admin_.last_usage_query().group_by(), v1::USAGE_GROUP_BY_MODEL);
  EXPECT_EQ(admin_.last_usage_query().limit(), 10);
  const std::string out = out_.str();
  EXPECT_THAT(out, HasSubstr("DAY         REQUESTS  FAILED  PROMPT  COMPLETION  THINKING  CACHED  TOTAL\n"));
  EXPECT_THAT(out, HasSubstr("total              3       0      30          12         0       0     42\n"));
  EXPECT_THAT(out, HasSubstr("gemini-2.5-flash         3       0      30          12         0       0     42\n"));
  EXPECT_THAT(out, HasSubstr("2 more (--limit shows more)\ndays in UTC (TIMEZONE)"));
}

TEST_F(CommandsTest, UsageErrorsExitLikeTheOtherCommands) {
  EXPECT_EQ(RunCommand({"usage", "--token", "wrong"}), kExitUnauthenticated);
  EXPECT_EQ(RunCommand({"usage", "--since", "2025-07-20", "--until", "2025-07-10", "--json"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("after the last day shown"));
  EXPECT_EQ(OutJson()["error"]["code"], "INVALID_ARGUMENT");
}

TEST(UsageArgsTest, RejectsBadFlagsAndComputesDays) {
  EXPECT_THAT(ParseArgs({"usage", "--by", "day"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--by")));
  EXPECT_THAT(ParseArgs({"usage", "--limit", "0"}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseArgs({"usage", "extra"}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseArgs({"usage", "--errors"}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(HelpFor({"usage"}), HasSubstr("--by key|model|token"));
  const absl::TimeZone utc = absl::UTCTimeZone();
  const int64_t now = 1752609600000;  // 2025-07-15T20:00:00Z
  absl::StatusOr<std::vector<int64_t>> week = UsageDayEdges("7d", "", now, utc);
  ASSERT_TRUE(week.ok()) << week.status();
  ASSERT_EQ(week->size(), 8u);
  EXPECT_EQ(week->back(), 1752624000000);  // 2025-07-16T00:00:00Z
  EXPECT_EQ(week->front(), 1752624000000 - 7 * 86400000LL);
  EXPECT_EQ(UsageDayEdges("", "", now, utc)->size(), 8u) << "7 days by default";
  EXPECT_THAT(UsageDayEdges("401d", "", now, utc), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("400d")));
  EXPECT_THAT(UsageDayEdges("yesterday", "", now, utc),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("today, a number of days")));
  EXPECT_THAT(UsageDayEdges("7d", "16/07/2025", now, utc),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("YYYY-MM-DD")));
  EXPECT_THAT(UsageDayEdges("2020-01-01", "", now, utc), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 400")));
}

TEST(LogsArgsTest, RejectsBadFlags) {
  EXPECT_THAT(ParseArgs({"logs", "--since", "5y"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--since")));
  EXPECT_THAT(ParseArgs({"logs", "--since", "0h"}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseArgs({"logs", "--limit", "1001"}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseArgs({"logs", "--request-id", std::string(129, 'a')}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--request-id")));
  EXPECT_THAT(ParseArgs({"logs", "extra"}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseArgs({"logs", "--state", "active"}), StatusIs(absl::StatusCode::kInvalidArgument));
  absl::StatusOr<Invocation> week = ParseArgs({"logs", "--since", "7d"});
  ASSERT_TRUE(week.ok()) << week.status();
  EXPECT_EQ(week->since_seconds, 7 * 86400);
  absl::StatusOr<Invocation> help = ParseArgs({"help", "logs"});
  ASSERT_TRUE(help.ok());
  EXPECT_THAT(help->help, HasSubstr("--request-id ID"));
}

TEST_F(CommandsTest, UsageByTokenNamesManagedTokens) {
  ASSERT_EQ(RunCommand({"usage", "--by", "token"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("cherry-laptop (e65472d190eb)"));
  EXPECT_THAT(out_.str(), HasSubstr("\n0123456789ab "));
  ASSERT_EQ(RunCommand({"usage", "--by", "token", "--json"}), kExitOk) << err_.str();
  nlohmann::ordered_json json = OutJson();
  ASSERT_EQ(json["groups"].size(), 2u);
  EXPECT_EQ(json["groups"][0]["name"], "cherry-laptop");
  EXPECT_FALSE(json["groups"][1].contains("name"));
}

}  // namespace
}  // namespace gempool::ctl
