#include "cli.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"
#include "parse_ok.h"

namespace gempool::ctl {
namespace {

using ::gempool::ctl::testing::ParseOk;
using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

void ExpectUsageError(std::vector<std::string> args, const std::string& message_part) {
  EXPECT_THAT(ParseArgs(args), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(message_part)))
      << "args: " << ::testing::PrintToString(args);
}

TEST(CliTest, HelpOnEveryLevel) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--help"}, "Usage: gempoolctl [flags] <command>"},
      {{"-h"}, "Exit codes:"},
      {{"help"}, "Exit codes:"},
      {{"keys", "--help"}, "Usage: gempoolctl keys <command>"},
      {{"help", "keys"}, "Usage: gempoolctl keys <command>"},
      {{"keys", "list", "--help"}, "--state S"},
      {{"keys", "list", "--state", "bogus", "-h"}, "--state S"},
      {{"keys", "add", "--help"}, "standard input"},
      {{"help", "keys", "add"}, "standard input"},
      {{"keys", "remove", "--help"}, "Usage: gempoolctl keys remove (ID... | --all [--pool gemini|vertex])"},
      {{"keys", "list", "--help"}, "--pool P"},
      {{"keys", "--help"}, "--pool vertex"},
      {{"keys", "pause", "--help"}, "Usage: gempoolctl keys pause"},
      {{"keys", "resume", "--help"}, "Usage: gempoolctl keys resume"},
      {{"keys", "reset", "--help"}, "Usage: gempoolctl keys reset"},
      {{"keys", "summary", "--help"}, "cooling_some_model"},
      {{"keys", "verify", "--help"}, "Usage: gempoolctl keys verify (ID... | --all)"},
      {{"help", "keys", "verify"}, "Exits 0 when every selected key passed"},
      {{"keys", "usage", "-h"}, "Usage: gempoolctl keys usage [ID...]"},
      {{"keys", "--help"}, "verify (ID... | --all)"},
      {{"--help"}, "keys usage"},
      {{"health", "--help"}, "--service keybroker --addr 127.0.0.1:8001"},
      {{"--json", "health", "-h"}, "grpc.health.v1"},
  };
  for (const Case& c : cases) {
    Invocation inv = ParseOk(c.args);
    EXPECT_EQ(inv.command, Command::kHelp) << ::testing::PrintToString(c.args);
    EXPECT_TRUE(inv.help_requested);
    EXPECT_THAT(inv.help, HasSubstr(c.expected)) << ::testing::PrintToString(c.args);
  }
}

TEST(CliTest, IncompleteCommandsShowHelpAsAUsageError) {
  Invocation none = ParseOk({});
  EXPECT_EQ(none.command, Command::kHelp);
  EXPECT_FALSE(none.help_requested);
  EXPECT_THAT(none.help, HasSubstr("Commands:"));
  Invocation keys = ParseOk({"keys"});
  EXPECT_FALSE(keys.help_requested);
  EXPECT_THAT(keys.help, HasSubstr("gempoolctl keys <command>"));
}

TEST(CliTest, ParsesKeysListFlagsInAnyPosition) {
  Invocation inv = ParseOk({"--json", "keys", "--addr", "broker:9001", "list", "--state", "cooling",
                          "--state=FAILING,disabled", "--model", "gemini-2.5-pro", "--search=AIza", "--limit",
                          "5", "--offset=10", "--token", "t0k3n", "--timeout-ms", "1500"});
  EXPECT_EQ(inv.command, Command::kKeysList);
  EXPECT_TRUE(inv.json);
  EXPECT_EQ(inv.addr, "broker:9001");
  EXPECT_EQ(inv.token, "t0k3n");
  EXPECT_EQ(inv.timeout_ms, 1500);
  EXPECT_THAT(inv.states, ElementsAre("cooling", "failing", "disabled"));
  EXPECT_EQ(inv.model, "gemini-2.5-pro");
  EXPECT_EQ(inv.search, "AIza");
  EXPECT_EQ(inv.limit, 5);
  EXPECT_EQ(inv.offset, 10);
}

TEST(CliTest, DefaultsLeaveAddressAndTokenToTheConfiguration) {
  Invocation inv = ParseOk({"keys", "summary"});
  EXPECT_EQ(inv.command, Command::kKeysSummary);
  EXPECT_FALSE(inv.addr.has_value());
  EXPECT_FALSE(inv.token.has_value());
  EXPECT_FALSE(inv.json);
  EXPECT_EQ(inv.timeout_ms, 10000);
}

TEST(CliTest, KeysAddTakesKeysFromArgumentsWithAnySeparator) {
  Invocation inv = ParseOk({"keys", "add", "AIzaA,AIzaB", "AQ.C", "--", "-dash-key"});
  EXPECT_EQ(inv.command, Command::kKeysAdd);
  EXPECT_THAT(inv.keys, ElementsAre("AIzaA", "AIzaB", "AQ.C", "-dash-key"));
  EXPECT_THAT(ParseOk({"keys", "add"}).keys, IsEmpty()) << "none: read standard input";
}

