// The gateway as a transparent proxy: client auth, the pool key upstream,
// rotation, verbatim bodies, the other Gemini routes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

class ProxyTest : public StackTest {};

bool QueryHasKey(const std::string& query) {
  for (absl::string_view part : absl::StrSplit(query, '&')) {
    if (absl::StartsWith(part, "key=")) return true;
  }
  return false;
}

// Whether `needle` occurs anywhere the upstream request could carry it.
bool Carries(const UpstreamRequest& r, const std::string& needle) {
  if (absl::StrContains(r.path, needle) || absl::StrContains(r.query, needle) || absl::StrContains(r.body, needle)) {
    return true;
  }
  for (const auto& [name, value] : r.headers) {
    if (absl::StrContains(value, needle)) return true;
  }
  return false;
}

TEST_F(ProxyTest, PoolKeyReplacesClientTokenInEveryAuthForm) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  const std::string token = stack().token();
  const std::string body = GenerateBody("which key?");
  auto gw = stack().Gateway();
  auto by_header = gw->Post(GeneratePath(kFlash).c_str(), {{"x-goog-api-key", token}}, body, "application/json");
  auto by_query = gw->Post((GeneratePath(kFlash) + "?key=" + token).c_str(), body, "application/json");
  auto by_bearer =
      gw->Post(GeneratePath(kFlash).c_str(), {{"Authorization", "Bearer " + token}}, body, "application/json");
  for (const auto* r : {&by_header, &by_query, &by_bearer}) {
    ASSERT_TRUE(*r) << httplib::to_string(r->error());
    EXPECT_EQ((*r)->status, 200) << (*r)->body;
  }

  const std::vector<UpstreamRequest> upstream = Upstream("generateContent");
  ASSERT_THAT(upstream, SizeIs(3));
  const std::set<std::string> pool(stack().options().keys.begin(), stack().options().keys.end());
  for (const UpstreamRequest& r : upstream) {
    EXPECT_EQ(pool.count(r.key), 1u) << "upstream got key '" << r.key << "', not a pool key";
    // Exactly one credential: the header or the query parameter, not both.
    EXPECT_NE(r.HasHeader("x-goog-api-key"), QueryHasKey(r.query)) << "query: " << r.query;
    EXPECT_FALSE(r.HasHeader("Authorization")) << "Authorization: " << r.Header("Authorization");
    EXPECT_FALSE(Carries(r, token)) << "the client token reached the upstream in " << r.method << " " << r.path << "?"
                                    << r.query;
    // The conversation as sent (SAFETY_SETTINGS' defaults join it: the
    // native API applies the model options, native_options_test.cc).
    EXPECT_EQ(json::parse(r.body)["contents"], json::parse(body)["contents"]);
  }
}

TEST_F(ProxyTest, WrongOrMissingTokenIs401WithGeminiErrorBody) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  const std::string body = GenerateBody("let me in");
  auto gw = stack().Gateway();
  std::vector<httplib::Result> results;
  results.push_back(
      gw->Post(GeneratePath(kFlash).c_str(), {{"x-goog-api-key", "wrong-token"}}, body, "application/json"));
  results.push_back(gw->Post((GeneratePath(kFlash) + "?key=wrong-token").c_str(), body, "application/json"));
  results.push_back(
      gw->Post(GeneratePath(kFlash).c_str(), {{"Authorization", "Bearer wrong-token"}}, body, "application/json"));
  results.push_back(gw->Post(GeneratePath(kFlash).c_str(), body, "application/json"));
  results.push_back(gw->Get("/v1beta/models"));
  // A pool key is not a client token either.
  results.push_back(gw->Post(GeneratePath(kFlash).c_str(), {{"x-goog-api-key", stack().options().keys[0]}}, body,
                             "application/json"));
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i]) << "call " << i;
    EXPECT_EQ(results[i]->status, 401) << "call " << i << ": " << results[i]->body;
    json error = json::parse(results[i]->body, nullptr, false);
    ASSERT_FALSE(error.is_discarded()) << "call " << i << " body is not JSON: " << results[i]->body;
    EXPECT_EQ(error["error"]["code"], 401) << results[i]->body;
    EXPECT_TRUE(error["error"].contains("message")) << results[i]->body;
  }
  EXPECT_THAT(Upstream(), SizeIs(0)) << "a rejected request reached the upstream";
}

