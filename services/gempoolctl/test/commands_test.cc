#include "commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gempool/rpc/server.h"
#include "gempool/testing/status_matchers.h"
#include "gempool/testing/subprocess.h"
#include "gempool/v1/keybroker.grpc.pb.h"

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

}  // namespace
}  // namespace gempool::ctl
