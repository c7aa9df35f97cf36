// Token usage in the request log rows: every route that gets Gemini's
// usageMetadata (native whole and streamed, fake streaming, OpenAI chat,
// Anthropic Messages, the Responses API) records the upstream's numbers,
// a stream's last (running totals), while native bodies still pass byte for
// byte. The real gateway on port 0 against the fake broker and persistence
// and a fake Gemini upstream.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <string>
#include <vector>

#include "fake_services.h"
#include "fake_upstream.h"
#include "gateway_fixture.h"

namespace gempool::gateway {
namespace {

using testing::FakeUpstream;

constexpr char kUsageClientToken[] = "sk-usage-client-1";

constexpr char kWhole[] =
    R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Hi"}]},"finishReason":"STOP","index":0}],)"
    R"("usageMetadata":{"promptTokenCount":11,"candidatesTokenCount":22,"thoughtsTokenCount":33,)"
    R"("cachedContentTokenCount":4,"totalTokenCount":66},"responseId":"r1"})";

// Two events with running totals, cut mid-key and between CR and LF.
const std::vector<std::string> kSseChunks = {
    "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]}}],"
    "\"usageMetadata\":{\"promptTokenCount\":7,\"totalTokenCount\":7},\"responseId\":\"s1\"}\r\n\r\n"
    "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"lo\"}]},\"finishReason\":\"STOP\"}],"
    "\"usageMeta",
    "data\":{\"promptTokenCount\":7,\"candidatesTokenCount\":5,\"thoughtsTokenCount\":9,"
    "\"toolUsePromptTokenCount\":1,\"totalTokenCount\":22},\"responseId\":\"s1\"}\r",
    "\n\r\n"};

class TokenUsageRowsTest : public testing::GatewayFixture {
 protected:
  TokenUsageRowsTest() : GatewayFixture(kUsageClientToken) {}

  static FakeUpstream::Scripted Sse() {
    FakeUpstream::Scripted s;
    s.content_type = "text/event-stream";
    s.chunks = kSseChunks;
    return s;
  }

  static std::string Joined(const std::vector<std::string>& chunks) {
    std::string all;
    for (const std::string& c : chunks) all += c;
    return all;
  }

  // The one row logged, after a call.
  v1::RequestLogEntry OneRow() {
    auto rows = persistence_.WaitForRequestLogs(1);
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? v1::RequestLogEntry() : rows[0];
  }

  static void ExpectWholeUsage(const v1::RequestLogEntry& row) {
    EXPECT_EQ(row.usage().prompt_tokens(), 11) << row.DebugString();
    EXPECT_EQ(row.usage().candidates_tokens(), 22);
    EXPECT_EQ(row.usage().thoughts_tokens(), 33);
    EXPECT_EQ(row.usage().cached_tokens(), 4);
    EXPECT_EQ(row.usage().tool_use_prompt_tokens(), 0);
    EXPECT_EQ(row.usage().total_tokens(), 66);
  }

  static void ExpectStreamUsage(const v1::RequestLogEntry& row) {
    EXPECT_EQ(row.usage().prompt_tokens(), 7) << row.DebugString();
    EXPECT_EQ(row.usage().candidates_tokens(), 5);
    EXPECT_EQ(row.usage().thoughts_tokens(), 9);
    EXPECT_EQ(row.usage().tool_use_prompt_tokens(), 1);
    EXPECT_EQ(row.usage().total_tokens(), 22);
  }

  httplib::Headers Native() const { return {{"x-goog-api-key", kUsageClientToken}}; }
  httplib::Headers Bearer() const { return {{"Authorization", std::string("Bearer ") + kUsageClientToken}}; }
};

constexpr char kNativeBody[] = R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})";
constexpr char kChat[] = R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}])";

TEST_F(TokenUsageRowsTest, NativeGenerateContent) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(200, kWhole));
  auto res = client->Post("/v1beta/models/gemini-2.5-flash:generateContent", Native(), kNativeBody, "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->body, kWhole);
  ExpectWholeUsage(OneRow());
}