TEST_F(ProxyTest, RotatesEvenlyOverTheKeys) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  constexpr int kRequests = 12;
  for (int i = 0; i < kRequests; ++i) {
    auto r = Generate();
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  const std::vector<int> counts = CountPerKey(stack().options().keys, KeysOf(Upstream("generateContent")));
  const auto [min, max] = std::minmax_element(counts.begin(), counts.end());
  EXPECT_LE(*max - *min, 1) << "per-key use: " << ::testing::PrintToString(counts);
  EXPECT_EQ(counts[0] + counts[1] + counts[2], kRequests);
}

TEST_F(ProxyTest, RequestBodyReachesUpstreamByteForByte) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  const std::string body =
      "{ \"contents\" :[ {\"role\":\"user\",\n\t\"parts\":[{\"text\":\"h\\u00e9llo \xC3\xA9 <b>&amp;\"},"
      "{\"functionCall\":{\"name\":\"f\",\"args\":{}},\"thoughtSignature\":\"c2lnbmF0dXJl\"}]}],\r\n"
      "  \"toolConfig\": {\"functionCallingConfig\": {\"mode\": \"ANY\", \"allowedFunctionNames\": [\"f\"]}},\n"
      "  \"cachedContent\": \"cachedContents/abc123\",\n"
      "  \"safetySettings\": [{\"category\": \"HARM_CATEGORY_HARASSMENT\", \"threshold\": \"BLOCK_NONE\"}],\n"
      "  \"generationConfig\": {\"temperature\": 0.70, \"maxOutputTokens\": 1e3, \"thinkingConfig\": "
      "{\"thinkingBudget\": -1}},\n"
      "  \"someFutureField\": {\"nested\": [1, 2.50, null, true, \"x\"]}    }";
  auto gw = stack().Gateway();
  auto plain = gw->Post(GeneratePath(kFlash).c_str(), Auth(), body, "application/json");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200) << plain->body;
  StreamedResponse sse =
      PostStreaming(stack().gateway_port(), GeneratePath(kFlash, "streamGenerateContent") + "?alt=sse", Auth(), body);
  EXPECT_EQ(sse.status, 200) << sse.body;

  const std::vector<UpstreamRequest> upstream = Upstream();
  ASSERT_THAT(upstream, SizeIs(2));
  for (const UpstreamRequest& r : upstream) {
    EXPECT_EQ(r.body, body) << "the body changed on the way to " << r.path;
  }
  EXPECT_EQ(upstream[0].operation, "generateContent");
  EXPECT_EQ(upstream[1].operation, "streamGenerateContent");
  EXPECT_THAT(upstream[1].query, HasSubstr("alt=sse"));
}

TEST_F(ProxyTest, ResponseBodyReachesClientByteForByte) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  const std::string odd_json =
      "{\n  \"candidates\": [{\"content\": {\"parts\": [{\"text\": \"x \\u003c y\"}], \"role\": \"model\"},"
      "  \"finishReason\": \"STOP\"}],\n\n  \"unknownFutureField\": {\"a\":[1,2.50]},\r\n"
      "  \"modelVersion\": \"gemini-2.5-flash\"   }\n";
  const std::string odd_sse =
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"one\"}],\"role\":\"model\"}}],\"x\":1}\r\n\r\n"
      "data:{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"two\"}],\"role\":\"model\"},"
      "\"finishReason\":\"STOP\"}]}\r\n\r\n";
  ASSERT_TRUE(fake()
                  .ScriptKey("", "",
                             json::array({{{"status", 200}, {"body", odd_json}},
                                          {{"status", 200}, {"body", odd_sse}, {"contentType", "text/event-stream"}}}),
                             false)
                  .ok());
  auto plain = Generate();
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200);
  EXPECT_EQ(plain->body, odd_json);
  StreamedResponse sse =
      PostStreaming(stack().gateway_port(), GeneratePath(kFlash, "streamGenerateContent") + "?alt=sse", Auth(),
                    GenerateBody("stream please"));
  EXPECT_TRUE(sse.completed) << httplib::to_string(sse.error);
  EXPECT_EQ(sse.status, 200);
  EXPECT_EQ(sse.body, odd_sse);
}

