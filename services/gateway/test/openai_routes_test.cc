// The OpenAI-compatible API end to end in-process: the real gateway on port 0
// against the fake key broker and persistence (real gRPC) and a fake Gemini
// upstream (real HTTP), called the way OpenAI clients call it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fake_services.h"
#include "fake_upstream.h"
#include "gateway_fixture.h"
#include "gateway.h"
#include "gempool/common/secrets.h"
#include "gempool/gemini/sse_splitter.h"
#include "gempool/openai/embeddings.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/httplib_server.h"
#include "nlohmann/json.hpp"

namespace gempool::gateway {
namespace {

using nlohmann::json;
using testing::FakeKeyBroker;
using testing::FakePersistence;
using testing::FakeUpstream;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kClientToken[] = "sk-openai-client-1";

using testing::PoolKey;

constexpr char kGeminiAnswer[] =
    R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Hello there"}]},"finishReason":"STOP","index":0}],)"
    R"("usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":2,"totalTokenCount":6},"responseId":"abc"})";

constexpr char kQuotaBody[] = R"({"error":{"code":429,"message":"You exceeded your current quota.",)"
                              R"("status":"RESOURCE_EXHAUSTED","details":[{"@type":)"
                              R"("type.googleapis.com/google.rpc.RetryInfo","retryDelay":"19s"}]}})";

constexpr char kChatBody[] = R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]})";

class OpenAIRoutesTest : public testing::GatewayFixture {
 protected:
  OpenAIRoutesTest() : GatewayFixture(kClientToken) {}

  static httplib::Headers Bearer() { return {{"Authorization", std::string("Bearer ") + kClientToken}}; }

  static FakeUpstream::Scripted Sse(std::vector<std::string> chunks) {
    FakeUpstream::Scripted s;
    s.content_type = "text/event-stream";
    s.chunks = std::move(chunks);
    return s;
  }

  static std::vector<std::string> Events(const std::string& body) {
    gemini::SseSplitter splitter;
    auto events = splitter.Feed(body);
    EXPECT_TRUE(events.ok());
    auto rest = splitter.Finish();
    std::vector<std::string> out = *events;
    out.insert(out.end(), rest->begin(), rest->end());
    return out;
  }
};

TEST_F(OpenAIRoutesTest, ChatCompletionIsConvertedBothWays) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(200, kGeminiAnswer));
  auto res = client->Post("/v1/chat/completions", Bearer(),
                          R"({"model":"gemini-2.5-flash","messages":[{"role":"system","content":"be brief"},)"
                          R"({"role":"user","content":"hi"}],"temperature":0.2,"max_tokens":50})",
                          "application/json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->get_header_value("Content-Type"), StartsWith("application/json"));
  json body = json::parse(res->body);
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["id"], "chatcmpl-abc");
  EXPECT_EQ(body["model"], "gemini-2.5-flash");
  EXPECT_EQ(body["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(body["choices"][0]["message"]["content"], "Hello there");
  EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(body["usage"]["prompt_tokens"], 4);
  EXPECT_EQ(body["usage"]["total_tokens"], 6);

  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].target, "/v1beta/models/gemini-2.5-flash:generateContent");
  EXPECT_EQ(received[0].headers.find("x-goog-api-key")->second, PoolKey('a'));
  EXPECT_EQ(received[0].headers.count("Authorization"), 0u);
  json sent = json::parse(received[0].body);
  EXPECT_EQ(sent["systemInstruction"]["parts"][0]["text"], "be brief");
  EXPECT_EQ(sent["contents"][0]["role"], "user");
  EXPECT_EQ(sent["contents"][0]["parts"][0]["text"], "hi");
  EXPECT_EQ(sent["generationConfig"]["maxOutputTokens"], 50);
  EXPECT_TRUE(sent.contains("safetySettings"));  // SAFETY_SETTINGS defaults
  for (const auto& [name, value] : received[0].headers) EXPECT_THAT(value, Not(HasSubstr(kClientToken))) << name;

  auto rows = persistence_.WaitForRequestLogs(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].operation(), "chat.completions");
  EXPECT_EQ(rows[0].model(), "gemini-2.5-flash");
  EXPECT_EQ(rows[0].status_code(), 200);
  EXPECT_EQ(rows[0].key_id(), 1);
  EXPECT_FALSE(rows[0].stream());
  EXPECT_EQ(rows[0].client_token_id(), TokenId(kClientToken));
}

