// The real gateway in-process on port 0, against a fake key broker and a fake
// persistence service (real gRPC on loopback) and a fake Gemini upstream
// (real HTTP on loopback).

#include "gateway.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fake_services.h"
#include "fake_upstream.h"
#include "gateway_fixture.h"
#include "gempool/common/secrets.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/subprocess.h"

namespace gempool::gateway {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::FakeKeyBroker;
using testing::FakePersistence;
using testing::FakeUpstream;

constexpr char kClientToken[] = "sk-client-token-1";

using testing::PoolKey;

constexpr char kApiKeyInvalidBody[] = R"({
  "error": {
    "code": 400,
    "message": "API key not valid. Please pass a valid API key.",
    "status": "INVALID_ARGUMENT",
    "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                 "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}]
  }
}
)";

constexpr char kQuotaBody[] = R"({
  "error": {
    "code": 429,
    "message": "You exceeded your current quota. Please retry in 19.424395716s.",
    "status": "RESOURCE_EXHAUSTED",
    "details": [
      {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
       "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                       "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
      {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "19s"}
    ]
  }
}
)";

constexpr char kOverloadedBody[] =
    R"({"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}})";

constexpr char kOkBody[] =
    R"({"candidates": [{"content": {"role": "model", "parts": [{"text": "hi"}]}, "finishReason": "STOP"}]})";

class GatewayTest : public testing::GatewayFixture {
 protected:
  GatewayTest() : GatewayFixture(kClientToken) {}

  static httplib::Headers Auth() { return {{"x-goog-api-key", kClientToken}}; }
};

TEST_F(GatewayTest, SwapsClientTokenForPoolKey) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(200, kOkBody));
  auto res = client->Post("/v1beta/models/gemini-2.5-flash:generateContent", Auth(), "{}",
                          "application/json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, kOkBody);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=UTF-8");

  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].method, "POST");
  EXPECT_EQ(received[0].target, "/v1beta/models/gemini-2.5-flash:generateContent");
  EXPECT_EQ(received[0].headers.count("x-goog-api-key"), 1u);
  EXPECT_EQ(received[0].headers.find("x-goog-api-key")->second, PoolKey('a'));
  EXPECT_EQ(received[0].headers.count("Authorization"), 0u);
  for (const auto& [name, value] : received[0].headers) {
    EXPECT_THAT(value, Not(HasSubstr(kClientToken))) << name;
  }
}

TEST_F(GatewayTest, AcceptsAllThreeTokenFormsAndNeverForwardsTheToken) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 3; ++i) upstream_.Script(Reply(200, kOkBody));
  auto by_header = client->Post("/v1beta/models/g:countTokens", Auth(), "{}", "application/json");
  auto by_query = client->Post(std::string("/v1beta/models/g:countTokens?key=") + kClientToken +
                                   "&alt=json",
                               "{}", "application/json");
  auto by_bearer = client->Post("/v1beta/models/g:countTokens",
                                {{"Authorization", std::string("Bearer ") + kClientToken}}, "{}",
                                "application/json");
  for (const auto* res : {&by_header, &by_query, &by_bearer}) {
    ASSERT_TRUE(*res);
    EXPECT_EQ((*res)->status, 200);
  }
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[1].target, "/v1beta/models/g:countTokens?alt=json");
  for (const auto& r : received) {
    EXPECT_THAT(r.target, Not(HasSubstr(kClientToken)));
    EXPECT_EQ(r.headers.count("Authorization"), 0u);
    EXPECT_EQ(r.headers.count("x-goog-api-key"), 1u);
    for (const auto& [name, value] : r.headers) EXPECT_THAT(value, Not(HasSubstr(kClientToken)));
  }
}

TEST_F(GatewayTest, WrongOrMissingTokenIs401WithGeminiBody) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  auto missing = client->Post("/v1beta/models/g:generateContent", "{}", "application/json");
  auto wrong = client->Post("/v1beta/models/g:generateContent", {{"x-goog-api-key", "nope"}}, "{}",
                            "application/json");
  auto wrong_query = client->Get("/v1beta/models?key=nope");
  for (const auto* res : {&missing, &wrong, &wrong_query}) {
    ASSERT_TRUE(*res);
    EXPECT_EQ((*res)->status, 401);
    auto body = nlohmann::json::parse((*res)->body);
    EXPECT_EQ(body["error"]["code"], 401);
    EXPECT_EQ(body["error"]["status"], "UNAUTHENTICATED");
    EXPECT_THAT(body["error"]["message"].get<std::string>(),
                AllOf(HasSubstr("x-goog-api-key"), HasSubstr("?key="), HasSubstr("Bearer")));
  }
  EXPECT_TRUE(upstream_.received().empty());
}