TEST(CliTest, SelectionsTakeIdsOrAll) {
  Invocation pause = ParseOk({"keys", "pause", "3", "1,2"});
  EXPECT_EQ(pause.command, Command::kKeysPause);
  EXPECT_THAT(pause.ids, ElementsAre(3, 1, 2));
  EXPECT_FALSE(pause.all);
  Invocation reset = ParseOk({"keys", "reset", "--all"});
  EXPECT_EQ(reset.command, Command::kKeysReset);
  EXPECT_TRUE(reset.all);
  EXPECT_EQ(ParseOk({"keys", "remove", "7"}).command, Command::kKeysRemove);
  EXPECT_EQ(ParseOk({"keys", "resume", "--all"}).command, Command::kKeysResume);
}

TEST(CliTest, VerifyTakesASelectionAndWaitsLongerByDefault) {
  Invocation some = ParseOk({"keys", "verify", "4", "2"});
  EXPECT_EQ(some.command, Command::kKeysVerify);
  EXPECT_THAT(some.ids, ElementsAre(4, 2));
  EXPECT_EQ(some.timeout_ms, kVerifyTimeoutMs);
  Invocation all = ParseOk({"keys", "verify", "--all", "--timeout-ms", "5000", "--json"});
  EXPECT_TRUE(all.all);
  EXPECT_EQ(all.timeout_ms, 5000);
  EXPECT_TRUE(all.json);
  ExpectUsageError({"keys", "verify"}, "give key ids");
  ExpectUsageError({"keys", "verify", "1", "--all"}, "not both");
}

TEST(CliTest, UsageTakesOptionalIds) {
  Invocation every = ParseOk({"keys", "usage"});
  EXPECT_EQ(every.command, Command::kKeysUsage);
  EXPECT_THAT(every.ids, IsEmpty());
  EXPECT_EQ(every.timeout_ms, 10000);
  EXPECT_THAT(ParseOk({"keys", "usage", "3,1"}).ids, ElementsAre(3, 1));
  ExpectUsageError({"keys", "usage", "--all"}, "--all does not apply");
  ExpectUsageError({"keys", "usage", "x"}, "'x' is not a key id");
}

TEST(CliTest, ProxiesCheckAndList) {
  EXPECT_EQ(ParseOk({"proxies", "check"}).command, Command::kProxiesCheck);
  Invocation list = ParseOk({"proxies", "list", "--json"});
  EXPECT_EQ(list.command, Command::kProxiesList);
  EXPECT_TRUE(list.json);
  Invocation help = ParseOk({"proxies", "check", "--help"});
  EXPECT_EQ(help.command, Command::kHelp);
  EXPECT_THAT(help.help, HasSubstr("Usage: gempoolctl proxies check"));
  EXPECT_THAT(ParseOk({"help", "proxies"}).help, HasSubstr("marked\n       dead"));
  Invocation bare = ParseOk({"proxies"});
  EXPECT_EQ(bare.command, Command::kHelp);
  EXPECT_FALSE(bare.help_requested);
  EXPECT_THAT(ParseOk({"--help"}).help, HasSubstr("proxies check"));
  ExpectUsageError({"proxies", "ping"}, "unknown command 'proxies ping'");
  ExpectUsageError({"proxies", "check", "extra"}, "takes no arguments");
  ExpectUsageError({"proxies", "check", "--all"}, "--all does not apply");
}

TEST(CliTest, HealthTakesAServiceAndAnAddress) {
  Invocation both = ParseOk({"health"});
  EXPECT_EQ(both.command, Command::kHealth);
  EXPECT_EQ(both.service, "");
  Invocation one = ParseOk({"health", "--service", "persistence", "--addr", "127.0.0.1:8002"});
  EXPECT_EQ(one.service, "persistence");
  EXPECT_EQ(one.addr, "127.0.0.1:8002");
}

TEST(CliTest, UsageErrorsSayWhatIsWrong) {
  ExpectUsageError({"frobnicate"}, "unknown command 'frobnicate'");
  ExpectUsageError({"keys", "destroy"}, "unknown command 'keys destroy'");
  ExpectUsageError({"keys", "list", "--colour"}, "unknown flag --colour");
  ExpectUsageError({"keys", "list", "-x"}, "unknown flag -x");
  ExpectUsageError({"keys", "list", "--state", "broken"}, "--state 'broken' is not a key state");
  ExpectUsageError({"keys", "list", "--limit", "0"}, "--limit '0' is not valid");
  ExpectUsageError({"keys", "list", "--limit", "many"}, "--limit 'many' is not valid");
  ExpectUsageError({"keys", "list", "--offset", "-1"}, "--offset '-1' is not valid");
  ExpectUsageError({"keys", "list", "--model"}, "--model needs a value");
  ExpectUsageError({"keys", "list", "extra"}, "takes no arguments");
  ExpectUsageError({"keys", "add", "--state", "active"}, "--state does not apply to `gempoolctl keys add`");
  ExpectUsageError({"keys", "summary", "--all"}, "--all does not apply");
  ExpectUsageError({"keys", "pause"}, "give key ids");
  ExpectUsageError({"keys", "pause", "1", "--all"}, "not both");
  ExpectUsageError({"keys", "pause", "abc"}, "'abc' is not a key id");
  ExpectUsageError({"keys", "remove", "0"}, "'0' is not a key id");
  ExpectUsageError({"keys", "list", "--json=yes"}, "--json takes no value");
  ExpectUsageError({"keys", "list", "--addr", "no-port"}, "--addr");
  ExpectUsageError({"keys", "list", "--token="}, "--token is empty");
  ExpectUsageError({"keys", "list", "--timeout-ms", "0"}, "--timeout-ms");
  ExpectUsageError({"health", "--addr", "127.0.0.1:8001"}, "--service keybroker|persistence");
  ExpectUsageError({"health", "--service", "router"}, "expected keybroker, persistence or gateway");
  EXPECT_EQ(ParseOk({"health", "--service", "gateway", "--addr", "127.0.0.1:8000"}).service, "gateway");
  ExpectUsageError({"help", "nothing"}, "no help for 'nothing'");
}