TEST_F(OpenAIRoutesTest, ChatIsServedUnderEveryPrefixAndEveryTokenForm) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 4; ++i) upstream_.Script(Reply(200, kGeminiAnswer));
  auto hf = client->Post("/hf/v1/chat/completions", Bearer(), kChatBody, "application/json");
  auto google_path = client->Post("/v1beta/openai/chat/completions", Bearer(), kChatBody, "application/json");
  auto goog_header =
      client->Post("/v1/chat/completions", {{"x-goog-api-key", kClientToken}}, kChatBody, "application/json");
  auto query = client->Post(std::string("/v1/chat/completions?key=") + kClientToken, kChatBody, "application/json");
  for (const auto* res : {&hf, &google_path, &goog_header, &query}) {
    ASSERT_TRUE(*res);
    EXPECT_EQ((*res)->status, 200) << (*res)->body;
    EXPECT_EQ(json::parse((*res)->body)["object"], "chat.completion");
  }
  for (const auto& r : upstream_.received()) {
    EXPECT_EQ(r.target, "/v1beta/models/gemini-2.5-flash:generateContent");
    EXPECT_THAT(r.target, Not(HasSubstr(kClientToken)));
  }
}

TEST_F(OpenAIRoutesTest, MissingOrWrongTokenIsOpenAIShaped401) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  auto missing = client->Post("/v1/chat/completions", kChatBody, "application/json");
  auto wrong = client->Post("/v1/chat/completions", {{"Authorization", "Bearer nope"}}, kChatBody, "application/json");
  auto models = client->Get("/hf/v1/models", {{"Authorization", "Bearer nope"}});
  for (const auto* res : {&missing, &wrong, &models}) {
    ASSERT_TRUE(*res);
    EXPECT_EQ((*res)->status, 401);
    json body = json::parse((*res)->body);
    EXPECT_EQ(body["error"]["type"], "authentication_error");
    EXPECT_EQ(body["error"]["code"], "invalid_api_key");
    EXPECT_TRUE(body["error"].contains("param"));
    EXPECT_THAT(body["error"]["message"].get<std::string>(), HasSubstr("Bearer"));
  }
  EXPECT_TRUE(upstream_.received().empty());
}

TEST_F(OpenAIRoutesTest, BadRequestsAre400NamingTheFieldWithoutCallingUpstream) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  auto not_json = client->Post("/v1/chat/completions", Bearer(), "{nope", "application/json");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  EXPECT_THAT(json::parse(not_json->body)["error"]["message"].get<std::string>(), HasSubstr("not valid JSON"));

  auto bad_part = client->Post(
      "/v1/chat/completions", Bearer(),
      R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":[{"type":"video_url","video_url":{"url":"x"}}]}]})",
      "application/json");
  ASSERT_TRUE(bad_part);
  EXPECT_EQ(bad_part->status, 400);
  json body = json::parse(bad_part->body);
  EXPECT_EQ(body["error"]["type"], "invalid_request_error");
  EXPECT_EQ(body["error"]["param"], "messages[0].content[0].type");

  auto bad_model = client->Post("/v1/chat/completions", Bearer(),
                                R"({"model":"../../etc","messages":[{"role":"user","content":"hi"}]})",
                                "application/json");
  ASSERT_TRUE(bad_model);
  EXPECT_EQ(bad_model->status, 400);
  EXPECT_EQ(json::parse(bad_model->body)["error"]["param"], "model");

  auto filtered = client->Post("/v1/chat/completions", Bearer(),
                               R"({"model":"gemini-pro-vision","messages":[{"role":"user","content":"hi"}]})",
                               "application/json");
  ASSERT_TRUE(filtered);
  EXPECT_EQ(filtered->status, 404);
  EXPECT_TRUE(upstream_.received().empty());
}

