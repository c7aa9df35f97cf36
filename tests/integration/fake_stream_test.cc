// Issue 14 §4: fake streaming. With FAKE_STREAM_ENABLED a streamed call (OpenAI
// chat, native streamGenerateContent in both framings) is one non-streamed
// upstream generateContent; the client gets a heartbeat every
// FAKE_STREAM_EMPTY_DATA_INTERVAL_SECONDS, then the whole answer. The head is
// committed with the first heartbeat: a failure before it keeps its HTTP
// status, one after it is an in-stream error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gempool/testing/subprocess.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

constexpr char kHeartbeat[] = ": heartbeat\n\n";
// The upstream's delay: two heartbeats (at ~1 s and ~2 s) before the answer.
constexpr int kDelayMs = 2500;

class FakeStreamTest : public StackTest {
 protected:
  void StartFakeStreaming(bool enabled = true) {
    StackOptions options;
    if (enabled) {
      options.extra_env = {{"FAKE_STREAM_ENABLED", "true"}, {"FAKE_STREAM_EMPTY_DATA_INTERVAL_SECONDS", "1"}};
    }
    ASSERT_NO_FATAL_FAILURE(StartStack(options));
  }

  void ScriptNext(const json& behavior) { ASSERT_TRUE(fake().ScriptKey("", "", json::array({behavior}), false).ok()); }

  StreamedResponse Chat() {
    const json body = {{"model", kFlash},
                       {"stream", true},
                       {"messages", json::array({{{"role", "user"}, {"content", "think long"}}})}};
    return PostStreaming(stack().gateway_port(), "/v1/chat/completions",
                         {{"Authorization", "Bearer " + stack().token()}}, body.dump());
  }

  StreamedResponse NativeStream(const std::string& query) {
    return PostStreaming(stack().gateway_port(), GeneratePath(kFlash, "streamGenerateContent") + query, Auth(),
                         GenerateBody("think long"));
  }

  // Arrival times of each heartbeat piece.
  static std::vector<int64_t> HeartbeatTimes(const StreamedResponse& r, const std::string& heartbeat) {
    std::vector<int64_t> times;
    for (const TimedPiece& piece : r.pieces) {
      for (size_t at = piece.data.find(heartbeat); at != std::string::npos; at = piece.data.find(heartbeat, at + 1)) {
        times.push_back(piece.at_ms);
      }
    }
    return times;
  }

  // Heartbeats at about 1 s and 2 s, then the answer (containing `answer`)
  // after the upstream's delay; one non-streamed upstream call.
  void ExpectHeartbeatsThenAnswer(const StreamedResponse& r, const std::string& heartbeat, const std::string& answer,
                                  int64_t since) {
    const std::vector<int64_t> beats = HeartbeatTimes(r, heartbeat);
    ASSERT_THAT(beats, SizeIs(2)) << r.body;
    EXPECT_GE(beats[0], 900);
    EXPECT_LT(beats[0], 1900) << "the first heartbeat is due after one interval";
    EXPECT_GE(beats[1] - beats[0], 700) << "one interval apart";
    const int64_t answered = r.ArrivalOf(answer);
    ASSERT_GE(answered, 0) << r.body;
    EXPECT_GE(answered, kDelayMs - 100);
    EXPECT_THAT(Upstream("generateContent", since), SizeIs(1));
    EXPECT_THAT(Upstream("streamGenerateContent", since), IsEmpty()) << "fake streaming asks for a whole answer";
  }
};

