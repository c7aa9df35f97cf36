// gempoolctl tokens add|list|disable|enable|delete: parsing, and the
// KeyAdmin calls against a fake broker (text and JSON output, exit codes).
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "cli.h"
#include "commands.h"
#include "gempool/rpc/server.h"
#include "gempool/testing/status_matchers.h"
#include "gempool/v1/keybroker.grpc.pb.h"

namespace gempool::ctl {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kToken[] = "admin-token-for-tokens";

Invocation Parse(std::vector<std::string> args) {
  absl::StatusOr<Invocation> inv = ParseArgs(args);
  EXPECT_TRUE(inv.ok()) << inv.status();
  return inv.ok() ? *inv : Invocation();
}

TEST(TokensCliTest, AddTakesANameAndLimits) {
  Invocation add = Parse({"tokens", "add", "laptop", "--expires", "30d", "--rpm", "60", "--tokens-per-day",
                          "100000", "--models", "gemini-2.5-*, gemini-2.0-flash"});
  EXPECT_EQ(add.command, Command::kTokensAdd);
  EXPECT_EQ(add.token_name, "laptop");
  EXPECT_EQ(add.token_expires, "30d");
  EXPECT_EQ(add.token_rpm, 60);
  EXPECT_EQ(add.token_per_day, 100000);
  EXPECT_THAT(add.token_models, ElementsAre("gemini-2.5-*", "gemini-2.0-flash"));
  EXPECT_EQ(Parse({"tokens", "list", "--json"}).command, Command::kTokensList);
  Invocation disable = Parse({"tokens", "disable", "7"});
  EXPECT_EQ(disable.command, Command::kTokensDisable);
  EXPECT_EQ(disable.token_id, 7);
  EXPECT_EQ(Parse({"tokens", "enable", "7"}).command, Command::kTokensEnable);
  EXPECT_EQ(Parse({"tokens", "delete", "7"}).command, Command::kTokensDelete);
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
  Invocation help = Parse({"tokens", "--help"});
  EXPECT_EQ(help.command, Command::kHelp);
  EXPECT_THAT(help.help, HasSubstr("gempoolctl tokens add NAME"));
  EXPECT_THAT(help.help, HasSubstr("--tokens-per-day"));
  EXPECT_THAT(HelpFor({}), HasSubstr("tokens add"));
}

class FakeTokenAdmin final : public v1::KeyAdmin::Service {
 public:
  grpc::Status CreateClientToken(grpc::ServerContext* context, const v1::CreateClientTokenRequest* request,
                                 v1::CreateClientTokenResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    absl::MutexLock lock(&mu_);
    last_create_ = *request;
    if (request->name() == "taken") {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "a client token named 'taken' already exists (id 1)");
    }
    v1::ClientToken* token = response->mutable_token();
    token->set_id(5);
    token->set_name(request->name());
    token->set_token_id("abcdef012345");
    token->set_secret_prefix("gp-Xy12");
    *token->mutable_limits() = request->limits();
    response->set_secret("gp-Xy12secretsecretsecretsecretsecretsecre");
    return grpc::Status::OK;
  }
  grpc::Status ListClientTokens(grpc::ServerContext* context, const v1::ListClientTokensRequest*,
                                v1::ListClientTokensResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    v1::ClientToken* token = response->add_tokens();
    token->set_id(5);
    token->set_name("laptop");
    token->set_token_id("abcdef012345");
    token->set_secret_prefix("gp-Xy12");
    token->set_disabled(true);
    token->mutable_limits()->set_requests_per_minute(60);
    return grpc::Status::OK;
  }
  grpc::Status UpdateClientToken(grpc::ServerContext* context, const v1::UpdateClientTokenRequest* request,
                                 v1::ClientToken* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    absl::MutexLock lock(&mu_);
    last_update_ = *request;
    if (request->id() != 5) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no client token with id 9");
    response->set_id(5);
    response->set_name("laptop");
    response->set_disabled(request->disabled());
    return grpc::Status::OK;
  }
  grpc::Status DeleteClientToken(grpc::ServerContext* context, const v1::DeleteClientTokenRequest* request,
                                 v1::DeleteClientTokenResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    response->set_deleted(request->id() == 5);
    return grpc::Status::OK;
  }

  v1::CreateClientTokenRequest last_create() {
    absl::MutexLock lock(&mu_);
    return last_create_;
  }
  v1::UpdateClientTokenRequest last_update() {
    absl::MutexLock lock(&mu_);
    return last_update_;
  }

 private:
  static grpc::Status Auth(const grpc::ServerContext& context) {
    auto it = context.client_metadata().find("authorization");
    if (it == context.client_metadata().end() ||
        std::string(it->second.data(), it->second.size()) != absl::StrCat("Bearer ", kToken)) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "wrong admin token");
    }
    return grpc::Status::OK;
  }

  absl::Mutex mu_;
  v1::CreateClientTokenRequest last_create_;
  v1::UpdateClientTokenRequest last_update_;
};

class TokensCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<rpc::RunningServer> server = rpc::StartServer("fake broker", "127.0.0.1:0", {&admin_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    addr_ = absl::StrCat("127.0.0.1:", server_.port);
  }
  void TearDown() override { server_.server->Shutdown(); }

  int RunCommand(const std::vector<std::string>& args) {
    absl::StatusOr<Invocation> inv = ParseArgs(args);
    if (!inv.ok()) {
      ADD_FAILURE() << inv.status();
      return -1;
    }
    Targets targets;
    targets.keybroker_addr = addr_;
    targets.persistence_addr = addr_;
    targets.token = kToken;
    out_.str("");
    err_.str("");
    std::istringstream in;
    return ctl::Run(*inv, targets, {in, out_, err_, false});
  }

  FakeTokenAdmin admin_;
  rpc::RunningServer server_;
  std::string addr_;
  std::ostringstream out_;
  std::ostringstream err_;
};

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