struct RetryCase {
  const char* name;
  int status;
  const char* body;
  v1::OutcomeKind kind;
};

void PrintTo(const RetryCase& c, std::ostream* os) { *os << c.name; }

class GatewayRetryTest : public GatewayTest, public ::testing::WithParamInterface<RetryCase> {};

TEST_P(GatewayRetryTest, RetriesOnAnotherKey) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(GetParam().status, GetParam().body));
  upstream_.Script(Reply(200, kOkBody));
  auto res = client->Post("/v1beta/models/gemini-2.5-flash:generateContent", Auth(), "{}",
                          "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, kOkBody);

  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].headers.find("x-goog-api-key")->second, PoolKey('a'));
  EXPECT_EQ(received[1].headers.find("x-goog-api-key")->second, PoolKey('b'));
  auto acquires = broker_.acquires();
  ASSERT_EQ(acquires.size(), 2u);
  EXPECT_EQ(acquires[0].model(), "gemini-2.5-flash");
  ASSERT_EQ(acquires[1].exclude_key_ids_size(), 1);
  EXPECT_EQ(acquires[1].exclude_key_ids(0), 1);

  auto reports = broker_.WaitForReports(2);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].key_id(), 1);
  EXPECT_EQ(reports[0].kind(), GetParam().kind);
  EXPECT_EQ(reports[0].http_status(), GetParam().status);
  EXPECT_EQ(reports[0].model(), "gemini-2.5-flash");
  EXPECT_EQ(reports[1].key_id(), 2);
  EXPECT_EQ(reports[1].kind(), v1::OUTCOME_KIND_SUCCESS);

  auto errors = persistence_.WaitForErrorLogs(1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key_id(), 1);
  EXPECT_EQ(errors[0].status_code(), GetParam().status);
  EXPECT_EQ(errors[0].operation(), "generateContent");
}

INSTANTIATE_TEST_SUITE_P(
    AfterUpstreamFailures, GatewayRetryTest,
    ::testing::Values(RetryCase{"RateLimited", 429, kQuotaBody, v1::OUTCOME_KIND_RATE_LIMITED},
                      RetryCase{"ApiKeyInvalid", 400, kApiKeyInvalidBody, v1::OUTCOME_KIND_KEY_INVALID},
                      RetryCase{"Overloaded", 503, kOverloadedBody, v1::OUTCOME_KIND_SERVER_ERROR}),
    [](const ::testing::TestParamInfo<RetryCase>& info) { return info.param.name; });

TEST_F(GatewayTest, RateLimitReportCarriesRetryDelayAndQuota) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(429, kQuotaBody));
  upstream_.Script(Reply(200, kOkBody));
  auto res = client->Post("/v1beta/models/m:generateContent", Auth(), "{}", "application/json");
  ASSERT_TRUE(res);
  auto reports = broker_.WaitForReports(1);
  ASSERT_GE(reports.size(), 1u);
  EXPECT_EQ(reports[0].error_reason(), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(reports[0].retry_delay_ms(), 19000);
  EXPECT_EQ(reports[0].quota_id(), "GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
}

TEST_F(GatewayTest, WhenEveryAttemptFailsTheLastUpstreamErrorIsReturned) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  // The last error echoes the key, as Google's 403s do: it must come back masked.
  const std::string last_body = std::string(R"({"error":{"code":429,"message":"quota for )") +
                                PoolKey('c') + R"(","status":"RESOURCE_EXHAUSTED"}})";
  upstream_.Script(Reply(429, kQuotaBody));
  upstream_.Script(Reply(503, kOverloadedBody));
  upstream_.Script(Reply(429, last_body, {{"Retry-After", "17"}}));
  auto res = client->Post("/v1beta/models/m:generateContent", Auth(), "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_EQ(res->get_header_value("Retry-After"), "17");
  EXPECT_EQ(res->body, RedactSecrets(last_body, {PoolKey('c')}));
  EXPECT_THAT(res->body, Not(HasSubstr(PoolKey('c'))));
  EXPECT_EQ(upstream_.received().size(), 3u);
}