TEST_F(FakeStreamTest, ChatGetsHeartbeatsThenTheWholeAnswerAsChunks) {
  ASSERT_NO_FATAL_FAILURE(StartFakeStreaming());
  ASSERT_NO_FATAL_FAILURE(ScriptNext({{"kind", "slow"}, {"delayMs", kDelayMs}, {"text", "the long answer"}}));
  const int64_t since = LastUpstreamId();
  const StreamedResponse r = Chat();
  ASSERT_TRUE(r.completed) << httplib::to_string(r.error);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.Header("Content-Type"), StartsWith("text/event-stream"));
  ASSERT_NO_FATAL_FAILURE(ExpectHeartbeatsThenAnswer(r, kHeartbeat, "the long answer", since));
  EXPECT_THAT(r.body, EndsWith("data: [DONE]\n\n"));
  // The answer in the normal chunk format: role, content, then a finish.
  std::string content;
  std::string finish;
  for (const std::string& event : SseEvents(r.body)) {
    if (event == "[DONE]") continue;
    const json chunk = json::parse(event);
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    for (const json& choice : chunk["choices"]) {
      if (choice["delta"].contains("content")) content += choice["delta"]["content"].get<std::string>();
      if (choice["finish_reason"].is_string()) finish = choice["finish_reason"];
    }
  }
  EXPECT_EQ(content, "the long answer");
  EXPECT_EQ(finish, "stop");
}

TEST_F(FakeStreamTest, UpstreamErrorBeforeTheFirstHeartbeatKeepsItsStatusAfterItIsAnInStreamError) {
  ASSERT_NO_FATAL_FAILURE(StartFakeStreaming());
  // At once: the client gets Google's 400 as OpenAI's error, as an HTTP answer.
  ASSERT_NO_FATAL_FAILURE(ScriptNext({{"status", 400}, {"reason", "INVALID_ARGUMENT"}}));
  StreamedResponse early = Chat();
  ASSERT_TRUE(early.completed) << httplib::to_string(early.error);
  EXPECT_EQ(early.status, 400) << early.body;
  EXPECT_EQ(json::parse(early.body)["error"]["code"], "invalid_argument") << early.body;
  // After a heartbeat: a final error event, no [DONE].
  ASSERT_NO_FATAL_FAILURE(ScriptNext({{"status", 400}, {"reason", "INVALID_ARGUMENT"}, {"delayMs", 1600}}));
  StreamedResponse late = Chat();
  EXPECT_EQ(late.status, 200) << late.body;
  EXPECT_THAT(late.body, StartsWith(kHeartbeat));
  const std::vector<std::string> events = SseEvents(late.body);
  ASSERT_THAT(events, SizeIs(1)) << late.body;
  EXPECT_EQ(json::parse(events[0])["error"]["code"], "invalid_argument") << late.body;
  EXPECT_THAT(late.body, Not(HasSubstr("[DONE]")));

  // The same on the native route, in Google's shape.
  ASSERT_NO_FATAL_FAILURE(ScriptNext({{"status", 400}, {"reason", "INVALID_ARGUMENT"}}));
  StreamedResponse native_early = NativeStream("?alt=sse");
  EXPECT_EQ(native_early.status, 400) << native_early.body;
  EXPECT_EQ(json::parse(native_early.body)["error"]["status"], "INVALID_ARGUMENT") << native_early.body;
  ASSERT_NO_FATAL_FAILURE(ScriptNext({{"status", 400}, {"reason", "INVALID_ARGUMENT"}, {"delayMs", 1600}}));
  StreamedResponse native_late = NativeStream("?alt=sse");
  EXPECT_EQ(native_late.status, 200) << native_late.body;
  const std::vector<std::string> native_events = SseEvents(native_late.body);
  ASSERT_THAT(native_events, SizeIs(1)) << native_late.body;
  EXPECT_EQ(json::parse(native_events[0])["error"]["code"], 400) << native_late.body;
}

