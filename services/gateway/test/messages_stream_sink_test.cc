// MessagesStreamSink: Gemini SSE bytes in, Anthropic's named events out as
// they arrive, pings while the upstream is quiet, errors in Anthropic's shape.
#include "anthropic/messages_stream_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/mutex.h"
#include "nlohmann/json.hpp"

namespace gempool::gateway {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// The client side: records every write (thread-safe: pings come from the
// timer's thread); commits on the first byte.
class RecordingSink final : public ResponseSink {
 public:
  void Begin(const UpstreamResponseHead& head) override ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    head_ = head;
  }
  bool Write(absl::string_view data) override ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    if (data.empty()) return true;
    all_.append(data.data(), data.size());
    changed_.SignalAll();
    return true;
  }
  bool Committed() const override ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return !all_.empty();
  }
  UpstreamResponseHead Head() const ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return head_;
  }
  std::string All() const ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return all_;
  }
  // Waits (up to 10 s) until the output holds `text` `count` times.
  bool WaitFor(const std::string& text, int count) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (Count(all_, text) < count && !changed_.WaitWithDeadline(&mu_, deadline)) {
    }
    return Count(all_, text) >= count;
  }
  static int Count(const std::string& haystack, const std::string& needle) {
    int n = 0;
    for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
  }

 private:
  mutable Mutex mu_;
  CondVar changed_;  // Signalled on every write.
  UpstreamResponseHead head_ ABSL_GUARDED_BY(mu_);
  std::string all_ ABSL_GUARDED_BY(mu_);
};

// An event loop on its own thread, for the ping timer.
class Loop {
 public:
  Loop() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~Loop() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

anthropic::ResponseContext Context() {
  anthropic::ResponseContext context;
  context.model = "claude-sonnet-4-6";
  context.fallback_id = "msg_fallback";
  context.estimated_input_tokens = 7;
  return context;
}

UpstreamResponseHead Ok() {
  UpstreamResponseHead head;
  head.status = 200;
  head.content_type = "text/event-stream";
  return head;
}

ForwardResult Success() {
  ForwardResult result;
  result.outcome = ForwardResult::Outcome::kSuccess;
  result.head = Ok();
  result.attempts = 1;
  return result;
}

std::string Event(const std::string& json_text) { return "data: " + json_text + "\r\n\r\n"; }

const char kFirst[] =
    R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]},"index":0}],"responseId":"r1",)"
    R"("usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1,"totalTokenCount":4}})";
const char kLast[] =
    R"({"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]},"finishReason":"STOP","index":0}],)"
    R"("responseId":"r1","usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5}})";

// The event names of a whole SSE text, checking each `data` names the same.
std::vector<std::string> EventNames(const std::string& text) {
  std::vector<std::string> names;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find("\n\n", at);
    if (end == std::string::npos) {
      ADD_FAILURE() << "unterminated event in " << text.substr(at);
      break;
    }
    const std::string block = text.substr(at, end - at);
    at = end + 2;
    const size_t newline = block.find('\n');
    EXPECT_EQ(block.rfind("event: ", 0), 0u) << block;
    EXPECT_EQ(block.compare(newline + 1, 6, "data: "), 0) << block;
    const std::string name = block.substr(7, newline - 7);
    EXPECT_EQ(json::parse(block.substr(newline + 7))["type"], name) << block;
    names.push_back(name);
  }
  return names;
}

TEST(MessagesStreamSinkTest, ConvertsEventsCutAnywhere) {
  const std::string body = Event(kFirst) + Event(kLast);
  for (size_t piece : {1u, 3u, 64u, 100000u}) {
    RecordingSink client;
    auto sink = std::make_shared<MessagesStreamSink>(client, Context(), HeaderList{{"x-gempool-warnings", "w"}},
                                                     nullptr, std::chrono::milliseconds(10000));
    sink->Begin(Ok());
    for (size_t at = 0; at < body.size(); at += piece) ASSERT_TRUE(sink->Write(body.substr(at, piece)));
    EXPECT_EQ(sink->Complete(Success()).outcome, ForwardResult::Outcome::kSuccess);
    EXPECT_EQ(client.Head().content_type, "text/event-stream; charset=utf-8");
    const std::string all = client.All();
    const std::vector<std::string> names = EventNames(all);
    ASSERT_FALSE(names.empty());
    EXPECT_EQ(names.front(), "message_start");
    EXPECT_EQ(names.back(), "message_stop");
    EXPECT_THAT(all, HasSubstr(R"("text":"Hel")"));
    EXPECT_THAT(all, HasSubstr(R"("text":"lo")"));
    EXPECT_THAT(all, HasSubstr(R"("stop_reason":"end_turn")"));
    EXPECT_THAT(all, HasSubstr(R"("model":"claude-sonnet-4-6")"));
  }
}