TEST_F(OpenAIRoutesTest, ConversionWarningsComeInAHeader) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(200, kGeminiAnswer));
  auto res = client->Post(
      "/v1/chat/completions", Bearer(),
      R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}],"logit_bias":{"1":2}})",
      "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->get_header_value("x-gempool-warnings"), HasSubstr("logit_bias"));
}

TEST_F(OpenAIRoutesTest, StreamIsConvertedAsEventsArrive) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  // Events cut across network chunks, one between the CR and the LF.
  FakeUpstream::Scripted sse = Sse(
      {"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}]}}],\"responseId\":\"s1\"}\r\n\r\n"
       "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"}]},\"finishReason\":\"STOP\"}],",
       "\"responseId\":\"s1\",\"usageMetadata\":{\"promptTokenCount\":2,\"candidatesTokenCount\":3,"
       "\"totalTokenCount\":5}}\r",
       "\n\r\n"});
  sse.latch_after_first = true;
  upstream_.Script(sse);
  std::string body;
  int status = 0;
  std::string content_type;
  httplib::Request req;
  req.method = "POST";
  req.path = "/v1/chat/completions";
  req.headers = Bearer();
  req.headers.emplace("Content-Type", "application/json");
  req.body = R"({"model":"gemini-2.5-flash","stream":true,"stream_options":{"include_usage":true},)"
             R"("messages":[{"role":"user","content":"hi"}]})";
  req.response_handler = [&](const httplib::Response& r) {
    status = r.status;
    content_type = r.get_header_value("Content-Type");
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    body.append(data, n);
    // The first event's chunks arrive while the upstream still holds the rest.
    if (body.find("Hel") != std::string::npos) upstream_.ReleaseLatch();
    return true;
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  ASSERT_TRUE(client->send(req, res, error)) << httplib::to_string(error);
  EXPECT_EQ(status, 200);
  EXPECT_THAT(content_type, StartsWith("text/event-stream"));
  EXPECT_FALSE(upstream_.latch_timed_out()) << "the gateway held the first chunks back";
  EXPECT_THAT(body, StartsWith("data: {"));
  std::vector<std::string> events = Events(body);
  ASSERT_GE(events.size(), 5u) << body;
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text;
  std::string finish;
  int usage_chunks = 0;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    json chunk = json::parse(events[i]);
    EXPECT_EQ(chunk["id"], "chatcmpl-s1");
    if (chunk["choices"].empty()) {
      ++usage_chunks;
      EXPECT_EQ(chunk["usage"]["total_tokens"], 5);
      continue;
    }
    EXPECT_TRUE(chunk["usage"].is_null());
    const json& delta = chunk["choices"][0]["delta"];
    if (delta.contains("content")) text += delta["content"].get<std::string>();
    if (!chunk["choices"][0]["finish_reason"].is_null()) finish = chunk["choices"][0]["finish_reason"];
  }
  EXPECT_EQ(text, "Hello");
  EXPECT_EQ(finish, "stop");
  EXPECT_EQ(usage_chunks, 1);
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].target, "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");

  auto rows = persistence_.WaitForRequestLogs(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].stream());
  EXPECT_EQ(rows[0].operation(), "chat.completions");
}

