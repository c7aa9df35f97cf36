// Token usage end to end: fake-gemini answers with usageMetadata numbers the
// test chooses (per model, and per key for one model), calls go through the
// real gateway on every route that reports usage (native whole and streamed,
// OpenAI chat whole and streamed, Anthropic Messages, the Responses API)
// with two client tokens, and the sums per model, key and client token are
// read back through the admin API (/api/usage) and `gempoolctl usage --json`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"
#include "gempool/testing/subprocess.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;

constexpr char kAlpha[] = "client-token-alpha-7f3a";
constexpr char kBeta[] = "client-token-beta-2b9d";
constexpr char kSplit[] = "gemini-2.0-flash";  // Its usage depends on the key.
constexpr int kRowWaitMs = 15000;

struct Tokens {
  int64_t prompt, candidates, thoughts, cached, tool_use;
  int64_t Total() const { return prompt + candidates + thoughts + tool_use; }
  json Script() const {
    return {{"promptTokenCount", prompt},
            {"candidatesTokenCount", candidates},
            {"thoughtsTokenCount", thoughts},
            {"cachedContentTokenCount", cached},
            {"toolUsePromptTokenCount", tool_use}};
  }
};

constexpr Tokens kFlashUsage{10, 20, 5, 3, 0};      // 35 per call
constexpr Tokens kProUsage{100, 200, 0, 0, 7};      // 307 per call
constexpr Tokens kKey1Usage{1, 2, 0, 0, 0};         // 3 per call
constexpr Tokens kKey2Usage{1000, 2000, 0, 0, 0};   // 3000 per call

class TokenUsageTest : public StackTest {
 protected:
  httplib::Headers Admin() const { return {{"Authorization", "Bearer " + stack_->options().admin_token}}; }

  json GetUsage(const std::string& query) {
    auto r = stack().Gateway()->Get("/api/usage?" + query, Admin());
    if (!r || r->status != 200) {
      ADD_FAILURE() << "GET /api/usage?" << query << ": " << (r ? r->body : httplib::to_string(r.error()));
      return json::object();
    }
    return json::parse(r->body);
  }

  // The group named `name` of a report, or null.
  static json Group(const json& report, const std::string& name) {
    for (const json& g : report["groups"]) {
      if (g["group"] == name) return g;
    }
    return nullptr;
  }

  static void ExpectCounts(const json& got, int64_t requests, const Tokens& per_call, const std::string& what) {
    ASSERT_TRUE(got.is_object()) << what << " missing";
    EXPECT_EQ(got["requests"], requests) << what;
    EXPECT_EQ(got["prompt_tokens"], requests * per_call.prompt) << what;
    EXPECT_EQ(got["candidates_tokens"], requests * per_call.candidates) << what;
    EXPECT_EQ(got["thoughts_tokens"], requests * per_call.thoughts) << what;
    EXPECT_EQ(got["cached_tokens"], requests * per_call.cached) << what;
    EXPECT_EQ(got["tool_use_prompt_tokens"], requests * per_call.tool_use) << what;
    EXPECT_EQ(got["total_tokens"], requests * per_call.Total()) << what;
  }

  void Call(const std::string& path, const httplib::Headers& headers, const std::string& body) {
    auto r = stack().Gateway()->Post(path, headers, body, "application/json");
    ASSERT_TRUE(r) << path << ": " << httplib::to_string(r.error());
    ASSERT_EQ(r->status, 200) << path << ": " << r->body;
  }
};