TEST_F(GatewayTest, AllKeysUsedUpReturnsLastErrorWithBrokerRetryAfter) {
  config_.max_retries = 5;  // More attempts than keys.
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 3; ++i) upstream_.Script(Reply(429, kQuotaBody));
  auto res = client->Post("/v1beta/models/m:generateContent", Auth(), "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_EQ(res->body, kQuotaBody);
  EXPECT_EQ(upstream_.received().size(), 3u);
}

TEST_F(GatewayTest, ClientErrorIsNotRetried) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  const std::string bad =
      R"({"error":{"code":400,"message":"Invalid JSON payload received. Unknown name \"foo\"","status":"INVALID_ARGUMENT"}})";
  upstream_.Script(Reply(400, bad));
  auto res = client->Post("/v1beta/models/m:generateContent", Auth(), "{\"foo\":1}",
                          "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, bad);
  EXPECT_EQ(upstream_.received().size(), 1u);
  auto reports = broker_.WaitForReports(1);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].kind(), v1::OUTCOME_KIND_CLIENT_ERROR);
}

TEST_F(GatewayTest, BodiesPassVerbatimBothWays) {
  config_.openai.safety_settings.clear();  // Nothing for the model options to add.
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  const std::string request =
      "{ \"contents\" :[{\"role\":\"user\",\"parts\":[{\"text\":\"h\\u00e9\", \"thoughtSignature\":\"c2ln\"}]}],\n"
      "\t\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"ANY\"}}, \"cachedContent\":\"cachedContents/x\","
      " \"futureField\" : {\"nested\": [1, 2.50, null]}   }\n\n";
  const std::string response =
      "{\n  \"candidates\": [ {\"content\":{\"parts\":[{\"text\":\"\\u003cb\\u003e\"}]}} ],\n"
      "  \"unknownFutureField\":   true\n}\n";
  upstream_.Script(Reply(200, response));
  auto res = client->Post("/gemini/v1beta/models/m:generateContent", Auth(), request,
                          "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, response);
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].body, request);
  EXPECT_EQ(received[0].target, "/v1beta/models/m:generateContent");
}

TEST_F(GatewayTest, ClientVersionAndPrefixDecideTheUpstreamPath) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 3; ++i) upstream_.Script(Reply(200, kOkBody));
  EXPECT_EQ(client->Post("/v1/models/m:embedContent", Auth(), "{}", "application/json")->status, 200);
  EXPECT_EQ(client->Post("/gemini/v1beta/models/m%3AbatchEmbedContents", Auth(), "{}",
                         "application/json")->status,
            200);
  EXPECT_EQ(client->Post("/v1alpha/models/imagen-3:predict", Auth(), "{}", "application/json")->status,
            200);
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0].target, "/v1/models/m:embedContent");
  EXPECT_EQ(received[1].target, "/v1beta/models/m:batchEmbedContents");
  EXPECT_EQ(received[2].target, "/v1alpha/models/imagen-3:predict");
}

TEST_F(GatewayTest, ModelListAndGetModelGoUpstreamWithPoolKey) {
  config_.openai.search_models.clear();  // No derived models join the list.
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  const std::string list = R"({"models":[{"name":"models/gemini-2.5-flash"}],"nextPageToken":"n"})";
  upstream_.Script(Reply(200, list));
  upstream_.Script(Reply(200, R"({"name":"models/gemini-2.5-pro"})"));
  auto res = client->Get("/v1beta/models?pageSize=5&pageToken=abc%3D", Auth());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, list);
  auto one = client->Get("/v1beta/models/gemini-2.5-pro", Auth());
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 200);
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].method, "GET");
  EXPECT_EQ(received[0].target, "/v1beta/models?pageSize=5&pageToken=abc%3D");
  EXPECT_EQ(received[0].headers.find("x-goog-api-key")->second, PoolKey('a'));
  EXPECT_EQ(received[1].target, "/v1beta/models/gemini-2.5-pro");
  auto acquires = broker_.acquires();
  ASSERT_EQ(acquires.size(), 2u);
  EXPECT_EQ(acquires[0].model(), "");
  EXPECT_EQ(acquires[1].model(), "");
}

