// Managed client tokens end to end: tokens created through the admin API
// and gempoolctl, used on two gateways sharing one broker; shared
// per-minute limits (429 with Retry-After naming the limit), disabling
// (401 on every gateway within seconds), expiry, allowed models (403),
// tokens per day from fake-gemini's usageMetadata, ALLOWED_TOKENS untouched,
// and the database holding the secret's hash only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gempool/testing/subprocess.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

constexpr int kPropagateMs = 5000;

class ClientTokensTest : public StackTest {
 protected:
  void StartTwoGateways() {
    StackOptions options;
    options.gateways = 2;
    ASSERT_NO_FATAL_FAILURE(StartStack(options));
  }

  httplib::Headers Admin() const { return {{"Authorization", "Bearer " + stack_->options().admin_token}}; }

  // POST /api/tokens; returns {"token", "secret"}.
  json CreateToken(const json& body) {
    auto r = stack().Gateway()->Post("/api/tokens", Admin(), body.dump(), "application/json");
    if (!r || r->status != 200) {
      ADD_FAILURE() << "POST /api/tokens: " << (r ? r->body : httplib::to_string(r.error()));
      return json::object();
    }
    return json::parse(r->body);
  }

  json ListTokens() {
    auto r = stack().Gateway()->Get("/api/tokens", Admin());
    if (!r || r->status != 200) return json::object();
    return json::parse(r->body);
  }

  json TokenRow(int64_t id) {
    for (const json& row : ListTokens().value("tokens", json::array())) {
      if (row["id"] == id) return row;
    }
    return nullptr;
  }

  httplib::Result Call(int gateway, const std::string& secret, const std::string& model = kFlash) {
    return stack().Gateway(gateway)->Post(GeneratePath(model), {{"x-goog-api-key", secret}}, GenerateBody("hi"),
                                          "application/json");
  }

  // Calls gateway `gateway` with `secret` until it answers `status` (a new
  // token reaches the gateways' replicas within milliseconds; a change
  // within seconds); the last answer.
  httplib::Result CallUntil(int gateway, const std::string& secret, int status, const std::string& model = kFlash) {
    httplib::Result last = Call(gateway, secret, model);
    gempool::testing::WaitFor(
        [&] {
          if (last && last->status == status) return true;
          last = Call(gateway, secret, model);
          return last && last->status == status;
        },
        kPropagateMs);
    return last;
  }

  // Waits (on the wall clock, not for an event) until at least 20 s of the
  // current UTC minute are left, so a per-minute count does not straddle
  // two minutes.
  static void AwayFromMinuteEnd() {
    using namespace std::chrono;
    const auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    const int64_t left = 60'000 - now % 60'000;
    if (left < 20'000) std::this_thread::sleep_for(milliseconds(left + 100));
  }
};

TEST_F(ClientTokensTest, RequestsPerMinuteIsSharedByTwoGateways) {
  ASSERT_NO_FATAL_FAILURE(StartTwoGateways());
  AwayFromMinuteEnd();
  const json created = CreateToken({{"name", "shared-rpm"}, {"limits", {{"requests_per_minute", 3}}}});
  const std::string secret = created.value("secret", "");
  ASSERT_FALSE(secret.empty());
  const int64_t id = created["token"]["id"];

  // Three calls across both gateways (the first on each waits for the
  // token to reach that gateway: refused calls are not counted).
  httplib::Result r = CallUntil(0, secret, 200);
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  r = CallUntil(1, secret, 200);
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  r = Call(0, secret);
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");

  // The broker's shared counter has all three.
  json row;
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        row = TokenRow(id);
        return row.is_object() && row["requests_this_minute"] == 3;
      },
      kPropagateMs))
      << row.dump();

  // Both gateways refuse the fourth, naming the limit.
  for (int gateway : {1, 0}) {
    r = CallUntil(gateway, secret, 429);
    ASSERT_TRUE(r) << "gateway " << gateway;
    EXPECT_EQ(r->status, 429) << "gateway " << gateway << ": " << r->body;
    EXPECT_THAT(r->body, HasSubstr("client token 'shared-rpm' is over its requests_per_minute limit (3)"));
    ASSERT_TRUE(r->has_header("Retry-After"));
    const int retry_after = std::stoi(r->get_header_value("Retry-After"));
    EXPECT_GE(retry_after, 1);
    EXPECT_LE(retry_after, 60);
  }
  // No more than the limit went upstream.
  EXPECT_EQ(TokenRow(id)["requests_this_minute"], 3);

  // The OpenAI route answers in its own error shape.
  auto openai = stack().Gateway(1)->Post(
      "/v1/chat/completions", {{"Authorization", "Bearer " + secret}},
      R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]})", "application/json");
  ASSERT_TRUE(openai);
  EXPECT_EQ(openai->status, 429);
  const json error = json::parse(openai->body, nullptr, false);
  ASSERT_TRUE(error.contains("error")) << openai->body;
  EXPECT_THAT(error["error"].value("message", ""), HasSubstr("requests_per_minute limit (3)"));

  // ALLOWED_TOKENS are untouched on both gateways.
  for (int gateway : {0, 1}) {
    auto allowed = Generate(kFlash, gateway);
    ASSERT_TRUE(allowed);
    EXPECT_EQ(allowed->status, 200) << allowed->body;
  }
}