TEST_F(TokenUsageTest, UsageIsSummedPerModelKeyAndTokenOnEveryRoute) {
  StackOptions options;
  options.keys = {StackOptions::TestKey(1), StackOptions::TestKey(2)};
  options.tokens = {kAlpha, kBeta};
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  auto answers = [](const Tokens& usage) { return json::array({json{{"usage", usage.Script()}}}); };
  ASSERT_TRUE(fake().ScriptKey("", kFlash, answers(kFlashUsage), true).ok());
  ASSERT_TRUE(fake().ScriptKey("", kPro, answers(kProUsage), true).ok());
  ASSERT_TRUE(fake().ScriptKey(options.keys[0], kSplit, answers(kKey1Usage), true).ok());
  ASSERT_TRUE(fake().ScriptKey(options.keys[1], kSplit, answers(kKey2Usage), true).ok());

  const httplib::Headers alpha_native = {{"x-goog-api-key", kAlpha}};
  const httplib::Headers alpha_bearer = {{"Authorization", std::string("Bearer ") + kAlpha}};
  const httplib::Headers beta_native = {{"x-goog-api-key", kBeta}};
  const httplib::Headers beta_bearer = {{"Authorization", std::string("Bearer ") + kBeta}};
  const std::string native = GenerateBody("hello");
  const std::string chat_flash = R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}])";
  // Token alpha, gemini-2.5-flash: native whole and streamed, OpenAI whole and streamed.
  ASSERT_NO_FATAL_FAILURE(Call(GeneratePath(kFlash), alpha_native, native));
  ASSERT_NO_FATAL_FAILURE(Call(GeneratePath(kFlash, "streamGenerateContent") + "?alt=sse", alpha_native, native));
  ASSERT_NO_FATAL_FAILURE(Call("/v1/chat/completions", alpha_bearer, chat_flash + "}"));
  ASSERT_NO_FATAL_FAILURE(Call("/v1/chat/completions", alpha_bearer, chat_flash + R"(,"stream":true})"));
  // Token beta: native and OpenAI streamed gemini-2.5-pro, Anthropic Messages
  // on it, and a Responses API call on gemini-2.5-flash.
  ASSERT_NO_FATAL_FAILURE(Call(GeneratePath(kPro), beta_native, native));
  ASSERT_NO_FATAL_FAILURE(Call("/v1/chat/completions", beta_bearer,
                               R"({"model":"gemini-2.5-pro","stream":true,"messages":[{"role":"user","content":"hi"}]})"));
  ASSERT_NO_FATAL_FAILURE(
      Call("/v1/messages", {{"x-api-key", kBeta}, {"anthropic-version", "2023-06-01"}},
           R"({"model":"gemini-2.5-pro","max_tokens":64,"messages":[{"role":"user","content":"hi"}]})"));
  ASSERT_NO_FATAL_FAILURE(
      Call("/v1/responses", beta_bearer, R"({"model":"gemini-2.5-flash","store":false,"input":"hi"})"));
  // Token alpha, the model whose usage depends on the key.
  for (int i = 0; i < 6; ++i) ASSERT_NO_FATAL_FAILURE(Call(GeneratePath(kSplit), alpha_native, native));
  constexpr int kCalls = 14;

  // The log writer batches; wait until every call is in the usage table.
  json by_model;
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        by_model = GetUsage("since=2d&by=model");
        return by_model.contains("total") && by_model["total"]["requests"] == kCalls;
      },
      kRowWaitMs))
      << by_model.dump();

  ExpectCounts(Group(by_model, kFlash), 5, kFlashUsage, "gemini-2.5-flash");
  ExpectCounts(Group(by_model, kPro), 3, kProUsage, "gemini-2.5-pro");
  const json split = Group(by_model, kSplit);
  ASSERT_TRUE(split.is_object());
  EXPECT_EQ(split["requests"], 6);

  // Per key, on the key-dependent model: each key's total is its own rate.
  const json by_key = GetUsage(absl::StrCat("since=2d&by=key&model=", kSplit));
  int64_t split_requests = 0;
  int64_t split_total = 0;
  for (const json& g : by_key["groups"]) {
    const int64_t requests = g["requests"];
    const int64_t total = g["total_tokens"];
    EXPECT_TRUE(total == requests * kKey1Usage.Total() || total == requests * kKey2Usage.Total()) << g.dump();
    EXPECT_NE(g["key"], "") << "the key is shown masked";
    split_requests += requests;
    split_total += total;
  }
  EXPECT_EQ(split_requests, 6);
  EXPECT_EQ(split["total_tokens"], split_total);

  // Per client token.
  const json by_token = GetUsage("since=2d&by=token");
  const json alpha = Group(by_token, TokenId(kAlpha));
  const json beta = Group(by_token, TokenId(kBeta));
  ASSERT_TRUE(alpha.is_object()) << by_token.dump();
  ASSERT_TRUE(beta.is_object()) << by_token.dump();
  EXPECT_EQ(alpha["requests"], 10);
  EXPECT_EQ(alpha["total_tokens"], 4 * kFlashUsage.Total() + split_total);
  EXPECT_EQ(beta["requests"], 4);
  EXPECT_EQ(beta["total_tokens"], kFlashUsage.Total() + 3 * kProUsage.Total());
  EXPECT_EQ(by_token["total"]["total_tokens"], 5 * kFlashUsage.Total() + 3 * kProUsage.Total() + split_total);

  // The same numbers through gempoolctl (KeyAdmin.QueryUsage on the broker).
  Stack::CtlResult ctl = stack().RunCtl({"usage", "--by", "token", "--since", "2d", "--json"});
  ASSERT_EQ(ctl.exit_code, 0) << ctl.error;
  const json report = json::parse(ctl.output);
  EXPECT_EQ(report["total"], by_token["total"]);
  EXPECT_EQ(Group(report, TokenId(kAlpha))["total_tokens"], alpha["total_tokens"]);
  EXPECT_EQ(Group(report, TokenId(kBeta))["requests"], 4);
  ctl = stack().RunCtl({"usage", "--by", "model", "--since", "today", "--json"});
  ASSERT_EQ(ctl.exit_code, 0) << ctl.error;
  ExpectCounts(Group(json::parse(ctl.output), kPro), 3, kProUsage, "gempoolctl gemini-2.5-pro");
}

}  // namespace
}  // namespace gempool::integration