TEST_F(FakeStreamTest, NativeStreamsInBothFramingsGetHeartbeatsThenOneChunk) {
  ASSERT_NO_FATAL_FAILURE(StartFakeStreaming());
  ASSERT_NO_FATAL_FAILURE(ScriptNext({{"kind", "slow"}, {"delayMs", kDelayMs}, {"text", "the long answer"}}));
  int64_t since = LastUpstreamId();
  const StreamedResponse sse = NativeStream("?alt=sse");
  ASSERT_TRUE(sse.completed) << httplib::to_string(sse.error);
  ASSERT_EQ(sse.status, 200) << sse.body;
  EXPECT_THAT(sse.Header("Content-Type"), StartsWith("text/event-stream"));
  ASSERT_NO_FATAL_FAILURE(ExpectHeartbeatsThenAnswer(sse, kHeartbeat, "the long answer", since));
  const std::vector<std::string> events = SseEvents(sse.body);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(json::parse(events[0])["candidates"][0]["content"]["parts"][0]["text"], "the long answer");
  const std::vector<UpstreamRequest> calls = Upstream("generateContent", since);
  ASSERT_THAT(calls, SizeIs(1));
  EXPECT_THAT(calls[0].query, Not(HasSubstr("alt="))) << "a whole answer is plain JSON";

  ASSERT_NO_FATAL_FAILURE(ScriptNext({{"kind", "slow"}, {"delayMs", kDelayMs}, {"text", "the long answer"}}));
  since = LastUpstreamId();
  const StreamedResponse array = NativeStream("");
  ASSERT_TRUE(array.completed) << httplib::to_string(array.error);
  ASSERT_EQ(array.status, 200) << array.body;
  EXPECT_THAT(array.Header("Content-Type"), HasSubstr("application/json"));
  ASSERT_NO_FATAL_FAILURE(ExpectHeartbeatsThenAnswer(array, "\n", "the long answer", since));
  EXPECT_THAT(array.body, StartsWith("\n\n["));
  const json parsed = json::parse(array.body, nullptr, false);
  ASSERT_TRUE(parsed.is_array()) << array.body;
  ASSERT_THAT(parsed, SizeIs(1));
  EXPECT_EQ(parsed[0]["candidates"][0]["content"]["parts"][0]["text"], "the long answer");
}

TEST_F(FakeStreamTest, EnablingItOnTheAdminPageAppliesWithoutARestart) {
  ASSERT_NO_FATAL_FAILURE(StartFakeStreaming(/*enabled=*/false));
  int64_t since = LastUpstreamId();
  StreamedResponse before = Chat();
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_THAT(Upstream("streamGenerateContent", since), SizeIs(1)) << "a real stream while it is off";

  auto saved = stack().Gateway()->Post(
      "/api/config", {{"Authorization", "Bearer " + stack().options().admin_token}},
      json{{"values", {{"FAKE_STREAM_ENABLED", "true"}, {"FAKE_STREAM_EMPTY_DATA_INTERVAL_SECONDS", "1"}}}}.dump(),
      "application/json");
  ASSERT_TRUE(saved);
  ASSERT_EQ(saved->status, 200) << saved->body;
  EXPECT_THAT(json::parse(saved->body)["live"].get<std::vector<std::string>>(),
              UnorderedElementsAre("FAKE_STREAM_EMPTY_DATA_INTERVAL_SECONDS", "FAKE_STREAM_ENABLED"))
      << saved->body;

  // The gateway applies a save on its settings thread, which the save wakes:
  // a call right after it may still stream for real. Call until one is faked.
  StreamedResponse after;
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        if (!fake().ScriptKey("", "", json::array({{{"kind", "slow"}, {"delayMs", 1500}, {"text", "now faked"}}}), false)
                 .ok()) {
          return false;
        }
        since = LastUpstreamId();
        after = Chat();
        return !Upstream("generateContent", since).empty();
      },
      15000))
      << "FAKE_STREAM_ENABLED saved on the admin page never applied; last answer: " << after.body;
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_THAT(HeartbeatTimes(after, kHeartbeat), SizeIs(1)) << after.body;
  EXPECT_THAT(after.body, HasSubstr("now faked"));
  EXPECT_THAT(Upstream("generateContent", since), SizeIs(1));
  EXPECT_THAT(Upstream("streamGenerateContent", since), IsEmpty());
}

}  // namespace
}  // namespace gempool::integration