TEST_F(GatewayTest, UnknownRoutesAreGeminiShaped404) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  auto unknown = client->Get("/nothing/here", Auth());
  auto bad_method = client->Post("/v1beta/models/m:bogusMethod", Auth(), "{}", "application/json");
  auto put = client->Put("/v1beta/models/m:generateContent", Auth(), "{}", "application/json");
  for (const auto* res : {&unknown, &bad_method, &put}) {
    ASSERT_TRUE(*res);
    EXPECT_EQ((*res)->status, 404);
    auto body = nlohmann::json::parse((*res)->body);
    EXPECT_EQ(body["error"]["code"], 404);
    EXPECT_EQ(body["error"]["status"], "NOT_FOUND");
  }
  EXPECT_THAT(bad_method->body, HasSubstr("bogusMethod"));
  EXPECT_TRUE(upstream_.received().empty());
}

// Streams a POST, calling `on_chunk` for every piece as it arrives.
struct StreamedResponse {
  bool ok = false;
  int status = 0;
  std::string content_type;
  std::string body;
  std::vector<std::string> chunks;
};

StreamedResponse Stream(httplib::Client& client, const std::string& path, const httplib::Headers& headers,
                        const std::function<void(const std::string&)>& on_chunk) {
  StreamedResponse out;
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.headers = headers;
  req.headers.emplace("Content-Type", "application/json");
  req.body = R"({"contents":[{"parts":[{"text":"hi"}]}]})";
  req.response_handler = [&](const httplib::Response& res) {
    out.status = res.status;
    out.content_type = res.get_header_value("Content-Type");
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    out.chunks.emplace_back(data, n);
    out.body.append(data, n);
    on_chunk(out.chunks.back());
    return true;
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  out.ok = client.send(req, res, error);
  if (out.status == 0) out.status = res.status;
  return out;
}

TEST_F(GatewayTest, SseStreamIsForwardedChunkByChunk) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  FakeUpstream::Scripted sse;
  sse.content_type = "text/event-stream";
  sse.chunks = {"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}]}}]}\r\n\r\n",
                "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"}]},\"finishReason\":\"STOP\"}]}\r\n\r\n"};
  sse.latch_after_first = true;
  upstream_.Script(sse);
  // The upstream sends its second event only once the client has the first.
  auto res = Stream(*client, "/v1beta/models/m:streamGenerateContent?alt=sse", Auth(),
                    [&](const std::string& chunk) {
                      if (chunk.find("Hel") != std::string::npos) upstream_.ReleaseLatch();
                    });
  EXPECT_TRUE(res.ok);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.content_type, "text/event-stream");
  EXPECT_EQ(res.body, sse.chunks[0] + sse.chunks[1]);
  EXPECT_FALSE(upstream_.latch_timed_out()) << "the gateway held the first event back";
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].target, "/v1beta/models/m:streamGenerateContent?alt=sse");

  auto rows = persistence_.WaitForRequestLogs(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].stream());
  EXPECT_EQ(rows[0].operation(), "streamGenerateContent");
  EXPECT_EQ(rows[0].status_code(), 200);
}

TEST_F(GatewayTest, JsonArrayStreamIsForwardedChunkByChunkEvenToGzipClients) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  FakeUpstream::Scripted array;
  array.content_type = "application/json";  // Exactly the type httplib would compress.
  array.chunks = {"[{\n  \"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hel\"}]}}]\n}\n",
                  ",\r\n{\n  \"candidates\": [{\"content\": {\"parts\": [{\"text\": \"lo\"}]}}]\n}\n]"};
  array.latch_after_first = true;
  upstream_.Script(array);
  httplib::Headers headers = Auth();
  headers.emplace("Accept-Encoding", "gzip, deflate, br");
  auto res = Stream(*client, "/v1beta/models/m:streamGenerateContent", headers,
                    [&](const std::string& chunk) {
                      if (chunk.find("Hel") != std::string::npos) upstream_.ReleaseLatch();
                    });
  EXPECT_TRUE(res.ok);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.content_type, "application/json");
  EXPECT_EQ(res.body, array.chunks[0] + array.chunks[1]);
  EXPECT_FALSE(upstream_.latch_timed_out()) << "the gateway held the first element back";
  EXPECT_EQ(upstream_.received()[0].target, "/v1beta/models/m:streamGenerateContent");
}