TEST_F(OpenAIRoutesTest, StreamRetriesOnAnotherKeyBeforeTheFirstChunk) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(429, kQuotaBody));
  upstream_.Script(Sse({"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"ok\"}]},"
                        "\"finishReason\":\"STOP\"}]}\r\n\r\n"}));
  auto res = client->Post("/v1/chat/completions", Bearer(),
                          R"({"model":"gemini-2.5-flash","stream":true,"messages":[{"role":"user","content":"hi"}]})",
                          "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->body, HasSubstr("\"ok\""));
  EXPECT_EQ(Events(res->body).back(), "[DONE]");
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].headers.find("x-goog-api-key")->second, PoolKey('a'));
  EXPECT_EQ(received[1].headers.find("x-goog-api-key")->second, PoolKey('b'));
}

TEST_F(OpenAIRoutesTest, RateLimitOnEveryKeyIs429WithRetryAfterAndNoKey) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  const std::string quoting_key = std::string(R"({"error":{"code":429,"message":"quota exceeded for )") +
                                  PoolKey('c') + R"(","status":"RESOURCE_EXHAUSTED","details":[{"@type":)"
                                  R"("type.googleapis.com/google.rpc.RetryInfo","retryDelay":"19s"}]}})";
  for (int round = 0; round < 2; ++round) {
    upstream_.Script(Reply(429, kQuotaBody));
    upstream_.Script(Reply(429, kQuotaBody));
    upstream_.Script(Reply(429, quoting_key));
  }
  auto plain = client->Post("/v1/chat/completions", Bearer(), kChatBody, "application/json");
  auto stream = client->Post("/v1/chat/completions", Bearer(),
                             R"({"model":"gemini-2.5-flash","stream":true,"messages":[{"role":"user","content":"hi"}]})",
                             "application/json");
  for (const auto* res : {&plain, &stream}) {
    ASSERT_TRUE(*res);
    EXPECT_EQ((*res)->status, 429) << (*res)->body;
    EXPECT_EQ((*res)->get_header_value("Retry-After"), "19");
    EXPECT_THAT((*res)->get_header_value("Content-Type"), StartsWith("application/json"));
    json body = json::parse((*res)->body);
    EXPECT_EQ(body["error"]["type"], "rate_limit_error");
    EXPECT_THAT(body["error"]["message"].get<std::string>(), HasSubstr("quota exceeded"));
    EXPECT_THAT((*res)->body, Not(HasSubstr(PoolKey('c'))));
  }
  EXPECT_EQ(upstream_.received().size(), 6u);
}

TEST_F(OpenAIRoutesTest, ModelListIsOpenAIShapedForBearerAndCached) {
  config_.openai.thinking_models = {"gemini-2.5-flash"};
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  const std::string page1 =
      R"({"models":[{"name":"models/gemini-2.5-flash"},{"name":"models/gemini-pro-vision"}],"nextPageToken":"p/2="})";
  const std::string page2 = R"({"models":[{"name":"models/gemini-2.5-pro"}]})";
  upstream_.Script(Reply(200, page1));
  upstream_.Script(Reply(200, page2));
  auto first = client->Get("/v1/models", Bearer());
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  json list = json::parse(first->body);
  EXPECT_EQ(list["object"], "list");
  std::vector<std::string> ids;
  for (const json& m : list["data"]) {
    ids.push_back(m["id"]);
    EXPECT_EQ(m["object"], "model");
  }
  EXPECT_THAT(ids, ::testing::IsSupersetOf({"gemini-2.5-flash", "gemini-2.5-flash-search",
                                             "gemini-2.5-flash-non-thinking", "gemini-2.5-pro",
                                             "gemini-2.5-pro-search"}));
  EXPECT_THAT(ids, Not(::testing::Contains("gemini-pro-vision")));  // FILTERED_MODELS

  // Cached: the next calls (any prefix, and a single model) do not go upstream.
  auto hf = client->Get("/hf/v1/models", Bearer());
  auto one = client->Get("/v1/models/models%2Fgemini-2.5-pro", Bearer());
  auto google = client->Get("/v1beta/openai/models/gemini-2.5-flash-search", Bearer());
  auto unknown = client->Get("/v1/models/gemini-9", Bearer());
  ASSERT_TRUE(hf && one && google && unknown);
  EXPECT_EQ(hf->status, 200);
  EXPECT_EQ(json::parse(one->body)["id"], "gemini-2.5-pro");
  EXPECT_EQ(json::parse(google->body)["id"], "gemini-2.5-flash-search");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(json::parse(unknown->body)["error"]["code"], "model_not_found");
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].target, "/v1beta/models?pageSize=1000");
  EXPECT_EQ(received[1].target, "/v1beta/models?pageSize=1000&pageToken=p%2F2%3D");

  // Stale after a minute: fetched again.
  clock_.AdvanceMs(61'000);
  upstream_.Script(Reply(200, page2));
  auto later = client->Get("/v1/models", Bearer());
  ASSERT_TRUE(later);
  EXPECT_EQ(later->status, 200);
  EXPECT_EQ(upstream_.received().size(), 3u);
}

