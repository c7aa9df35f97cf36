// ChatStreamSink: Gemini SSE bytes in, OpenAI chunks out, as they arrive.
#include "openai/chat_stream_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gempool/gemini/sse_splitter.h"
#include "nlohmann/json.hpp"

namespace gempool::gateway {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// The client side: records the head and every write; commits on the first byte.
class RecordingSink final : public ResponseSink {
 public:
  void Begin(const UpstreamResponseHead& head) override {
    head_ = head;
    ++begins_;
  }
  bool Write(absl::string_view data) override {
    if (data.empty()) return true;
    writes_.emplace_back(data);
    return accept_;
  }
  bool Committed() const override { return !writes_.empty(); }

  // Every "data:" payload written so far.
  std::vector<std::string> Events() const {
    gemini::SseSplitter splitter;
    std::vector<std::string> out;
    for (const std::string& w : writes_) {
      auto events = splitter.Feed(w);
      EXPECT_TRUE(events.ok());
      out.insert(out.end(), events->begin(), events->end());
    }
    return out;
  }
  std::string All() const {
    std::string out;
    for (const std::string& w : writes_) out += w;
    return out;
  }

  UpstreamResponseHead head_;
  int begins_ = 0;
  std::vector<std::string> writes_;
  bool accept_ = true;
};

openai::ResponseContext Context() {
  openai::ResponseContext context;
  context.model = "gemini-2.5-flash";
  context.created = 1700000000;
  context.fallback_id = "chatcmpl-fallback";
  return context;
}

UpstreamResponseHead Ok() {
  UpstreamResponseHead head;
  head.status = 200;
  head.content_type = "text/event-stream";
  return head;
}

std::string Event(const std::string& json_text) { return "data: " + json_text + "\r\n\r\n"; }

const char kFirst[] =
    R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]},"index":0}],"responseId":"r1",)"
    R"("usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1,"totalTokenCount":4}})";
const char kLast[] =
    R"({"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]},"finishReason":"STOP","index":0}],)"
    R"("responseId":"r1","usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5}})";

ForwardResult Success() {
  ForwardResult result;
  result.outcome = ForwardResult::Outcome::kSuccess;
  result.head = Ok();
  result.attempts = 1;
  return result;
}

TEST(ChatStreamSinkTest, ConvertsEventsCutAnywhereAndEndsWithDone) {
  const std::string body = Event(kFirst) + Event(kLast);
  for (size_t piece : {1u, 2u, 7u, 64u, 100000u}) {
    RecordingSink client;
    ChatStreamSink sink(client, Context(), /*include_usage=*/true, {{"x-gempool-warnings", "w"}});
    sink.Begin(Ok());
    for (size_t at = 0; at < body.size(); at += piece) ASSERT_TRUE(sink.Write(body.substr(at, piece)));
    const ForwardResult result = sink.Complete(Success());
    EXPECT_EQ(result.outcome, ForwardResult::Outcome::kSuccess);

    EXPECT_EQ(client.head_.content_type, "text/event-stream; charset=utf-8");
    bool has_warnings = false;
    for (const auto& [name, value] : client.head_.passthrough) has_warnings |= name == "x-gempool-warnings";
    EXPECT_TRUE(has_warnings);

    std::vector<std::string> events = client.Events();
    ASSERT_GE(events.size(), 5u) << client.All();
    EXPECT_EQ(events.back(), "[DONE]");
    std::string content;
    std::string finish;
    json usage;
    for (size_t i = 0; i + 1 < events.size(); ++i) {
      json chunk = json::parse(events[i]);
      EXPECT_EQ(chunk["id"], "chatcmpl-r1");
      EXPECT_EQ(chunk["object"], "chat.completion.chunk");
      ASSERT_TRUE(chunk.contains("usage"));
      if (chunk["choices"].empty()) {
        usage = chunk["usage"];
        continue;
      }
      EXPECT_TRUE(chunk["usage"].is_null());
      const json& choice = chunk["choices"][0];
      if (choice["delta"].contains("content")) content += choice["delta"]["content"].get<std::string>();
      if (!choice["finish_reason"].is_null()) finish = choice["finish_reason"];
    }
    EXPECT_EQ(content, "Hello");
    EXPECT_EQ(finish, "stop");
    EXPECT_EQ(usage["prompt_tokens"], 3);
    EXPECT_EQ(usage["completion_tokens"], 2);
    EXPECT_EQ(usage["total_tokens"], 5);
  }
}

TEST(ChatStreamSinkTest, ChunksGoOutAsEventsArriveNotAtTheEnd) {
  RecordingSink client;
  ChatStreamSink sink(client, Context(), false, {});
  sink.Begin(Ok());
  ASSERT_TRUE(sink.Write(Event(kFirst)));
  ASSERT_FALSE(client.writes_.empty());
  EXPECT_THAT(client.All(), HasSubstr("\"Hel\""));
  EXPECT_THAT(client.All(), ::testing::Not(HasSubstr("[DONE]")));
}

TEST(ChatStreamSinkTest, NothingIsCommittedBeforeAWholeEvent) {
  RecordingSink client;
  ChatStreamSink sink(client, Context(), false, {});
  sink.Begin(Ok());
  ASSERT_TRUE(sink.Write("data: {\"candidates\":"));
  EXPECT_FALSE(sink.Committed());
  // A retry on another key starts afresh: the half event of the first attempt is gone.
  sink.Begin(Ok());
  ASSERT_TRUE(sink.Write(Event(kLast)));
  EXPECT_TRUE(sink.Committed());
  sink.Complete(Success());
  std::vector<std::string> events = client.Events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "[DONE]");
  EXPECT_EQ(client.begins_, 2);
}