TEST_F(GatewayTest, NoRetryOnceStreamingBegan) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  FakeUpstream::Scripted broken;
  broken.content_type = "text/event-stream";
  broken.chunks = {"data: {\"candidates\":[]}\r\n\r\n", "data: never\r\n\r\n"};
  broken.break_after = 1;
  upstream_.Script(broken);
  upstream_.Script(Reply(200, kOkBody));  // Must not be used.
  auto res = Stream(*client, "/v1beta/models/m:streamGenerateContent?alt=sse", Auth(),
                    [](const std::string&) {});
  EXPECT_FALSE(res.ok) << "the client must see the stream end abnormally";
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, broken.chunks[0]);
  EXPECT_EQ(upstream_.received().size(), 1u);
  auto reports = broker_.WaitForReports(1);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].kind(), v1::OUTCOME_KIND_CONNECTION_ERROR);
}

TEST_F(GatewayTest, StreamRetriesWhenBodyBreaksBeforeFirstByte) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  FakeUpstream::Scripted empty_break;
  empty_break.content_type = "text/event-stream";
  empty_break.chunks = {"data: x\r\n\r\n"};
  empty_break.break_after = 0;
  upstream_.Script(empty_break);
  FakeUpstream::Scripted good;
  good.content_type = "text/event-stream";
  good.chunks = {"data: {\"ok\":true}\r\n\r\n"};
  upstream_.Script(good);
  auto res = Stream(*client, "/v1beta/models/m:streamGenerateContent?alt=sse", Auth(),
                    [](const std::string&) {});
  EXPECT_TRUE(res.ok);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, good.chunks[0]);
  EXPECT_EQ(upstream_.received().size(), 2u);
}

TEST_F(GatewayTest, StreamFailingBeforeCommitGetsUpstreamError) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 3; ++i) upstream_.Script(Reply(429, kQuotaBody));
  auto res = Stream(*client, "/v1beta/models/m:streamGenerateContent?alt=sse", Auth(),
                    [](const std::string&) {});
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ(res.body, kQuotaBody);
  EXPECT_EQ(upstream_.received().size(), 3u);
}

TEST_F(GatewayTest, ClientLeavingMidStreamCancelsTheUpstreamCall) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  FakeUpstream::Scripted long_stream;
  long_stream.content_type = "text/event-stream";
  long_stream.chunks.push_back("data: {\"first\":true}\r\n\r\n");
  for (int i = 0; i < 400; ++i) long_stream.chunks.push_back("data: " + std::string(16384, 'x') + "\r\n\r\n");
  long_stream.latch_after_first = true;
  upstream_.Script(long_stream);
  httplib::Request req;
  req.method = "POST";
  req.path = "/v1beta/models/m:streamGenerateContent?alt=sse";
  req.headers = Auth();
  req.body = "{}";
  req.content_receiver = [](const char*, size_t, uint64_t, uint64_t) { return false; };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  EXPECT_FALSE(client->send(req, res, error));  // Hangs up after the first chunk.
  client->stop();
  upstream_.ReleaseLatch();
  // The key still did its job: the broker hears SUCCESS once the gateway
  // notices the client is gone and stops reading upstream.
  auto reports = broker_.WaitForReports(1);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].kind(), v1::OUTCOME_KIND_SUCCESS);
  auto rows = persistence_.WaitForRequestLogs(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].stream());
}

TEST_F(GatewayTest, SilentUpstreamTimesOutAfterTimeOut) {
  config_.time_out_seconds = 1;
  config_.max_retries = 1;
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  FakeUpstream::Scripted silent = Reply(200, kOkBody);
  silent.hold_until_latch = true;
  upstream_.Script(silent);
  auto res = client->Post("/v1beta/models/m:generateContent", Auth(), "{}", "application/json");
  upstream_.ReleaseLatch();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 504);
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["error"]["status"], "DEADLINE_EXCEEDED");
  auto reports = broker_.WaitForReports(1);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].kind(), v1::OUTCOME_KIND_TIMEOUT);
  EXPECT_EQ(reports[0].http_status(), 0);
}