TEST_F(ClientTokensTest, DisabledTokenIsRefusedByEveryGatewayWithinSeconds) {
  ASSERT_NO_FATAL_FAILURE(StartTwoGateways());
  // Through gempoolctl.
  Stack::CtlResult added = stack().RunCtl({"tokens", "add", "laptop", "--json"});
  ASSERT_EQ(added.exit_code, 0) << added.error;
  const json created = json::parse(added.output);
  const std::string secret = created["secret"];
  const std::string id = absl::StrCat(created["token"]["id"].get<int64_t>());
  for (int gateway : {0, 1}) {
    auto r = CallUntil(gateway, secret, 200);
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  }
  Stack::CtlResult disabled = stack().RunCtl({"tokens", "disable", id});
  ASSERT_EQ(disabled.exit_code, 0) << disabled.error;
  for (int gateway : {0, 1}) {
    auto r = CallUntil(gateway, secret, 401);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << "gateway " << gateway << ": " << r->body;
    EXPECT_THAT(r->body, HasSubstr("client token 'laptop' is disabled"));
  }
  // gempoolctl lists it disabled, and enables it again.
  Stack::CtlResult listed = stack().RunCtl({"tokens", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.error;
  EXPECT_EQ(json::parse(listed.output)["tokens"][0]["disabled"], true);
  ASSERT_EQ(stack().RunCtl({"tokens", "enable", id}).exit_code, 0);
  for (int gateway : {0, 1}) {
    auto r = CallUntil(gateway, secret, 200);
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  }

  // Through the admin API, on the other gateway's admin page.
  auto patched = stack().Gateway(1)->Patch(absl::StrCat("/api/tokens/", id), Admin(), R"({"disabled":true})",
                                           "application/json");
  ASSERT_TRUE(patched);
  ASSERT_EQ(patched->status, 200) << patched->body;
  for (int gateway : {0, 1}) {
    auto r = CallUntil(gateway, secret, 401);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << "gateway " << gateway << ": " << r->body;
  }

  // Deleted: unknown everywhere (the usual 401).
  auto deleted = stack().Gateway()->Delete(absl::StrCat("/api/tokens/", id), Admin());
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->status, 200) << deleted->body;
  EXPECT_EQ(ListTokens()["tokens"].size(), 0u);
  for (int gateway : {0, 1}) {
    auto r = CallUntil(gateway, secret, 401);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_THAT(r->body, ::testing::Not(HasSubstr("disabled")));
  }
}

TEST_F(ClientTokensTest, ExpiredTokenIsRefused) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  using namespace std::chrono;
  const int64_t now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const json created = CreateToken({{"name", "short-lived"}, {"expires_at_ms", now + 2000}});
  const std::string secret = created.value("secret", "");
  ASSERT_FALSE(secret.empty());
  // Known (and working) first: a 401 before that is the unknown-token one.
  auto r = CallUntil(0, secret, 200);
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  r = CallUntil(0, secret, 401);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401) << r->body;
  EXPECT_THAT(r->body, HasSubstr("client token 'short-lived' expired at"));
  EXPECT_EQ(ListTokens()["tokens"][0]["expired"], true);
}