TEST(MessagesStreamSinkTest, PingsWhileTheUpstreamIsQuietAndStopsAtTheEnd) {
  Loop loop;
  RecordingSink client;
  auto sink = std::make_shared<MessagesStreamSink>(client, Context(), HeaderList{}, &loop.io(),
                                                   std::chrono::milliseconds(30));
  sink->Begin(Ok());
  // Quiet upstream: pings go out, and they commit the response.
  ASSERT_TRUE(client.WaitFor("event: ping", 2)) << client.All();
  EXPECT_TRUE(sink->Committed());
  ASSERT_TRUE(sink->Write(Event(kFirst)));
  ASSERT_TRUE(sink->Write(Event(kLast)));
  EXPECT_EQ(sink->Complete(Success()).outcome, ForwardResult::Outcome::kSuccess);
  const std::string done = client.All();
  const std::vector<std::string> names = EventNames(done);
  EXPECT_EQ(names.back(), "message_stop");
  // Nothing after the end: a timer of our own on the same loop, due after
  // several ping intervals, finds the output unchanged.
  std::promise<void> later;
  boost::asio::steady_timer timer(loop.io(), std::chrono::milliseconds(150));
  timer.async_wait([&later](const boost::system::error_code&) { later.set_value(); });
  ASSERT_EQ(later.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(client.All(), done);
}

TEST(MessagesStreamSinkTest, NoPingBeforeTheUpstreamAnswered) {
  Loop loop;
  RecordingSink client;
  auto sink = std::make_shared<MessagesStreamSink>(client, Context(), HeaderList{}, &loop.io(),
                                                   std::chrono::milliseconds(10));
  // No Begin: the attempt loop may still retry with another key, so nothing
  // may commit the response.
  ForwardResult failed;
  failed.outcome = ForwardResult::Outcome::kFailed;
  failed.failure = HttpReply{503, "application/json",
                             R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})", ""};
  const ForwardResult result = sink->Complete(failed);
  EXPECT_EQ(result.outcome, ForwardResult::Outcome::kFailed);
  EXPECT_EQ(result.failure.status, 529);
  EXPECT_THAT(result.failure.body, HasSubstr(R"("type":"overloaded_error")"));
  EXPECT_EQ(client.All(), "");
}

TEST(MessagesStreamSinkTest, AnErrorEventBeforeAnyOutputIsTheHttpAnswer) {
  RecordingSink client;
  auto sink = std::make_shared<MessagesStreamSink>(client, Context(), HeaderList{}, nullptr,
                                                   std::chrono::milliseconds(10000));
  sink->Begin(Ok());
  EXPECT_FALSE(sink->Write(Event(
      R"({"error":{"code":429,"message":"Resource exhausted.","status":"RESOURCE_EXHAUSTED","details":[)"
      R"({"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12s"}]}})")));
  const ForwardResult result = sink->Complete(Success());
  EXPECT_EQ(result.outcome, ForwardResult::Outcome::kFailed);
  EXPECT_EQ(result.failure.status, 429);
  EXPECT_EQ(result.failure.retry_after, "12");
  EXPECT_THAT(result.failure.body, HasSubstr(R"("type":"rate_limit_error")"));
  EXPECT_EQ(client.All(), "");
}

TEST(MessagesStreamSinkTest, AnErrorAfterOutputIsAnErrorEvent) {
  RecordingSink client;
  auto sink = std::make_shared<MessagesStreamSink>(client, Context(), HeaderList{}, nullptr,
                                                   std::chrono::milliseconds(10000));
  sink->Begin(Ok());
  ASSERT_TRUE(sink->Write(Event(kFirst)));
  EXPECT_FALSE(sink->Write(Event(R"({"error":{"code":500,"message":"Internal error.","status":"INTERNAL"}})")));
  EXPECT_EQ(sink->Complete(Success()).outcome, ForwardResult::Outcome::kBrokenAfterCommit);
  const std::string all = client.All();
  const std::vector<std::string> names = EventNames(all);
  EXPECT_EQ(names.back(), "error");
  EXPECT_THAT(all, HasSubstr(R"("type":"api_error")"));
  EXPECT_THAT(all, Not(HasSubstr("message_stop")));
}

TEST(MessagesStreamSinkTest, AStreamBrokenAfterOutputEndsWithAnErrorEvent) {
  RecordingSink client;
  auto sink = std::make_shared<MessagesStreamSink>(client, Context(), HeaderList{}, nullptr,
                                                   std::chrono::milliseconds(10000));
  sink->Begin(Ok());
  ASSERT_TRUE(sink->Write(Event(kFirst)));
  ForwardResult broken = Success();
  broken.outcome = ForwardResult::Outcome::kBrokenAfterCommit;
  EXPECT_EQ(sink->Complete(broken).outcome, ForwardResult::Outcome::kBrokenAfterCommit);
  const std::vector<std::string> names = EventNames(client.All());
  EXPECT_EQ(names.back(), "error");
  EXPECT_THAT(client.All(), HasSubstr("broke off"));
}

}  // namespace
}  // namespace gempool::gateway