TEST(ChatStreamSinkTest, AnErrorEventBeforeAnyChunkBecomesTheHttpAnswer) {
  RecordingSink client;
  ChatStreamSink sink(client, Context(), false, {});
  sink.Begin(Ok());
  EXPECT_FALSE(sink.Write(Event(
      R"({"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}})")));
  ForwardResult gone;
  gone.outcome = ForwardResult::Outcome::kClientGone;  // What the Forwarder says after a refused write.
  gone.head = Ok();
  const ForwardResult result = sink.Complete(gone);
  EXPECT_EQ(result.outcome, ForwardResult::Outcome::kFailed);
  EXPECT_EQ(result.failure.status, 429);
  json body = json::parse(result.failure.body);
  EXPECT_EQ(body["error"]["type"], "rate_limit_error");
  EXPECT_THAT(body["error"]["message"].get<std::string>(), HasSubstr("exhausted"));
  EXPECT_THAT(client.writes_, IsEmpty());
}

TEST(ChatStreamSinkTest, AnErrorEventAfterChunksIsTheLastEvent) {
  RecordingSink client;
  ChatStreamSink sink(client, Context(), false, {});
  sink.Begin(Ok());
  ASSERT_TRUE(sink.Write(Event(kFirst)));
  EXPECT_FALSE(sink.Write(Event(R"({"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}})")));
  ForwardResult gone;
  gone.outcome = ForwardResult::Outcome::kClientGone;
  gone.head = Ok();
  const ForwardResult result = sink.Complete(gone);
  EXPECT_EQ(result.outcome, ForwardResult::Outcome::kBrokenAfterCommit);
  std::vector<std::string> events = client.Events();
  ASSERT_FALSE(events.empty());
  json last = json::parse(events.back());
  EXPECT_EQ(last["error"]["message"], "overloaded");
  EXPECT_EQ(last["error"]["type"], "server_error");
  EXPECT_THAT(client.All(), ::testing::Not(HasSubstr("[DONE]")));
}

TEST(ChatStreamSinkTest, NonJsonEventIsABadGateway) {
  RecordingSink client;
  ChatStreamSink sink(client, Context(), false, {});
  sink.Begin(Ok());
  EXPECT_FALSE(sink.Write("data: <html>oops</html>\n\n"));
  ForwardResult gone;
  gone.outcome = ForwardResult::Outcome::kClientGone;
  const ForwardResult result = sink.Complete(gone);
  EXPECT_EQ(result.outcome, ForwardResult::Outcome::kFailed);
  EXPECT_EQ(result.failure.status, 502);
}

TEST(ChatStreamSinkTest, AnEmptyUpstreamStreamIsABadGateway) {
  RecordingSink client;
  ChatStreamSink sink(client, Context(), false, {});
  sink.Begin(Ok());
  const ForwardResult result = sink.Complete(Success());
  EXPECT_EQ(result.outcome, ForwardResult::Outcome::kFailed);
  EXPECT_EQ(result.failure.status, 502);
  EXPECT_THAT(result.failure.body, HasSubstr("without sending any event"));
}

TEST(ChatStreamSinkTest, AnUnterminatedLastEventIsStillConverted) {
  RecordingSink client;
  ChatStreamSink sink(client, Context(), false, {});
  sink.Begin(Ok());
  ASSERT_TRUE(sink.Write(std::string("data: ") + kLast));
  sink.Complete(Success());
  EXPECT_THAT(client.All(), HasSubstr("\"lo\""));
  EXPECT_THAT(client.Events().back(), "[DONE]");
}

TEST(ChatStreamSinkTest, AStreamBrokenAfterCommitEndsWithAnErrorEvent) {
  RecordingSink client;
  ChatStreamSink sink(client, Context(), false, {});
  sink.Begin(Ok());
  ASSERT_TRUE(sink.Write(Event(kFirst)));
  ForwardResult broken;
  broken.outcome = ForwardResult::Outcome::kBrokenAfterCommit;
  broken.head = Ok();
  EXPECT_EQ(sink.Complete(broken).outcome, ForwardResult::Outcome::kBrokenAfterCommit);
  json last = json::parse(client.Events().back());
  EXPECT_THAT(last["error"]["message"].get<std::string>(), HasSubstr("broke off"));
}

TEST(ChatStreamSinkTest, UpstreamFailureBecomesAnOpenAIError) {
  RecordingSink client;
  ChatStreamSink sink(client, Context(), false, {});
  ForwardResult failed;
  failed.outcome = ForwardResult::Outcome::kFailed;
  failed.failure.status = 429;
  failed.failure.body = R"({"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED",)"
                        R"("details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}})";
  const ForwardResult result = sink.Complete(failed);
  EXPECT_EQ(result.failure.status, 429);
  EXPECT_EQ(result.failure.retry_after, "7");
  json body = json::parse(result.failure.body);
  EXPECT_EQ(body["error"]["type"], "rate_limit_error");
  EXPECT_TRUE(body["error"].contains("param"));
  EXPECT_THAT(client.writes_, SizeIs(0));
}

}  // namespace
}  // namespace gempool::gateway