TEST_F(GatewayTest, StopCutsOpenStreams) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  FakeUpstream::Scripted held;
  held.content_type = "text/event-stream";
  held.chunks = {"data: {\"a\":1}\r\n\r\n", "data: {\"b\":2}\r\n\r\n"};
  held.latch_after_first = true;  // Released only by TearDown.
  upstream_.Script(held);
  std::promise<void> first_chunk;
  bool signalled = false;
  auto streamed = std::async(std::launch::async, [&] {
    return Stream(*client, "/v1beta/models/m:streamGenerateContent?alt=sse", Auth(),
                  [&](const std::string&) {
                    if (!signalled) first_chunk.set_value();
                    signalled = true;
                  });
  });
  ASSERT_EQ(first_chunk.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  gateway_->Stop(/*grace_ms=*/50);
  StreamedResponse res = streamed.get();
  EXPECT_FALSE(res.ok);
  EXPECT_EQ(res.body, held.chunks[0]);
}

TEST_F(GatewayTest, RequestLogRowsReachPersistence) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(503, kOverloadedBody));
  upstream_.Script(Reply(200, kOkBody));
  auto res = client->Post("/v1beta/models/gemini-2.5-flash:generateContent", Auth(), "{}",
                          "application/json");
  ASSERT_TRUE(res);
  auto rows = persistence_.WaitForRequestLogs(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].client_token_id(), TokenId(kClientToken));
  EXPECT_EQ(rows[0].model(), "gemini-2.5-flash");
  EXPECT_EQ(rows[0].operation(), "generateContent");
  EXPECT_EQ(rows[0].key_id(), 2);
  EXPECT_EQ(rows[0].status_code(), 200);
  EXPECT_EQ(rows[0].attempts(), 2);
  EXPECT_FALSE(rows[0].stream());
  EXPECT_EQ(rows[0].time_ms(), clock_.NowUnixMs());
  auto errors = persistence_.WaitForErrorLogs(1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error_type(), "UNAVAILABLE");
  EXPECT_EQ(errors[0].message(), kOverloadedBody);
}

TEST_F(GatewayTest, BrokerWithoutKeysGives429WithRetryAfterOr503) {
  broker_.SetUnavailable(clock_.NowUnixMs() + 30000, "all 3 keys are cooling down");
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  auto res = client->Post("/v1beta/models/m:generateContent", Auth(), "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_EQ(res->get_header_value("Retry-After"), "30");
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["error"]["status"], "RESOURCE_EXHAUSTED");
  EXPECT_THAT(body["error"]["message"].get<std::string>(), HasSubstr("all 3 keys are cooling down"));

  broker_.SetUnavailable(0, "the pool has no keys; add some to API_KEYS");
  auto none = client->Post("/v1beta/models/m:generateContent", Auth(), "{}", "application/json");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 503);
  EXPECT_FALSE(none->has_header("Retry-After"));
  EXPECT_THAT(none->body, HasSubstr("API_KEYS"));
  EXPECT_TRUE(upstream_.received().empty());
}

