// gempoolctl tokens add|list|disable|enable|delete: parsing, and the
// KeyAdmin calls against a fake broker (text and JSON output, exit codes).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "cli.h"
#include "commands.h"
#include "fake_key_admin.h"
#include "gempool/testing/status_matchers.h"
#include "parse_ok.h"
#include "gempool/v1/keybroker.grpc.pb.h"

namespace gempool::ctl {
namespace {

using ::gempool::ctl::testing::ParseOk;
using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(TokensCliTest, AddTakesANameAndLimits) {
  Invocation add = ParseOk({"tokens", "add", "laptop", "--expires", "30d", "--rpm", "60", "--tokens-per-day",
                          "100000", "--models", "gemini-2.5-*, gemini-2.0-flash"});
  EXPECT_EQ(add.command, Command::kTokensAdd);
  EXPECT_EQ(add.token_name, "laptop");
  EXPECT_EQ(add.token_expires, "30d");
  EXPECT_EQ(add.token_rpm, 60);
  EXPECT_EQ(add.token_per_day, 100000);
  EXPECT_THAT(add.token_models, ElementsAre("gemini-2.5-*", "gemini-2.0-flash"));
  EXPECT_EQ(ParseOk({"tokens", "list", "--json"}).command, Command::kTokensList);
  Invocation disable = ParseOk({"tokens", "disable", "7"});
  EXPECT_EQ(disable.command, Command::kTokensDisable);
  EXPECT_EQ(disable.token_id, 7);
  EXPECT_EQ(ParseOk({"tokens", "enable", "7"}).command, Command::kTokensEnable);
  EXPECT_EQ(ParseOk({"tokens", "delete", "7"}).command, Command::kTokensDelete);
}

TEST(TokensCliTest, UsageErrorsSayWhatIsWrong) {
  EXPECT_THAT(ParseArgs({"tokens", "add"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("give the token a name")));
  EXPECT_THAT(ParseArgs({"tokens", "add", "a", "b"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("one name")));
  EXPECT_THAT(ParseArgs({"tokens", "add", "a", "--rpm", "-1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--rpm '-1' is not valid")));
  EXPECT_THAT(ParseArgs({"tokens", "disable"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("token id")));
  EXPECT_THAT(ParseArgs({"tokens", "delete", "x"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'x'")));
  EXPECT_THAT(ParseArgs({"tokens", "list", "--rpm", "3"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--rpm does not apply")));
  EXPECT_THAT(ParseArgs({"tokens", "frob"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tokens frob")));
}

TEST(TokensCliTest, HelpDescribesTheCommands) {
  Invocation help = ParseOk({"tokens", "--help"});
  EXPECT_EQ(help.command, Command::kHelp);
  EXPECT_THAT(help.help, HasSubstr("gempoolctl tokens add NAME"));
  EXPECT_THAT(help.help, HasSubstr("--tokens-per-day"));
  EXPECT_THAT(HelpFor({}), HasSubstr("tokens add"));
}

class TokensCommandTest : public test::FakeKeyAdminTest {};

TEST_F(TokensCommandTest, AddSendsTheLimitsAndPrintsTheSecretOnce) {
  ASSERT_EQ(RunCommand({"tokens", "add", "laptop", "--rpm", "3", "--models", "gemini-2.5-*", "--expires", "1d"}),
            kExitOk)
      << err_.str();
  const v1::CreateClientTokenRequest request = admin_.last_create();
  EXPECT_EQ(request.name(), "laptop");
  EXPECT_EQ(request.limits().requests_per_minute(), 3);
  EXPECT_THAT(request.limits().allowed_models(), ElementsAre("gemini-2.5-*"));
  EXPECT_GT(request.expires_at_ms(), 0);
  EXPECT_THAT(out_.str(), HasSubstr("secret: gp-Xy12secret"));
  EXPECT_THAT(out_.str(), HasSubstr("cannot be shown again"));

  ASSERT_EQ(RunCommand({"tokens", "add", "laptop", "--json"}), kExitOk);
  const nlohmann::json json = nlohmann::json::parse(out_.str());
  EXPECT_EQ(json["secret"], "gp-Xy12secretsecretsecretsecretsecretsecre");
  EXPECT_EQ(json["token"]["id"], 5);
  EXPECT_FALSE(json["token"].contains("secret_sha256"));
}

TEST_F(TokensCommandTest, AddRefusesABadExpiryAndReportsANameInUse) {
  EXPECT_EQ(RunCommand({"tokens", "add", "laptop", "--expires", "soon"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--expires"));
  EXPECT_EQ(RunCommand({"tokens", "add", "taken"}), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("already exists"));
}

TEST_F(TokensCommandTest, ListPrintsATableAndJson) {
  ASSERT_EQ(RunCommand({"tokens", "list"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("laptop"));
  EXPECT_THAT(out_.str(), HasSubstr("disabled"));
  EXPECT_THAT(out_.str(), HasSubstr("60 rpm"));
  ASSERT_EQ(RunCommand({"tokens", "list", "--json"}), kExitOk);
  const nlohmann::json json = nlohmann::json::parse(out_.str());
  EXPECT_EQ(json["tokens"][0]["name"], "laptop");
  EXPECT_EQ(json["tokens"][0]["limits"]["requests_per_minute"], 60);
  EXPECT_EQ(json["tokens"][0]["requests_this_minute"], 0);
}

TEST_F(TokensCommandTest, DisableEnableAndDelete) {
  ASSERT_EQ(RunCommand({"tokens", "disable", "5"}), kExitOk) << err_.str();
  EXPECT_THAT(admin_.last_update().update_mask(), ElementsAre("disabled"));
  EXPECT_TRUE(admin_.last_update().disabled());
  EXPECT_THAT(out_.str(), HasSubstr("disabled client token 5"));
  ASSERT_EQ(RunCommand({"tokens", "enable", "5"}), kExitOk);
  EXPECT_FALSE(admin_.last_update().disabled());
  EXPECT_EQ(RunCommand({"tokens", "disable", "9"}), kExitError);
  EXPECT_THAT(err_.str(), HasSubstr("no client token with id 9"));
  ASSERT_EQ(RunCommand({"tokens", "delete", "5", "--json"}), kExitOk);
  EXPECT_EQ(nlohmann::json::parse(out_.str())["deleted"], true);
}

}  // namespace
}  // namespace gempool::ctl