TEST_F(OpenAIRoutesTest, GeminiClientsStillGetTheNativeV1ModelList) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  const std::string native = R"({"models":[{"name":"models/gemini-2.5-flash"}]})";
  upstream_.Script(Reply(200, native));
  upstream_.Script(Reply(200, R"({"name":"models/gemini-2.5-flash"})"));
  auto list = client->Get("/v1/models?pageSize=2", {{"x-goog-api-key", kClientToken}});
  auto one = client->Get(std::string("/v1/models/gemini-2.5-flash?key=") + kClientToken);
  ASSERT_TRUE(list && one);
  EXPECT_EQ(list->status, 200);
  // Google's shape, not OpenAI's, with the derived models of SEARCH_MODELS'
  // defaults added (issue 14: the native API honours the model options).
  EXPECT_EQ(list->body,
            R"({"models":[{"name":"models/gemini-2.5-flash"},)"
            R"({"displayName":"gemini-2.5-flash-search","name":"models/gemini-2.5-flash-search"}]})");
  EXPECT_EQ(one->status, 200);
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].target, "/v1/models?pageSize=2");
  EXPECT_EQ(received[1].target, "/v1/models/gemini-2.5-flash");
}

TEST_F(OpenAIRoutesTest, EmbeddingsAnswerBase64OrFloats) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  const std::string answer = R"({"embeddings":[{"values":[0.5,-1.0]},{"values":[0.25,2.0]}]})";
  upstream_.Script(Reply(200, answer));
  upstream_.Script(Reply(200, answer));
  auto b64 = client->Post("/v1/embeddings", Bearer(),
                          R"({"model":"gemini-embedding-001","input":["a","b"],"encoding_format":"base64"})",
                          "application/json");
  auto floats = client->Post("/hf/v1/embeddings", Bearer(), R"({"model":"gemini-embedding-001","input":["a","b"]})",
                             "application/json");
  ASSERT_TRUE(b64 && floats);
  ASSERT_EQ(b64->status, 200) << b64->body;
  ASSERT_EQ(floats->status, 200) << floats->body;
  json encoded = json::parse(b64->body);
  EXPECT_EQ(encoded["data"][0]["embedding"], openai::EncodeFloat32Base64({0.5f, -1.0f}));
  EXPECT_EQ(encoded["data"][1]["index"], 1);
  json plain = json::parse(floats->body);
  EXPECT_EQ(plain["data"][1]["embedding"], json::array({0.25, 2.0}));
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].target, "/v1beta/models/gemini-embedding-001:batchEmbedContents");
  json sent = json::parse(received[0].body);
  EXPECT_EQ(sent["requests"][0]["model"], "models/gemini-embedding-001");
  EXPECT_EQ(sent["requests"][1]["content"]["parts"][0]["text"], "b");
}