TEST_F(TokenUsageRowsTest, NativeStreamKeepsTheLastUsageAndItsBytes) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Sse());
  auto res = client->Post("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", Native(), kNativeBody,
                          "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->body, Joined(kSseChunks));
  const v1::RequestLogEntry row = OneRow();
  EXPECT_TRUE(row.stream());
  ExpectStreamUsage(row);
}

TEST_F(TokenUsageRowsTest, NativeFakeStream) {
  config_.fake_stream_enabled = true;
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(200, kWhole));
  auto res = client->Post("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", Native(), kNativeBody,
                          "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  ExpectWholeUsage(OneRow());
}

TEST_F(TokenUsageRowsTest, AnswerWithoutUsageLogsZeros) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(200, R"({"candidates":[{"content":{"parts":[{"text":"usageMetadata"}]}}]})"));
  auto res = client->Post("/v1beta/models/gemini-2.5-flash:generateContent", Native(), kNativeBody, "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(OneRow().usage().total_tokens(), 0);
}

TEST_F(TokenUsageRowsTest, AFailedAttemptsBodyDoesNotCount) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(503, R"({"error":{"code":503,"message":"x","usageMetadata":{"promptTokenCount":99}}})"));
  upstream_.Script(Reply(200, kWhole));
  auto res = client->Post("/v1beta/models/gemini-2.5-flash:generateContent", Native(), kNativeBody, "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const v1::RequestLogEntry row = OneRow();
  EXPECT_EQ(row.attempts(), 2);
  ExpectWholeUsage(row);
}

TEST_F(TokenUsageRowsTest, OpenAIChatWholeAndStreamed) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  upstream_.Script(Reply(200, kWhole));
  auto res = client->Post("/v1/chat/completions", Bearer(), std::string(kChat) + "}", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  ExpectWholeUsage(OneRow());

  upstream_.Script(Sse());
  res = client->Post("/v1/chat/completions", Bearer(), std::string(kChat) + R"(,"stream":true})", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto rows = persistence_.WaitForRequestLogs(2);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[1].stream());
  EXPECT_EQ(rows[1].operation(), "chat.completions");
  ExpectStreamUsage(rows[1]);
}

TEST_F(TokenUsageRowsTest, AnthropicMessagesWholeAndStreamed) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  const httplib::Headers headers = {{"x-api-key", kUsageClientToken}, {"anthropic-version", "2023-06-01"}};
  const std::string body =
      R"({"model":"gemini-2.5-flash","max_tokens":100,"messages":[{"role":"user","content":"hi"}])";
  upstream_.Script(Reply(200, kWhole));
  auto res = client->Post("/v1/messages", headers, body + "}", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  ExpectWholeUsage(OneRow());

  upstream_.Script(Sse());
  res = client->Post("/v1/messages", headers, body + R"(,"stream":true})", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto rows = persistence_.WaitForRequestLogs(2);
  ASSERT_EQ(rows.size(), 2u);
  ExpectStreamUsage(rows[1]);
}

TEST_F(TokenUsageRowsTest, ResponsesApiWholeAndStreamed) {
  auto client = StartGateway();
  ASSERT_NE(client, nullptr);
  const std::string body = R"({"model":"gemini-2.5-flash","store":false,"input":"hi")";
  upstream_.Script(Reply(200, kWhole));
  auto res = client->Post("/v1/responses", Bearer(), body + "}", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  ExpectWholeUsage(OneRow());

  upstream_.Script(Sse());
  res = client->Post("/v1/responses", Bearer(), body + R"(,"stream":true})", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto rows = persistence_.WaitForRequestLogs(2);
  ASSERT_EQ(rows.size(), 2u);
  ExpectStreamUsage(rows[1]);
}

}  // namespace
}  // namespace gempool::gateway
