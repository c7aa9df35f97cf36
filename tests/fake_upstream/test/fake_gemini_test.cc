// Runs the fake in-process on a loopback port and talks HTTP to it.
#include "fake_upstream/fake_gemini.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_split.h"
#include "fake_upstream/responses.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "gempool/testing/httplib_server.h"

namespace gempool::fake {
namespace {

using json = nlohmann::json;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kGenerate[] = "/v1beta/models/gemini-2.5-flash:generateContent";
constexpr char kStream[] = "/v1beta/models/gemini-2.5-flash:streamGenerateContent";
constexpr char kBody[] = R"({"contents":[{"role":"user","parts":[{"text":"hello there"}]}]})";

class FakeGeminiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = std::make_unique<FakeGemini>(FakeGeminiOptions{{"good1", "good2"}, 100});
    fake_->Register(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    ASSERT_TRUE(gempool::testing::StartListening(server_, &thread_));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(10, 0);
  }
  void TearDown() override {
    fake_->Shutdown();
    server_.stop();
    thread_.join();
  }

  httplib::Result Generate(const std::string& key, const std::string& path = kGenerate) {
    return client_->Post(path.c_str(), {{"x-goog-api-key", key}}, kBody, "application/json");
  }
  void Script(const json& script) {
    auto r = client_->Post("/_fake/script", script.dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  json Requests() {
    auto r = client_->Get("/_fake/requests");
    EXPECT_TRUE(r);
    return json::parse(r->body)["requests"];
  }

  httplib::Server server_;
  std::unique_ptr<FakeGemini> fake_;
  std::unique_ptr<httplib::Client> client_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(FakeGeminiTest, GenerateContentAnswersLikeGoogle) {
  auto r = Generate("good1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->get_header_value("Content-Type"), HasSubstr("application/json"));
  json body = json::parse(r->body);
  EXPECT_EQ(body["candidates"][0]["content"]["role"], "model");
  EXPECT_THAT(body["candidates"][0]["content"]["parts"][0]["text"].get<std::string>(), HasSubstr("hello there"));
  EXPECT_EQ(body["candidates"][0]["finishReason"], "STOP");
  EXPECT_EQ(body["modelVersion"], "gemini-2.5-flash");
  EXPECT_FALSE(body["responseId"].get<std::string>().empty());
  EXPECT_GT(body["usageMetadata"]["totalTokenCount"].get<int>(), 0);
}

TEST_F(FakeGeminiTest, RejectsUnknownAndMissingKeys) {
  auto bad = Generate("nope");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  json error = json::parse(bad->body)["error"];
  EXPECT_EQ(error["status"], "INVALID_ARGUMENT");
  EXPECT_EQ(error["details"][0]["reason"], "API_KEY_INVALID");

  auto missing = client_->Post(kGenerate, kBody, "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 403);

  auto by_query = client_->Post(std::string(kGenerate) + "?key=good2", kBody, "application/json");
  ASSERT_TRUE(by_query);
  EXPECT_EQ(by_query->status, 200);
  json requests = Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0]["key"], "nope");
  EXPECT_EQ(requests[0]["keySource"], "header");
  EXPECT_EQ(requests[0]["status"], 400);
  EXPECT_EQ(requests[1]["key"], "");
  EXPECT_EQ(requests[2]["keySource"], "query");
  EXPECT_EQ(requests[2]["query"], "key=good2");
  EXPECT_EQ(requests[2]["body"], kBody);
  EXPECT_EQ(requests[2]["model"], "gemini-2.5-flash");
  EXPECT_EQ(requests[2]["operation"], "generateContent");
}

TEST_F(FakeGeminiTest, VertexRoutesTakeVertexKeysOnlyAndAreRecordedWithTheirPath) {
  // No vertex_keys given: any key shaped like a Vertex AI Express key.
  const std::string vertex_key = "AQ.Ab8RN6" + std::string(40, 'v');
  const std::string path = "/v1beta1/publishers/google/models/gemini-2.5-flash:generateContent";
  auto ok = Generate(vertex_key, path);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(json::parse(ok->body)["candidates"][0]["finishReason"], "STOP");
  // A Gemini API key (even a valid one) and a too-short key: Google's 400.
  for (const std::string& key : {std::string("good1"), std::string("AQ.short")}) {
    auto bad = Generate(key, path);
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400) << key;
    EXPECT_EQ(json::parse(bad->body)["error"]["details"][0]["reason"], "API_KEY_INVALID") << key;
  }
  // And a Vertex key is no Gemini API key.
  auto gemini = Generate(vertex_key);
  ASSERT_TRUE(gemini);
  EXPECT_EQ(gemini->status, 400);
  json requests = Requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0]["path"], path);
  EXPECT_EQ(requests[0]["operation"], "generateContent");
  EXPECT_EQ(requests[0]["model"], "gemini-2.5-flash");
}

TEST_F(FakeGeminiTest, VertexKeysListedAreTheOnlyOnesAccepted) {
  FakeGemini fake(FakeGeminiOptions{{}, 100, {"AQ.listed-vertex-key"}});
  httplib::Server server;
  fake.Register(server);
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread thread;
  ASSERT_TRUE(gempool::testing::StartListening(server, &thread));
  httplib::Client client("127.0.0.1", port);
  const std::string path = "/v1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse";
  auto listed = client.Post(path.c_str(), {{"x-goog-api-key", "AQ.listed-vertex-key"}}, kBody, "application/json");
  auto other = client.Post(path.c_str(), {{"x-goog-api-key", "AQ.Ab8RN6" + std::string(40, 'v')}}, kBody,
                           "application/json");
  fake.Shutdown();
  server.stop();
  thread.join();
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200) << listed->body;
  EXPECT_THAT(listed->body, StartsWith("data: {"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 400) << other->body;
}

TEST_F(FakeGeminiTest, Scripted429CarriesRetryInfoAndQuotaFailureThenRecovers) {
  Script(
      {{"key", "good1"},
       {"responses",
        {{{"status", 429}, {"retryDelay", "30s"}, {"quotaId", "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}}}}});
  auto r = Generate("good1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  json error = json::parse(r->body)["error"];
  EXPECT_EQ(error["status"], "RESOURCE_EXHAUSTED");
  bool retry_info = false, quota = false;
  for (const json& d : error["details"]) {
    if (d["@type"] == "type.googleapis.com/google.rpc.RetryInfo") retry_info = d["retryDelay"] == "30s";
    if (d["@type"] == "type.googleapis.com/google.rpc.QuotaFailure") {
      quota = d["violations"][0]["quotaId"] == "GenerateRequestsPerDayPerProjectPerModel-FreeTier";
    }
  }
  EXPECT_TRUE(retry_info);
  EXPECT_TRUE(quota);
  EXPECT_EQ(Generate("good2")->status, 200);  // other keys unaffected
  EXPECT_EQ(Generate("good1")->status, 200);  // queue drained
}

TEST_F(FakeGeminiTest, PerModelScript) {
  Script({{"key", "good1"}, {"model", "gemini-2.5-pro"}, {"repeat", true}, {"responses", {{{"status", 429}}}}});
  EXPECT_EQ(Generate("good1", "/v1beta/models/gemini-2.5-pro:generateContent")->status, 429);
  EXPECT_EQ(Generate("good1", "/v1beta/models/gemini-2.5-pro:generateContent")->status, 429);
  EXPECT_EQ(Generate("good1")->status, 200);
}

TEST_F(FakeGeminiTest, SuspendedMessageQuotesTheKeyAndLeakedSaysLeaked) {
  Script({{"key", "good1"}, {"responses", {{{"status", 403}}, {{"status", 403}, {"leaked", true}}}}});
  auto suspended = Generate("good1");
  EXPECT_EQ(suspended->status, 403);
  EXPECT_THAT(suspended->body, HasSubstr("api_key:good1"));
  EXPECT_THAT(suspended->body, HasSubstr("CONSUMER_SUSPENDED"));
  auto leaked = Generate("good1");
  EXPECT_EQ(leaked->status, 403);
  EXPECT_THAT(leaked->body, HasSubstr("reported as leaked"));
}

TEST_F(FakeGeminiTest, SseFramingIsCrlfDataEvents) {
  auto r = client_->Post(std::string(kStream) + "?alt=sse", {{"x-goog-api-key", "good1"}}, kBody, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  EXPECT_THAT(r->body, EndsWith("\r\n\r\n"));
  std::vector<std::string> events = absl::StrSplit(r->body, "\r\n\r\n", absl::SkipEmpty());
  ASSERT_EQ(events.size(), 3u);
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_THAT(events[i], StartsWith("data: {"));
    EXPECT_EQ(events[i].find('\n'), std::string::npos);
    json chunk = json::parse(events[i].substr(6));
    EXPECT_EQ(chunk["candidates"][0]["content"]["parts"][0]["text"], "chunk " + std::to_string(i + 1) + " of 3. ");
  }
  EXPECT_EQ(json::parse(events[2].substr(6))["candidates"][0]["finishReason"], "STOP");
}

TEST_F(FakeGeminiTest, ScriptedUsageIsAnsweredWholeAndAsRunningTotals) {
  const json usage = {{"promptTokenCount", 10},       {"candidatesTokenCount", 30},   {"thoughtsTokenCount", 6},
                      {"cachedContentTokenCount", 4}, {"toolUsePromptTokenCount", 2}};
  Script({{"key", "good1"}, {"repeat", true}, {"responses", {{{"usage", usage}, {"chunks", 3}}}}});
  auto whole = Generate("good1");
  ASSERT_TRUE(whole);
  const json metadata = json::parse(whole->body)["usageMetadata"];
  EXPECT_EQ(metadata["promptTokenCount"], 10);
  EXPECT_EQ(metadata["candidatesTokenCount"], 30);
  EXPECT_EQ(metadata["thoughtsTokenCount"], 6);
  EXPECT_EQ(metadata["cachedContentTokenCount"], 4);
  EXPECT_EQ(metadata["toolUsePromptTokenCount"], 2);
  EXPECT_EQ(metadata["totalTokenCount"], 48);

  auto r = client_->Post(std::string(kStream) + "?alt=sse", {{"x-goog-api-key", "good1"}}, kBody, "application/json");
  ASSERT_TRUE(r);
  std::vector<std::string> events = absl::StrSplit(r->body, "\r\n\r\n", absl::SkipEmpty());
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(json::parse(events[0].substr(6))["usageMetadata"]["candidatesTokenCount"], 10);
  const json last = json::parse(events[2].substr(6))["usageMetadata"];
  EXPECT_EQ(last["candidatesTokenCount"], 30);
  EXPECT_EQ(last["thoughtsTokenCount"], 6);
  EXPECT_EQ(last["totalTokenCount"], 48);

  auto bad = client_->Post("/_fake/script", json({{"responses", {{{"usage", {{"prompt", 1}}}}}}}).dump(),
                           "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("usage.prompt"));
}

TEST_F(FakeGeminiTest, JsonArrayFramingMatchesGoogle) {
  Script({{"key", "good1"}, {"responses", {{{"kind", "stream"}, {"chunks", 4}}}}});
  auto r = client_->Post(kStream, {{"x-goog-api-key", "good1"}}, kBody, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, StartsWith("[{\n"));
  EXPECT_THAT(r->body, HasSubstr("}\n,\r\n{\n"));
  EXPECT_THAT(r->body, EndsWith("}\n]"));
  json array = json::parse(r->body);
  ASSERT_TRUE(array.is_array());
  EXPECT_EQ(array.size(), 4u);
}

TEST_F(FakeGeminiTest, BrokenStreamClosesMidBody) {
  Script({{"key", "good1"}, {"responses", {{{"kind", "broken_stream"}, {"afterChunks", 2}}}}});
  std::string received;
  httplib::Request req;
  req.method = "POST";
  req.path = std::string(kStream) + "?alt=sse";
  req.headers = {{"x-goog-api-key", "good1"}, {"Content-Type", "application/json"}};
  req.body = kBody;
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    received.append(data, n);
    return true;
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  const bool ok = client_->send(req, res, error);
  EXPECT_FALSE(ok);  // the chunked body never finished
  EXPECT_THAT(received, HasSubstr("chunk 2 of 5"));
  EXPECT_THAT(received, Not(HasSubstr("chunk 3 of 5")));
}

TEST_F(FakeGeminiTest, BrokenStreamWithResetEndsInATcpReset) {
  Script({{"key", "good1"}, {"responses", {{{"kind", "broken_stream"}, {"afterChunks", 2}, {"reset", true}}}}});
  // A raw socket: only recv() tells a reset (ECONNRESET) from a close (0).
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const std::string request = std::string("POST ") + kStream +
                              "?alt=sse HTTP/1.1\r\nHost: x\r\nx-goog-api-key: good1\r\n"
                              "Content-Type: application/json\r\nContent-Length: " +
                              std::to_string(std::strlen(kBody)) + "\r\n\r\n" + kBody;
  ASSERT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::string received;
  int error = 0;
  for (;;) {
    char buffer[4096];
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n > 0) {
      received.append(buffer, static_cast<size_t>(n));
      continue;
    }
    error = n < 0 ? errno : 0;
    break;
  }
  close(fd);
  EXPECT_THAT(received, HasSubstr("chunk 2 of 5"));
  EXPECT_THAT(received, Not(HasSubstr("chunk 3 of 5")));
  EXPECT_EQ(error, ECONNRESET) << "the connection ended with an orderly close, not a reset";
}

TEST_F(FakeGeminiTest, StreamErrorEventAfterChunks) {
  Script({{"key", "good1"}, {"responses", {{{"kind", "stream_error"}, {"afterChunks", 1}, {"status", 503}}}}});
  auto r = client_->Post(std::string(kStream) + "?alt=sse", {{"x-goog-api-key", "good1"}}, kBody, "application/json");
  ASSERT_TRUE(r);
  std::vector<std::string> events = absl::StrSplit(r->body, "\r\n\r\n", absl::SkipEmpty());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(json::parse(events[1].substr(6))["error"]["code"], 503);
}

TEST_F(FakeGeminiTest, ListModelsPaginatesAndOmitsLastToken) {
  std::string token;
  size_t total = 0;
  for (int page = 0; page < 10; ++page) {
    std::string path = "/v1beta/models?pageSize=2";
    if (!token.empty()) path += "&pageToken=" + token;
    auto r = client_->Get(path.c_str(), {{"x-goog-api-key", "good1"}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    json body = json::parse(r->body);
    total += body["models"].size();
    if (!body.contains("nextPageToken")) break;
    token = body["nextPageToken"];
    ASSERT_FALSE(token.empty());
  }
  EXPECT_EQ(total, ModelCatalog().size());
  auto one = client_->Get("/v1/models/gemini-2.5-pro", {{"x-goog-api-key", "good1"}});
  EXPECT_EQ(json::parse(one->body)["name"], "models/gemini-2.5-pro");
  EXPECT_EQ(client_->Get("/v1/models/no-such-model", {{"x-goog-api-key", "good1"}})->status, 404);
}

TEST_F(FakeGeminiTest, EmbeddingsAreDeterministic) {
  const std::string body =
      R"({"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"a"}]},"outputDimensionality":4},)"
      R"({"model":"models/gemini-embedding-001","content":{"parts":[{"text":"b"}]},"outputDimensionality":4}]})";
  const std::string path = "/v1beta/models/gemini-embedding-001:batchEmbedContents";
  auto first = client_->Post(path.c_str(), {{"x-goog-api-key", "good1"}}, body, "application/json");
  auto second = client_->Post(path.c_str(), {{"x-goog-api-key", "good1"}}, body, "application/json");
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(first->body, second->body);
  json embeddings = json::parse(first->body)["embeddings"];
  ASSERT_EQ(embeddings.size(), 2u);
  EXPECT_EQ(embeddings[0]["values"].size(), 4u);
  EXPECT_NE(embeddings[0]["values"], embeddings[1]["values"]);
}

TEST_F(FakeGeminiTest, HangIsReleasedByReset) {
  Script({{"key", "good1"}, {"responses", {{{"kind", "hang"}}}}});
  std::thread releaser([this] {
    httplib::Client admin("127.0.0.1", port_);
    // Wait until the hanging request is recorded, then reset.
    for (int i = 0; i < 500; ++i) {
      auto r = admin.Get("/_fake/requests");
      if (r && json::parse(r->body)["requests"].size() == 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    admin.Post("/_fake/reset", "", "application/json");
  });
  auto r = Generate("good1");
  releaser.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
}

TEST_F(FakeGeminiTest, AdminRejectsBadScripts) {
  auto r = client_->Post("/_fake/script", R"({"key":"good1","responses":[{"stauts":429}]})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("stauts"));
  EXPECT_EQ(client_->Post("/_fake/script", "not json", "application/json")->status, 400);
}

TEST_F(FakeGeminiTest, KeysCanBeChangedAtRunTime) {
  EXPECT_EQ(Generate("fresh")->status, 400);
  ASSERT_EQ(client_->Post("/_fake/keys", R"({"keys":["fresh"]})", "application/json")->status, 200);
  EXPECT_EQ(Generate("fresh")->status, 200);
  EXPECT_EQ(Generate("good1")->status, 400);
}

}  // namespace
}  // namespace gempool::fake