TEST_F(GatewayTest, WaitsForAKeyThatFreesUpWithinMaxKeyWait) {
  config_.max_key_wait_ms = 3000;
  broker_.SetUnavailableForNextAcquires(1, clock_.NowUnixMs() + 200, "all 3 keys are cooling down");
  upstream_.Script(Reply(200, kOkBody));
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  auto res = client->Post("/v1beta/models/m:generateContent", Auth(), "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(upstream_.received().size(), 1u);
}

TEST_F(GatewayTest, DoesNotWaitWhenMaxKeyWaitIsZero) {
  config_.max_key_wait_ms = 0;
  broker_.SetUnavailableForNextAcquires(1, clock_.NowUnixMs() + 200, "all 3 keys are cooling down");
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  auto res = client->Post("/v1beta/models/m:generateContent", Auth(), "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_EQ(res->get_header_value("Retry-After"), "1");
  EXPECT_TRUE(upstream_.received().empty());
}

TEST_F(GatewayTest, UnreachableUpstreamIsRetriedThen503) {
  config_.base_url = "http://127.0.0.1:" + std::to_string(gempool::testing::FreePort()) + "/v1beta";
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  auto res = client->Post("/v1beta/models/m:generateContent", Auth(), "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["error"]["status"], "UNAVAILABLE");
  EXPECT_THAT(body["error"]["message"].get<std::string>(), HasSubstr("could not connect"));
  auto reports = broker_.WaitForReports(3);
  ASSERT_EQ(reports.size(), 3u);
  for (const auto& r : reports) EXPECT_EQ(r.kind(), v1::OUTCOME_KIND_CONNECTION_ERROR);
}

TEST_F(GatewayTest, HealthIsOkWhenBothServicesAnswer) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  auto res = client->Get("/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"status":"ok","keybroker":"ok","persistence":"ok"})");
}

TEST_F(GatewayTest, HealthReportsPersistenceError) {
  persistence_.SetPingError("MySQL login failed for user 'gempool'@'127.0.0.1': Access denied");
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  auto res = client->Get("/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["keybroker"], "ok");
  EXPECT_EQ(body["persistence"], "unavailable");
  EXPECT_THAT(body["errors"]["persistence"].get<std::string>(), HasSubstr("Access denied"));
}

TEST_F(GatewayTest, BrokerDownGives503AndUnhealthy) {
  const std::string dead = "127.0.0.1:" + std::to_string(gempool::testing::FreePort());
  config_.keybroker_addr = dead;
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  auto res = client->Post("/v1beta/models/m:generateContent", Auth(), "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_THAT(res->body, HasSubstr("key broker at " + dead + " is not answering"));
  auto health = client->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  auto body = nlohmann::json::parse(health->body);
  EXPECT_EQ(body["keybroker"], "unavailable");
  EXPECT_EQ(body["persistence"], "ok");
  EXPECT_THAT(body["errors"]["keybroker"].get<std::string>(), HasSubstr(dead));
  EXPECT_TRUE(upstream_.received().empty());
}

TEST_F(GatewayTest, RejectsBadBaseUrlAndCustomCredentialHeaders) {
  config_.base_url = "ftp://example.com";
  EXPECT_FALSE(Gateway::Create(config_, clock_).ok());
  config_.base_url = "http://127.0.0.1:1/v1beta";
  config_.custom_headers = {{"x-goog-api-key", "sneaky"}};
  auto gateway = Gateway::Create(config_, clock_);
  ASSERT_FALSE(gateway.ok());
  EXPECT_THAT(std::string(gateway.status().message()), HasSubstr("CUSTOM_HEADERS"));
}

TEST_F(GatewayTest, KeysWithAProxyGoThroughIt) {
  FakeUpstream proxy;  // Answers like a forward proxy would after relaying.
  const int proxy_port = proxy.Start();
  broker_.SetKeys({{7, PoolKey('p'), "http://127.0.0.1:" + std::to_string(proxy_port)}});
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  proxy.Script(Reply(200, kOkBody));
  auto res = client->Post("/v1beta/models/m:generateContent", Auth(), "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, kOkBody);
  auto via_proxy = proxy.received();
  ASSERT_EQ(via_proxy.size(), 1u);
  // A forward proxy gets the absolute URL of the real upstream.
  EXPECT_EQ(via_proxy[0].target, "http://127.0.0.1:" + std::to_string(upstream_.port()) +
                                     "/v1beta/models/m:generateContent");
  EXPECT_EQ(via_proxy[0].headers.find("x-goog-api-key")->second, PoolKey('p'));
  EXPECT_TRUE(upstream_.received().empty());
  gateway_->Stop(/*grace_ms=*/0);  // Closes its pooled connection to the proxy.
  proxy.Stop();
}

TEST_F(GatewayTest, CustomHeadersGoUpstream) {
  config_.custom_headers = {{"X-Team", "blue"}};
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(200, kOkBody));
  ASSERT_TRUE(client->Post("/v1beta/models/m:generateContent", Auth(), "{}", "application/json"));
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 1u);
  ASSERT_EQ(received[0].headers.count("X-Team"), 1u);
  EXPECT_EQ(received[0].headers.find("X-Team")->second, "blue");
}

}  // namespace
}  // namespace gempool::gateway
