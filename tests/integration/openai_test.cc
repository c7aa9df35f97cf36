// The OpenAI-compatible API through the whole stack: the real gateway, key
// broker and persistence binaries against fake-gemini, called as OpenAI
// clients call it (Authorization: Bearer), with the request rows read from the
// database.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "integration/db_rows.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr int kOpenAIChunks = 4;
constexpr int kOpenAIIntervalMs = 300;

class OpenAITest : public StackTest {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartStack()); }

  httplib::Headers Bearer() const { return {{"Authorization", "Bearer " + stack_->token()}}; }

  static std::string ChatBody(const std::string& text, bool stream = false) {
    json body = {{"model", kFlash}, {"messages", {{{"role", "user"}, {"content", text}}}}};
    if (stream) {
      body["stream"] = true;
      body["stream_options"] = {{"include_usage", true}};
    }
    return body.dump();
  }

  // Polls the request log until a row for `operation` is there.
  std::vector<Row> RequestRows(const std::string& operation) {
    std::vector<Row> rows;
    gempool::testing::WaitFor(
        [&] {
          auto r = SqliteQuery(stack().SqlitePath(),
                               "SELECT * FROM gempool_request_log WHERE operation = '" + operation + "'");
          if (!r.ok()) return false;
          rows = *r;
          return !rows.empty();
        },
        10000);
    return rows;
  }
};

TEST_F(OpenAITest, ChatCompletionGoesThroughThePoolAndIsLogged) {
  auto res = stack().Gateway()->Post("/v1/chat/completions", Bearer(), ChatBody("hello from openai"),
                                     "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json body = json::parse(res->body);
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], kFlash);
  EXPECT_THAT(body["choices"][0]["message"]["content"].get<std::string>(), HasSubstr("hello from openai"));
  EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
  EXPECT_GT(body["usage"]["total_tokens"].get<int>(), 0);

  std::vector<UpstreamRequest> upstream = Upstream("generateContent");
  ASSERT_EQ(upstream.size(), 1u);
  EXPECT_EQ(upstream[0].path, "/v1beta/models/gemini-2.5-flash:generateContent");
  EXPECT_THAT(stack().options().keys, Contains(upstream[0].key));
  EXPECT_THAT(upstream[0].Header("Authorization"), Not(HasSubstr(stack().token())));
  json sent = json::parse(upstream[0].body);
  EXPECT_EQ(sent["contents"][0]["parts"][0]["text"], "hello from openai");

  std::vector<Row> rows = RequestRows("chat.completions");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("model"), kFlash);
  EXPECT_EQ(rows[0].at("status_code"), "200");
  EXPECT_EQ(rows[0].at("stream"), "0");
  EXPECT_NE(rows[0].at("key_id"), "0");
}

TEST_F(OpenAITest, StreamChunksArriveAsGeminiSendsThem) {
  ASSERT_TRUE(fake()
                  .ScriptKey("", kFlash,
                             json::array({{{"kind", "slow_stream"}, {"chunks", kOpenAIChunks}, {"intervalMs", kOpenAIIntervalMs}}}),
                             false)
                  .ok());
  StreamedResponse r =
      PostStreaming(stack().gateway_port(), "/v1/chat/completions", Bearer(), ChatBody("stream it", true));
  ASSERT_TRUE(r.completed) << httplib::to_string(r.error);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.Header("Content-Type"), StartsWith("text/event-stream"));
  const std::vector<std::string> events = SseEvents(r.body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text;
  std::string id;
  bool usage_seen = false;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    json chunk = json::parse(events[i]);
    if (id.empty()) id = chunk["id"];
    EXPECT_EQ(chunk["id"], id) << "every chunk carries the same id";
    if (chunk["choices"].empty()) {
      usage_seen = true;
      EXPECT_GT(chunk["usage"]["total_tokens"].get<int>(), 0);
      continue;
    }
    const json& delta = chunk["choices"][0]["delta"];
    if (delta.contains("content")) text += delta["content"].get<std::string>();
  }
  EXPECT_TRUE(usage_seen);
  EXPECT_EQ(text, "chunk 1 of 4. chunk 2 of 4. chunk 3 of 4. chunk 4 of 4. ");
  // Converted one by one as they come: the first long before the last.
  const int64_t first = r.ArrivalOf("chunk 1 of 4");
  const int64_t last = r.ArrivalOf("chunk 4 of 4");
  ASSERT_GE(first, 0);
  ASSERT_GE(last, 0);
  EXPECT_GE(last - first, (kOpenAIChunks - 1) * kOpenAIIntervalMs / 2) << "the gateway held the stream back";

  std::vector<UpstreamRequest> upstream = Upstream("streamGenerateContent");
  ASSERT_EQ(upstream.size(), 1u);
  EXPECT_EQ(upstream[0].query, "alt=sse");
  std::vector<Row> rows = RequestRows("chat.completions");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("stream"), "1");
}