TEST(CliTest, ImportGeminiBalanceTakesOneSource) {
  Invocation sqlite = ParseOk({"import", "gemini-balance", "--sqlite", "/gb/default_db", "--dry-run", "--json"});
  EXPECT_EQ(sqlite.command, Command::kImportGeminiBalance);
  EXPECT_EQ(sqlite.import_sqlite, "/gb/default_db");
  EXPECT_TRUE(sqlite.dry_run);
  EXPECT_TRUE(sqlite.json);

  Invocation mysql = ParseOk({"import", "gemini-balance", "--mysql-host", "db", "--mysql-port", "3307", "--mysql-user",
                            "gemini", "--mysql-database", "default_db", "--persistence-addr", "127.0.0.1:9002"});
  EXPECT_EQ(mysql.import_mysql_host, "db");
  EXPECT_EQ(mysql.import_mysql_port, 3307);
  EXPECT_EQ(mysql.import_mysql_user, "gemini");
  EXPECT_EQ(mysql.import_mysql_database, "default_db");
  EXPECT_FALSE(mysql.import_mysql_password.has_value());
  EXPECT_EQ(mysql.persistence_addr, "127.0.0.1:9002");
  EXPECT_FALSE(mysql.dry_run);

  EXPECT_EQ(ParseOk({"import", "gemini-balance", "--mysql-dsn", "mysql://u:p@h/db"}).import_mysql_dsn,
            "mysql://u:p@h/db");
  EXPECT_EQ(ParseOk({"import", "gemini-balance", "--mysql-user", "u", "--mysql-database", "d", "--mysql-password", ""})
                .import_mysql_password,
            "");
}

TEST(CliTest, ImportUsageErrors) {
  ExpectUsageError({"import", "gemini-balance"}, "which gemini-balance database?");
  ExpectUsageError({"import", "gemini-balance", "--sqlite", "a.db", "--mysql-user", "u"}, "not both");
  ExpectUsageError({"import", "gemini-balance", "--mysql-dsn", "mysql://u@h/d", "--mysql-port", "1"},
                   "--mysql-dsn already says everything");
  ExpectUsageError({"import", "gemini-balance", "--mysql-user", "u"}, "needs --mysql-database and --mysql-user");
  ExpectUsageError({"import", "gemini-balance", "--mysql-database", "d", "--mysql-user", "u", "--mysql-port", "x"},
                   "--mysql-port 'x' is not valid");
  ExpectUsageError({"import", "gemini-balance", "--sqlite", "a.db", "extra"}, "takes no arguments");
  ExpectUsageError({"import", "gemini-balance", "--sqlite", "a.db", "--state", "active"}, "--state does not apply");
  ExpectUsageError({"import", "gemini-balance", "--sqlite", "a.db", "--persistence-addr", "x"}, "--persistence-addr");
  ExpectUsageError({"import", "one-api"}, "cannot import from 'one-api'");
  ExpectUsageError({"keys", "list", "--sqlite", "a.db"}, "--sqlite does not apply");
  EXPECT_THAT(ParseOk({"import", "gemini-balance", "--help"}).help, HasSubstr("t_settings"));
  EXPECT_THAT(ParseOk({"help", "import", "gemini-balance"}).help, HasSubstr("--dry-run"));
  EXPECT_THAT(ParseOk({"--help"}).help, HasSubstr("import gemini-balance"));
}

TEST(SplitKeysTest, AcceptsAnySeparators) {
  EXPECT_THAT(SplitKeys("a\nb,c d\te;f\r\n\n  g  "), ElementsAre("a", "b", "c", "d", "e", "f", "g"));
  EXPECT_THAT(SplitKeys(R"(["AIzaA", "AIzaB"])"), ElementsAre("AIzaA", "AIzaB"));
  EXPECT_THAT(SplitKeys("AQ.Ab8RN6-x_y"), ElementsAre("AQ.Ab8RN6-x_y"));
  EXPECT_THAT(SplitKeys(" ,\n "), IsEmpty());
}

}  // namespace
}  // namespace gempool::ctl
