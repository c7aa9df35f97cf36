#include "admin/tokens_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "admin/test/fake_admin_backend.h"
#include "gempool/testing/fake_clock.h"

namespace gempool::gateway::admin {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kTokensNow = 1'800'000'010'000;  // 2027-01-15 08:00:10 UTC.

ApiCall Call(const std::string& method, const std::string& path, nlohmann::json body = nlohmann::json::object()) {
  ApiCall call;
  call.method = method;
  call.path = path;
  call.body = std::move(body);
  return call;
}

class TokensApiTest : public ::testing::Test {
 protected:
  gempool::testing::FakeClock clock_{kTokensNow};
  testing::FakeAdminBackend backend_{clock_};
  DisplayZone zone_;
  TokensApi api_{backend_, clock_, zone_};
};

TEST_F(TokensApiTest, CreateReadsExpiryAndLimitsAndAnswersTheSecretOnce) {
  const ApiResult result = api_.Handle(Call(
      "POST", "/tokens",
      {{"name", "laptop"},
       {"expires", "2d"},
       {"limits", {{"requests_per_minute", 3}, {"tokens_per_day", 1000}, {"allowed_models", {"gemini-2.5-*"}}}}}));
  ASSERT_EQ(result.status, 200) << result.body.dump();
  ASSERT_EQ(backend_.token_creates.size(), 1u);
  const v1::CreateClientTokenRequest& sent = backend_.token_creates[0];
  EXPECT_EQ(sent.name(), "laptop");
  EXPECT_EQ(sent.expires_at_ms(), kTokensNow + 2 * 86'400'000LL);
  EXPECT_EQ(sent.limits().requests_per_minute(), 3);
  EXPECT_EQ(sent.limits().tokens_per_day(), 1000);
  EXPECT_THAT(sent.limits().allowed_models(), ElementsAre("gemini-2.5-*"));
  EXPECT_EQ(result.body["secret"], "gp-secret");
  EXPECT_EQ(result.body["token"]["id"], 7);
  EXPECT_FALSE(result.body["token"].contains("secret_sha256"));
}

TEST_F(TokensApiTest, CreateErrorsSayWhatToChange) {
  EXPECT_EQ(api_.Handle(Call("POST", "/tokens", {{"limits", {}}})).status, 400);
  ApiResult bad = api_.Handle(Call("POST", "/tokens", {{"name", "x"}, {"expires", "soon"}}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body.dump(), HasSubstr("30d"));
  bad = api_.Handle(Call("POST", "/tokens", {{"name", "x"}, {"limits", {{"requests_per_minute", "many"}}}}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body.dump(), HasSubstr("requests_per_minute"));
  const ApiResult taken = api_.Handle(Call("POST", "/tokens", {{"name", "taken"}}));
  EXPECT_EQ(taken.status, 409);
  EXPECT_THAT(taken.body.dump(), HasSubstr("already exists"));
}

TEST_F(TokensApiTest, ListShowsCountersOfTheCurrentWindowsOnly) {
  v1::ClientToken* token = backend_.token_list.add_tokens();
  token->set_id(7);
  token->set_name("laptop");
  token->set_token_id("abc");
  token->set_expires_at_ms(kTokensNow - 1);
  v1::TokenCounter* counter = backend_.token_list.add_counters();
  counter->set_token_id("abc");
  counter->set_minute_start_ms(kTokensNow - 10'000);
  counter->set_requests(4);
  counter->set_day_start_ms(kTokensNow - 10'000 - 8 * 3'600'000LL);
  counter->set_tokens(900);
  ApiResult result = api_.Handle(Call("GET", "/tokens"));
  ASSERT_EQ(result.status, 200);
  const nlohmann::json& row = result.body["tokens"][0];
  EXPECT_EQ(row["requests_this_minute"], 4);
  EXPECT_EQ(row["tokens_today"], 900);
  EXPECT_EQ(row["expired"], true);
  clock_.AdvanceMs(60'000);  // The next minute: no requests in it yet.
  result = api_.Handle(Call("GET", "/tokens"));
  EXPECT_EQ(result.body["tokens"][0]["requests_this_minute"], 0);
  EXPECT_EQ(result.body["tokens"][0]["tokens_today"], 900);
}

TEST_F(TokensApiTest, PatchSendsOnlyTheFieldsGivenAndDeleteById) {
  ApiResult result = api_.Handle(Call("PATCH", "/tokens/7", {{"disabled", true}}));
  ASSERT_EQ(result.status, 200) << result.body.dump();
  ASSERT_EQ(backend_.token_updates.size(), 1u);
  EXPECT_THAT(backend_.token_updates[0].update_mask(), ElementsAre("disabled"));
  EXPECT_TRUE(backend_.token_updates[0].disabled());
  result = api_.Handle(Call("PATCH", "/tokens/7", {{"expires", "never"}, {"limits", {{"tokens_per_day", 5}}}}));
  ASSERT_EQ(result.status, 200);
  EXPECT_THAT(backend_.token_updates[1].update_mask(), ElementsAre("expires_at_ms", "limits"));
  EXPECT_EQ(backend_.token_updates[1].expires_at_ms(), 0);
  EXPECT_EQ(api_.Handle(Call("PATCH", "/tokens/7", nlohmann::json::object())).status, 400);
  EXPECT_EQ(api_.Handle(Call("PATCH", "/tokens/9", {{"disabled", false}})).status, 404);
  EXPECT_EQ(api_.Handle(Call("PATCH", "/tokens/x", {{"disabled", false}})).status, 404);
  EXPECT_EQ(api_.Handle(Call("DELETE", "/tokens/7")).body["deleted"], true);
  EXPECT_EQ(api_.Handle(Call("DELETE", "/tokens/8")).status, 404);
}

}  // namespace
}  // namespace gempool::gateway::admin