TEST_F(OpenAIRoutesTest, ImagesGoToImagenPredict) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(200, R"({"predictions":[{"bytesBase64Encoded":"iVBORw0KGgo=","mimeType":"image/png"}]})"));
  auto res = client->Post("/v1/images/generations", Bearer(), R"({"prompt":"a red fox","n":1,"size":"1792x1024"})",
                          "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json body = json::parse(res->body);
  EXPECT_EQ(body["data"][0]["b64_json"], "iVBORw0KGgo=");
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].target, "/v1beta/models/imagen-3.0-generate-002:predict");
  json sent = json::parse(received[0].body);
  EXPECT_EQ(sent["instances"][0]["prompt"], "a red fox");
  EXPECT_EQ(sent["parameters"]["aspectRatio"], "16:9");
  ASSERT_FALSE(broker_.acquires().empty());
  EXPECT_EQ(broker_.acquires()[0].model(), "imagen-3.0-generate-002");
}

TEST_F(OpenAIRoutesTest, SpeechIsAWavFile) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  // 4 samples of 16-bit PCM, base64.
  upstream_.Script(Reply(200, R"({"candidates":[{"content":{"parts":[{"inlineData":)"
                              R"({"mimeType":"audio/L16;codec=pcm;rate=24000","data":"AAABAAIAAwA="}}]},)"
                              R"("finishReason":"STOP"}]})"));
  auto res = client->Post("/v1/audio/speech", Bearer(), R"({"model":"tts-1","input":"Hello","voice":"Kore"})",
                          "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "audio/wav");
  ASSERT_EQ(res->body.size(), 44u + 8u);
  EXPECT_EQ(res->body.substr(0, 4), "RIFF");
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].target, "/v1beta/models/gemini-2.5-flash-preview-tts:generateContent");
  json sent = json::parse(received[0].body);
  EXPECT_EQ(sent["generationConfig"]["speechConfig"]["voiceConfig"]["prebuiltVoiceConfig"]["voiceName"], "Kore");
}

TEST_F(OpenAIRoutesTest, PassthroughForwardsVerbatimWithThePoolKeyAsBearer) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  const std::string request = "{ \"model\" : \"gemini-2.5-flash\", \"messages\":[{\"role\":\"user\",\"content\":"
                              "\"h\\u00e9\"}], \"top_k\": 3 }\n";
  const std::string response = "{\"id\":\"x\",\"object\":\"chat.completion\",  \"choices\":[]}\n";
  upstream_.Script(Reply(200, response));
  auto res = client->Post("/openai/v1/chat/completions?alpha=1", Bearer(), request, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, response);
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].target, "/v1beta/openai/chat/completions?alpha=1");
  EXPECT_EQ(received[0].body, request);
  ASSERT_EQ(received[0].headers.count("Authorization"), 1u);
  EXPECT_EQ(received[0].headers.find("Authorization")->second, "Bearer " + PoolKey('a'));
  EXPECT_EQ(received[0].headers.count("x-goog-api-key"), 0u);
  ASSERT_FALSE(broker_.acquires().empty());
  EXPECT_EQ(broker_.acquires()[0].model(), "gemini-2.5-flash");
  auto rows = persistence_.WaitForRequestLogs(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].operation(), "openai.chat.completions");
}