TEST_F(OpenAITest, RateLimitOnEveryKeyIs429WithRetryAfter) {
  ASSERT_TRUE(fake().ScriptKey("", kFlash, json::array({{{"status", 429}, {"retryDelay", "30s"}}}), true).ok());
  auto res = stack().Gateway()->Post("/v1/chat/completions", Bearer(), ChatBody("limited"), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429) << res->body;
  EXPECT_FALSE(res->get_header_value("Retry-After").empty());
  json body = json::parse(res->body);
  EXPECT_EQ(body["error"]["type"], "rate_limit_error");
  EXPECT_TRUE(body["error"].contains("param"));
  for (const std::string& key : stack().options().keys) EXPECT_THAT(res->body, Not(HasSubstr(key)));
  EXPECT_EQ(Upstream("generateContent").size(), 3u) << "every key is tried first";
}

TEST_F(OpenAITest, ModelListIsOpenAIShapedForBearerAndNativeForGeminiClients) {
  auto openai_list = stack().Gateway()->Get("/v1/models", Bearer());
  ASSERT_TRUE(openai_list);
  ASSERT_EQ(openai_list->status, 200) << openai_list->body;
  json list = json::parse(openai_list->body);
  EXPECT_EQ(list["object"], "list");
  std::vector<std::string> ids;
  for (const json& m : list["data"]) ids.push_back(m["id"]);
  EXPECT_THAT(ids, Contains("gemini-2.5-flash"));
  EXPECT_THAT(ids, Contains("gemini-2.5-flash-search"));  // SEARCH_MODELS default

  auto again = stack().Gateway()->Get("/v1/models", Bearer());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(Upstream("listModels").size(), 1u) << "the second list came from the cache";

  auto native = stack().Gateway()->Get("/v1/models", Auth());
  ASSERT_TRUE(native);
  ASSERT_EQ(native->status, 200);
  EXPECT_TRUE(json::parse(native->body).contains("models")) << native->body;
}

TEST_F(OpenAITest, EmbeddingsAndImages) {
  auto embeddings = stack().Gateway()->Post(
      "/v1/embeddings", Bearer(),
      R"({"model":"gemini-embedding-001","input":["a","b"],"dimensions":4,"encoding_format":"float"})",
      "application/json");
  ASSERT_TRUE(embeddings);
  ASSERT_EQ(embeddings->status, 200) << embeddings->body;
  json e = json::parse(embeddings->body);
  ASSERT_EQ(e["data"].size(), 2u);
  EXPECT_EQ(e["data"][0]["embedding"].size(), 4u);
  EXPECT_EQ(Upstream("batchEmbedContents").size(), 1u);

  auto images = stack().Gateway()->Post("/v1/images/generations", Bearer(), R"({"prompt":"a fox","n":2})",
                                        "application/json");
  ASSERT_TRUE(images);
  ASSERT_EQ(images->status, 200) << images->body;
  json i = json::parse(images->body);
  ASSERT_EQ(i["data"].size(), 2u);
  EXPECT_FALSE(i["data"][0]["b64_json"].get<std::string>().empty());
  std::vector<UpstreamRequest> predict = Upstream("predict");
  ASSERT_EQ(predict.size(), 1u);
  EXPECT_EQ(predict[0].path, "/v1beta/models/imagen-3.0-generate-002:predict");
}

TEST_F(OpenAITest, PassthroughReachesGooglesOpenAIPathWithThePoolKeyAsBearer) {
  // fake-gemini has no OpenAI endpoint: it records the call and answers 404.
  const std::string body = R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]})";
  auto res = stack().Gateway()->Post("/openai/v1/chat/completions", Bearer(), body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  json error = json::parse(res->body);
  EXPECT_TRUE(error["error"].contains("type")) << res->body;
  std::vector<UpstreamRequest> all = Upstream("");
  ASSERT_FALSE(all.empty());
  const UpstreamRequest& sent = all.back();
  EXPECT_EQ(sent.path, "/v1beta/openai/chat/completions");
  EXPECT_EQ(sent.body, body);
  EXPECT_THAT(sent.Header("Authorization"), StartsWith("Bearer AIza"));
  EXPECT_THAT(stack().options().keys, Contains(sent.Header("Authorization").substr(7)));
  EXPECT_FALSE(sent.HasHeader("x-goog-api-key"));
}

}  // namespace
}  // namespace gempool::integration
