#include "commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gempool/common/clock.h"
#include "gempool/rpc/server.h"
#include "gempool/testing/status_matchers.h"
#include "gempool/testing/subprocess.h"
#include "gempool/v1/keybroker.grpc.pb.h"
#include "usage_command.h"
#include "fake_key_admin.h"

namespace gempool::ctl {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using test::FakeKeyAdminTest;
using test::kToken;

class CommandsTest : public FakeKeyAdminTest {};

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
  EXPECT_THAT(fields, ElementsAre("id", "masked", "state", "failure_count", "state_reason", "last_error",
                                  "cooling_until_ms", "model_cooldowns", "last_used_at_ms", "created_at_ms", "pool"));
  EXPECT_EQ(one["masked"], "AIzaSy...aaaa");
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
  EXPECT_THAT(fields, ElementsAre("id", "masked", "passed", "state", "http_status", "message"));
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
  EXPECT_EQ(json["keys"][0]["masked"], "AIzaSy...aaaa");
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
                                  "error_type", "message", "request_body", "request_body_bytes",
                                  "request_body_truncated"));
  EXPECT_EQ(row["request_id"], "my-trace-1");
  EXPECT_EQ(row["message"], "upstream broke\nsecond line");
  EXPECT_EQ(query.id(), 0) << "a page, not one row";
  // A page carries the body's first bytes and says so.
  EXPECT_EQ(row["request_body_truncated"], true);
  EXPECT_EQ(row["request_body_bytes"], std::string(test::FakeKeyAdmin::kFakeErrorRequestBody).size());
}

TEST_F(CommandsTest, LogsErrorsIdPrintsTheWholeRowWithItsWholeRequestBody) {
  ScopedTimezone zone("UTC");
  const std::string body = test::FakeKeyAdmin::kFakeErrorRequestBody;
  ASSERT_EQ(RunCommand({"logs", "--errors", "--id", "9"}), kExitOk) << err_.str();
  const v1::LogQuery query = admin_.last_log_query();
  EXPECT_EQ(query.id(), 9);
  EXPECT_EQ(query.limit(), 0) << "no page with one row by id";
  const std::string out = out_.str();
  EXPECT_THAT(out, HasSubstr("id          9\n"));
  EXPECT_THAT(out, HasSubstr("key         #3\n"));
  EXPECT_THAT(out, HasSubstr("error type  INTERNAL\n"));
  EXPECT_THAT(out, HasSubstr("\nmessage:\nupstream broke\nsecond line\n"));
  EXPECT_THAT(out, HasSubstr(absl::StrCat("\nrequest body (", body.size(), " bytes):\n", body, "\n")));

  ASSERT_EQ(RunCommand({"logs", "--errors", "--id", "9", "--json"}), kExitOk) << err_.str();
  nlohmann::ordered_json json = OutJson();
  EXPECT_EQ(json["total"], 1);
  ASSERT_EQ(json["entries"].size(), 1u);
  EXPECT_EQ(json["entries"][0]["request_body"], body);
  EXPECT_EQ(json["entries"][0]["request_body_truncated"], false);
}

TEST_F(CommandsTest, LogsErrorsIdOfNoRowExitsWithOneNamingIt) {
  EXPECT_EQ(RunCommand({"logs", "--errors", "--id", "10"}), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("error log row 10 not found"));
  EXPECT_EQ(RunCommand({"logs", "--errors", "--id", "10", "--json"}), kExitError);
  EXPECT_EQ(OutJson()["error"]["code"], "NOT_FOUND");
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
  EXPECT_THAT(err_.str(), HasSubstr("--since 2025-07-20 is after the last day shown"));
  EXPECT_EQ(OutJson()["error"]["code"], "INVALID_ARGUMENT");
}

TEST(UsageArgsTest, RejectsBadFlags) {
  EXPECT_THAT(ParseArgs({"usage", "--by", "day"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--by")));
  EXPECT_THAT(ParseArgs({"usage", "--limit", "0"}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseArgs({"usage", "extra"}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseArgs({"usage", "--errors"}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(HelpFor({"usage"}), HasSubstr("--by key|model|token"));
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
  EXPECT_THAT(help->help, HasSubstr("--id ROW"));
  // --id: one row, a positive id, and no filter beside it.
  absl::StatusOr<Invocation> one = ParseArgs({"logs", "--errors", "--id", "42"});
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->log_row_id, 42);
  EXPECT_TRUE(one->logs_errors);
  EXPECT_THAT(ParseArgs({"logs", "--id", "0"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--id")));
  EXPECT_THAT(ParseArgs({"logs", "--id", "x"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--id")));
  EXPECT_THAT(ParseArgs({"logs", "--errors", "--id", "5", "--since", "1h"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--id names one row: drop --since")));
  EXPECT_THAT(ParseArgs({"logs", "--errors", "--id", "5", "--request-id", "abc"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("drop --request-id")));
  EXPECT_THAT(ParseArgs({"keys", "list", "--id", "5"}), StatusIs(absl::StatusCode::kInvalidArgument));
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