TEST_F(OpenAIRoutesTest, PassthroughStreamsAndNormalisesErrors) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  FakeUpstream::Scripted stream = Sse({"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n", "data: [DONE]\n\n"});
  upstream_.Script(stream);
  auto streamed = client->Post("/openai/v1/chat/completions", Bearer(),
                               R"({"model":"gemini-2.5-flash","stream":true,"messages":[]})", "application/json");
  ASSERT_TRUE(streamed);
  EXPECT_EQ(streamed->status, 200);
  EXPECT_EQ(streamed->body, stream.chunks[0] + stream.chunks[1]);
  EXPECT_THAT(streamed->get_header_value("Content-Type"), StartsWith("text/event-stream"));

  upstream_.Script(Reply(400, R"([{"error":{"code":400,"message":"Invalid JSON payload received.","status":"INVALID_ARGUMENT"}}])"));
  auto bad = client->Post("/openai/v1/chat/completions", Bearer(), R"({"model":"gemini-2.5-flash"})",
                          "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  json body = json::parse(bad->body);
  ASSERT_TRUE(body.is_object()) << bad->body;
  EXPECT_EQ(body["error"]["message"], "Invalid JSON payload received.");
  EXPECT_EQ(body["error"]["type"], "invalid_request_error");

  upstream_.Script(Reply(200, R"({"object":"list","data":[]})"));
  auto models = client->Get("/openai/v1/models", Bearer());
  ASSERT_TRUE(models);
  EXPECT_EQ(models->status, 200);
  EXPECT_EQ(upstream_.received().back().target, "/v1beta/openai/models");
  EXPECT_EQ(upstream_.received().back().method, "GET");

  auto dots = client->Get("/openai/v1/../../v1beta/models", Bearer());
  ASSERT_TRUE(dots);
  EXPECT_NE(dots->status, 200);
}

TEST_F(OpenAIRoutesTest, UnknownOpenAIPathsAreOpenAIShaped404) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  auto res = client->Post("/hf/v1/completions", Bearer(), "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  json body = json::parse(res->body);
  EXPECT_EQ(body["error"]["type"], "invalid_request_error");
  EXPECT_THAT(body["error"]["message"].get<std::string>(), HasSubstr("/chat/completions"));
}

TEST_F(OpenAIRoutesTest, ImageUrlsAreRefusedOnPrivateAddresses) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  auto res = client->Post(
      "/v1/chat/completions", Bearer(),
      R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":[{"type":"text","text":"what is it?"},)"
      R"({"type":"image_url","image_url":{"url":"http://127.0.0.1:9/cat.png"}}]}]})",
      "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  json body = json::parse(res->body);
  EXPECT_EQ(body["error"]["param"], "messages[0].content[1].image_url.url");
  EXPECT_THAT(body["error"]["message"].get<std::string>(), HasSubstr("public addresses"));
  EXPECT_TRUE(upstream_.received().empty());
}

TEST_F(OpenAIRoutesTest, ImageUrlsAreFetchedAndInlinedWhenAllowed) {
  config_.openai.media_fetch_allow_private = true;
  httplib::Server images;
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "pixels";
  images.Get("/cat.png", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(png, "application/octet-stream");
  });
  const int image_port = images.bind_to_any_port("127.0.0.1");
  std::thread image_thread;
  ASSERT_TRUE(gempool::testing::StartListening(images, &image_thread));

  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(200, kGeminiAnswer));
  auto res = client->Post(
      "/v1/chat/completions", Bearer(),
      std::string(R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":[)"
                  R"({"type":"image_url","image_url":{"url":"http://127.0.0.1:)") +
          std::to_string(image_port) + R"(/cat.png"}}]}]})",
      "application/json");
  images.stop();
  image_thread.join();
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 1u);
  json sent = json::parse(received[0].body);
  const json& inline_data = sent["contents"][0]["parts"][0]["inlineData"];
  EXPECT_EQ(inline_data["mimeType"], "image/png");  // sniffed from the bytes
  EXPECT_EQ(inline_data["data"], "iVBORw0KGgpwaXhlbHM=");
}

TEST_F(OpenAIRoutesTest, BadOpenAISettingsStopTheGateway) {
  config_.openai.tts_voice_name = "Alloy";
  auto gateway = Gateway::Create(config_, clock_);
  EXPECT_FALSE(gateway.ok());
  EXPECT_THAT(std::string(gateway.status().message()), HasSubstr("TTS_VOICE_NAME"));
}

}  // namespace
}  // namespace gempool::gateway