TEST_F(ClientTokensTest, AllowedModelsRefuseOthersWith403NamingTheModel) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  const json created =
      CreateToken({{"name", "flash-only"}, {"limits", {{"allowed_models", {"gemini-2.5-*"}}}}});
  const std::string secret = created.value("secret", "");
  ASSERT_FALSE(secret.empty());
  auto ok = CallUntil(0, secret, 200, kFlash);
  ASSERT_TRUE(ok && ok->status == 200) << (ok ? ok->body : "no answer");
  const int64_t before = LastUpstreamId();
  auto refused = Call(0, secret, "gemini-2.0-flash");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403) << refused->body;
  EXPECT_THAT(refused->body, HasSubstr("may not call model 'gemini-2.0-flash'"));
  // OpenAI and Anthropic routes: the same refusal in their shapes.
  auto chat = stack().Gateway()->Post(
      "/v1/chat/completions", {{"Authorization", "Bearer " + secret}},
      R"({"model":"gemini-2.0-flash","messages":[{"role":"user","content":"hi"}]})", "application/json");
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->status, 403) << chat->body;
  EXPECT_THAT(chat->body, HasSubstr("gemini-2.0-flash"));
  auto messages = stack().Gateway()->Post(
      "/v1/messages", {{"x-api-key", secret}, {"anthropic-version", "2023-06-01"}},
      R"({"model":"gemini-2.0-flash","max_tokens":16,"messages":[{"role":"user","content":"hi"}]})",
      "application/json");
  ASSERT_TRUE(messages);
  EXPECT_EQ(messages->status, 403) << messages->body;
  EXPECT_THAT(messages->body, HasSubstr("gemini-2.0-flash"));
  // Nothing went upstream for them; model lists stay allowed.
  EXPECT_EQ(LastUpstreamId(), before);
  auto models = stack().Gateway()->Get("/v1beta/models", {{"x-goog-api-key", secret}});
  ASSERT_TRUE(models);
  EXPECT_EQ(models->status, 200) << models->body;
}

TEST_F(ClientTokensTest, TokensPerDayFromTheUsageOfFinishedRequests) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  // 35 tokens per call (fake-gemini's usageMetadata).
  const json usage = {{"promptTokenCount", 10}, {"candidatesTokenCount", 20}, {"thoughtsTokenCount", 5}};
  ASSERT_TRUE(fake().ScriptKey("", kFlash, json::array({json{{"usage", usage}}}), true).ok());
  const json created = CreateToken({{"name", "daily"}, {"limits", {{"tokens_per_day", 100}}}});
  const std::string secret = created.value("secret", "");
  ASSERT_FALSE(secret.empty());
  auto r = CallUntil(0, secret, 200);
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  // 35, 70, 105: the fourth call is over.
  for (int i = 0; i < 2; ++i) {
    r = Call(0, secret);
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  }
  r = Call(0, secret);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429) << r->body;
  EXPECT_THAT(r->body, HasSubstr("client token 'daily' is over its tokens_per_day limit (100)"));
  ASSERT_TRUE(r->has_header("Retry-After"));
  EXPECT_GE(std::stoi(r->get_header_value("Retry-After")), 1);
  EXPECT_LE(std::stoi(r->get_header_value("Retry-After")), 25 * 3600);
  // The broker's counter has them too (the admin page shows it).
  json row;
  EXPECT_TRUE(gempool::testing::WaitFor(
      [&] {
        row = ListTokens()["tokens"][0];
        return row["tokens_today"] == 105;
      },
      kPropagateMs))
      << row.dump();

  // A restarted broker reads today's tokens back from the usage table, once
  // the request log rows carrying them are stored.
  const std::string token_id = created["token"]["token_id"];
  json usage_report;
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        auto u = stack().Gateway()->Get("/api/usage?since=today&by=token", Admin());
        if (!u || u->status != 200) return false;
        usage_report = json::parse(u->body);
        for (const json& group : usage_report.value("groups", json::array())) {
          if (group["group"] == token_id && group["total_tokens"] == 105) return true;
        }
        return false;
      },
      15000))
      << usage_report.dump();
  ASSERT_TRUE(stack().Restart(Stack::Service::kKeyBroker).ok());
  EXPECT_TRUE(gempool::testing::WaitFor(
      [&] {
        const json tokens = ListTokens().value("tokens", json::array());
        row = tokens.empty() ? json() : tokens[0];
        return row.is_object() && row["tokens_today"] == 105;
      },
      15000))
      << row.dump();
  // And the gateway, fed again, still refuses.
  r = CallUntil(0, secret, 429);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429) << r->body;
}

TEST_F(ClientTokensTest, TheDatabaseHoldsTheHashNotTheSecret) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  const json created = CreateToken({{"name", "stored"}});
  const std::string secret = created.value("secret", "");
  ASSERT_EQ(secret.size(), 43u);
  EXPECT_EQ(secret.substr(0, 3), "gp-");
  // The answer has no hash either; the list has no secret.
  EXPECT_FALSE(created["token"].contains("secret_sha256"));
  EXPECT_EQ(ListTokens().dump().find(secret), std::string::npos);
  std::string bytes;
  for (const std::string& suffix : {"", "-wal"}) {
    std::ifstream file(stack().SqlitePath() + suffix, std::ios::binary);
    std::stringstream content;
    content << file.rdbuf();
    bytes += content.str();
  }
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(secret), std::string::npos);
  EXPECT_EQ(bytes.find(secret.substr(3)), std::string::npos);
  EXPECT_NE(bytes.find("stored"), std::string::npos);
}

}  // namespace
}  // namespace gempool::integration