TEST_F(ProxyTest, ServesTheOtherGeminiRoutes) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  auto gw = stack().Gateway();

  auto list = gw->Get("/v1beta/models", Auth());
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200) << list->body;
  EXPECT_FALSE(json::parse(list->body)["models"].empty());

  auto paged = gw->Get("/v1beta/models?pageSize=2", Auth());
  ASSERT_TRUE(paged);
  ASSERT_EQ(paged->status, 200) << paged->body;
  json page = json::parse(paged->body);
  // Upstream's page of 2, each with its -search model (SEARCH_MODELS'
  // defaults) right after it: native_options_test.cc.
  ASSERT_EQ(page["models"].size(), 4u) << paged->body;
  EXPECT_EQ(page["models"][1]["name"], "models/gemini-2.5-flash-search");
  EXPECT_TRUE(page.contains("nextPageToken"));

  auto one = gw->Get("/v1beta/models/gemini-2.5-pro", Auth());
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200) << one->body;
  EXPECT_EQ(json::parse(one->body)["name"], "models/gemini-2.5-pro");

  auto count = gw->Post(GeneratePath(kFlash, "countTokens").c_str(), Auth(), GenerateBody("count these words"),
                        "application/json");
  ASSERT_TRUE(count);
  ASSERT_EQ(count->status, 200) << count->body;
  EXPECT_GT(json::parse(count->body)["totalTokens"].get<int>(), 0);

  auto embed = gw->Post(GeneratePath("gemini-embedding-001", "embedContent").c_str(), Auth(),
                        R"({"content":{"parts":[{"text":"embed me"}]},"outputDimensionality":8})", "application/json");
  ASSERT_TRUE(embed);
  ASSERT_EQ(embed->status, 200) << embed->body;
  EXPECT_EQ(json::parse(embed->body)["embedding"]["values"].size(), 8u);

  auto batch = gw->Post(GeneratePath("gemini-embedding-001", "batchEmbedContents").c_str(), Auth(),
                        R"({"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"a"}]}},)"
                        R"({"model":"models/gemini-embedding-001","content":{"parts":[{"text":"b"}]}}]})",
                        "application/json");
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->status, 200) << batch->body;
  EXPECT_EQ(json::parse(batch->body)["embeddings"].size(), 2u);

  // gemini-balance's /gemini prefix.
  auto prefixed =
      gw->Post(("/gemini" + GeneratePath(kFlash)).c_str(), Auth(), GenerateBody("prefixed"), "application/json");
  ASSERT_TRUE(prefixed);
  EXPECT_EQ(prefixed->status, 200) << prefixed->body;
  auto prefixed_list = gw->Get("/gemini/v1beta/models", Auth());
  ASSERT_TRUE(prefixed_list);
  EXPECT_EQ(prefixed_list->status, 200) << prefixed_list->body;

  const std::set<std::string> pool(stack().options().keys.begin(), stack().options().keys.end());
  const std::vector<UpstreamRequest> upstream = Upstream();
  EXPECT_GE(upstream.size(), 8u);
  for (const UpstreamRequest& r : upstream) {
    EXPECT_EQ(pool.count(r.key), 1u) << r.path << " went upstream with key '" << r.key << "'";
    EXPECT_THAT(r.path, Not(HasSubstr("/gemini/"))) << "the /gemini prefix must not go upstream";
  }
}

}  // namespace
}  // namespace gempool::integration
