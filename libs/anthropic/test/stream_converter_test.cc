#include "gempool/anthropic/stream_converter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "gempool/anthropic/response_converter.h"
#include "gempool/anthropic/thought_signature.h"
#include "gempool/testing/status_matchers.h"
#include "stream_events.h"

namespace gempool::anthropic {
namespace {

using gempool::testing::StatusIs;
using nlohmann::json;
using testing::Accumulate;
using testing::ExpectValidSequence;
using testing::J;
using testing::Names;
using testing::RunStream;
using ::testing::ElementsAre;

ResponseContext StreamContext(bool thinking = false, bool show_thinking = false) {
  ResponseContext context;
  context.model = "claude-sonnet-4-6";
  context.fallback_id = "msg_fallback";
  context.thinking = thinking;
  context.show_thinking = show_thinking;
  context.estimated_input_tokens = 55;
  return context;
}

// One Gemini SSE event with `parts_json` in candidate 0.
json Chunk(const std::string& parts_json, const std::string& finish = "", const std::string& usage_json = "") {
  json event = J(R"({"responseId":"r1","candidates":[{"index":0,"content":{"role":"model"}}]})");
  if (!parts_json.empty()) event["candidates"][0]["content"]["parts"] = J(parts_json);
  if (!finish.empty()) event["candidates"][0]["finishReason"] = finish;
  if (!usage_json.empty()) event["usageMetadata"] = J(usage_json);
  return event;
}

std::vector<json> Events(const std::vector<StreamEvent>& events, const std::string& name) {
  std::vector<json> out;
  for (const StreamEvent& event : events) {
    if (event.name == name) out.push_back(event.data);
  }
  return out;
}

TEST(StreamConverterTest, TextSplitOverEventsWithFinishAndUsageInTheLast) {
  std::vector<StreamEvent> events =
      RunStream(StreamContext(), {Chunk(R"([{"text":"Hel"}])", "", R"({"promptTokenCount":12,"candidatesTokenCount":1})"),
                            Chunk(R"([{"text":"lo"}])", "", R"({"promptTokenCount":12,"candidatesTokenCount":2})"),
                            Chunk(R"([{"text":"!"}])", "STOP",
                                  R"({"promptTokenCount":12,"cachedContentTokenCount":4,"candidatesTokenCount":3,
                                      "thoughtsTokenCount":5})")});
  EXPECT_THAT(Names(events), ElementsAre("message_start", "content_block_start", "content_block_delta",
                                         "content_block_delta", "content_block_delta", "content_block_stop",
                                         "message_delta", "message_stop"));
  EXPECT_EQ(events[0].data, J(R"({"type":"message_start","message":{"id":"msg_r1","type":"message",
      "role":"assistant","model":"claude-sonnet-4-6","content":[],"stop_reason":null,"stop_sequence":null,
      "usage":{"input_tokens":12,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}})"));
  EXPECT_EQ(events[1].data, J(R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"));
  EXPECT_EQ(events[2].data,
            J(R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}})"));
  EXPECT_EQ(events[6].data, J(R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},
      "usage":{"input_tokens":8,"output_tokens":8,"cache_creation_input_tokens":0,"cache_read_input_tokens":4}})"));
  EXPECT_EQ(events[7].data, J(R"({"type":"message_stop"})"));
  EXPECT_EQ(Accumulate(events)["content"], J(R"([{"type":"text","text":"Hello!"}])"));
}

TEST(StreamConverterTest, MessageStartUsesTheEstimateWhenTheFirstEventHasNoUsage) {
  std::vector<StreamEvent> events = RunStream(StreamContext(), {Chunk(R"([{"text":"a"}])"), Chunk("", "STOP")});
  EXPECT_EQ(events[0].data["message"]["usage"]["input_tokens"], 55);
  // Without any prompt count, message_delta repeats the estimate rather
  // than overwriting it with 0.
  EXPECT_EQ(Events(events, "message_delta")[0]["usage"]["input_tokens"], 55);
}

TEST(StreamConverterTest, CallInTheSameChunkAsText) {
  std::vector<StreamEvent> events = RunStream(
      StreamContext(), {Chunk(R"([{"text":"Checking."},{"functionCall":{"id":"c1","name":"get","args":{"city":"Paris"}}}])",
                        "STOP")});
  EXPECT_THAT(Names(events), ElementsAre("message_start", "content_block_start", "content_block_delta",
                                         "content_block_stop", "content_block_start", "content_block_delta",
                                         "content_block_stop", "message_delta", "message_stop"));
  EXPECT_EQ(events[4].data["content_block"], J(R"({"type":"tool_use","id":"c1","name":"get","input":{}})"));
  EXPECT_EQ(events[5].data["delta"], J(R"({"type":"input_json_delta","partial_json":"{\"city\":\"Paris\"}"})"));
  EXPECT_EQ(events[7].data["delta"]["stop_reason"], "tool_use");
}

TEST(StreamConverterTest, ThoughtThenSignedCallInTheNextEvent) {
  std::vector<StreamEvent> events =
      RunStream(StreamContext(true, true),
                {Chunk(R"([{"text":"Think","thought":true}])"), Chunk(R"([{"text":"ing","thought":true}])"),
                 Chunk(R"([{"functionCall":{"id":"c1","name":"f","args":{}},"thoughtSignature":"S"}])"),
                 Chunk("", "STOP")});
  EXPECT_THAT(Names(events), ElementsAre("message_start", "content_block_start", "content_block_delta",
                                         "content_block_delta", "content_block_delta", "content_block_stop",
                                         "content_block_start", "content_block_delta", "content_block_stop",
                                         "message_delta", "message_stop"));
  EXPECT_EQ(events[1].data["content_block"], J(R"({"type":"thinking","thinking":"","signature":""})"));
  EXPECT_EQ(events[2].data["delta"], J(R"({"type":"thinking_delta","thinking":"Think"})"));
  EXPECT_EQ(events[4].data["delta"]["type"], "signature_delta");
  EXPECT_EQ(events[4].data["delta"]["signature"], TagSignature(SignatureAnchor::kNext, "S"));
}

TEST(StreamConverterTest, HiddenThoughtsSendNoThinkingDeltas) {
  std::vector<StreamEvent> events =
      RunStream(StreamContext(true, false), {Chunk(R"([{"text":"secret","thought":true,"thoughtSignature":"T"}])"),
                                       Chunk(R"([{"text":"Answer"}])", "STOP")});
  for (const json& delta : Events(events, "content_block_delta")) {
    EXPECT_NE(delta["delta"]["type"], "thinking_delta");
  }
  EXPECT_EQ(Accumulate(events)["content"],
            json::array({json{{"type", "thinking"},
                               {"thinking", ""},
                               {"signature", TagSignature(SignatureAnchor::kOwn, "T")}},
                         json{{"type", "text"}, {"text", "Answer"}}}));
  // Without thinking the thought produces nothing at all.
  std::vector<StreamEvent> off =
      RunStream(StreamContext(), {Chunk(R"([{"text":"secret","thought":true,"thoughtSignature":"T"}])"),
                            Chunk(R"([{"text":"Answer"}])", "STOP")});
  EXPECT_EQ(Accumulate(off)["content"], J(R"([{"type":"text","text":"Answer"}])"));
}

TEST(StreamConverterTest, TextSignatureIsSentAfterItsBlockCloses) {
  std::vector<StreamEvent> events = RunStream(
      StreamContext(true, true), {Chunk(R"([{"text":"Hi","thoughtSignature":"S"}])"), Chunk(R"([{"text":" there"}])"),
                            Chunk(R"([{"text":""}])", "STOP")});
  EXPECT_EQ(Accumulate(events)["content"],
            json::array({json{{"type", "text"}, {"text", "Hi there"}},
                         json{{"type", "thinking"}, {"thinking", ""},
                              {"signature", TagSignature(SignatureAnchor::kPrevious, "S")}}}));
}

TEST(StreamConverterTest, FinishReasonAloneInTheLastChunk) {
  std::vector<StreamEvent> events =
      RunStream(StreamContext(), {Chunk(R"([{"text":"x"}])"), Chunk("", "MAX_TOKENS", R"({"promptTokenCount":3})")});
  EXPECT_EQ(Events(events, "message_delta")[0]["delta"]["stop_reason"], "max_tokens");
  EXPECT_EQ(Names(events).back(), "message_stop");
}

TEST(StreamConverterTest, NoFinishReasonThenFinish) {
  MessagesStreamConverter converter(StreamContext());
  auto first = converter.OnEvent(Chunk(R"([{"functionCall":{"name":"f","args":{"a":[1]}}}])"));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(converter.started());
  EXPECT_FALSE(converter.stopped());
  EXPECT_EQ(converter.id(), "msg_r1");
  std::vector<StreamEvent> events = *first;
  std::vector<StreamEvent> closing = converter.Finish();
  EXPECT_THAT(Names(closing), ElementsAre("message_delta", "message_stop"));
  events.insert(events.end(), closing.begin(), closing.end());
  ExpectValidSequence(events);
  EXPECT_EQ(closing[0].data["delta"]["stop_reason"], "tool_use");
  EXPECT_TRUE(converter.stopped());
  EXPECT_TRUE(converter.Finish().empty());
}

TEST(StreamConverterTest, FinishWithoutAnyEventStillFramesAMessage) {
  MessagesStreamConverter converter(StreamContext());
  EXPECT_EQ(converter.id(), "");
  std::vector<StreamEvent> events = converter.Finish();
  EXPECT_THAT(Names(events), ElementsAre("message_start", "message_delta", "message_stop"));
  ExpectValidSequence(events);
  EXPECT_EQ(events[0].data["message"]["id"], "msg_fallback");
  EXPECT_EQ(events[1].data["delta"]["stop_reason"], "end_turn");
}

TEST(StreamConverterTest, ErrorEventMidStream) {
  MessagesStreamConverter converter(StreamContext());
  auto first = converter.OnEvent(Chunk(R"([{"text":"partial"}])"));
  ASSERT_TRUE(first.ok());
  ExpectValidSequence(*first, /*complete=*/false);
  EXPECT_THAT(converter.OnEvent(
                  J(R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})")),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::HasSubstr("overloaded")));
  EXPECT_THAT(converter.OnEvent(J(R"([{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}])")),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(converter.OnEvent(J(R"("text")")), StatusIs(absl::StatusCode::kInternal));
  EXPECT_FALSE(converter.stopped());
}

TEST(StreamConverterTest, AnEventAfterTheStopIsRefused) {
  MessagesStreamConverter converter(StreamContext());
  auto events = converter.OnEvent(Chunk(R"([{"text":"done"}])", "STOP"));
  ASSERT_TRUE(events.ok());
  ExpectValidSequence(*events);
  EXPECT_TRUE(converter.stopped());
  EXPECT_THAT(converter.OnEvent(Chunk(R"([{"text":"more"}])")), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(converter.Finish().empty());
}

TEST(StreamConverterTest, GroundingSourcesBeforeClosing) {
  json last = Chunk(R"([{"text":" end."}])", "STOP");
  last["candidates"][0]["groundingMetadata"] =
      J(R"({"groundingChunks":[{"web":{"uri":"https://a.example","title":"A"}}]})");
  std::vector<StreamEvent> events = RunStream(StreamContext(), {Chunk(R"([{"text":"The"}])"), last});
  EXPECT_EQ(Accumulate(events)["content"],
            json::array({json{{"type", "text"}, {"text", "The end.\n\n**Sources**\n1. [A](https://a.example)\n"}}}));
  EXPECT_EQ(Events(events, "content_block_start").size(), 1u) << "the open text block is reused";
}

TEST(StreamConverterTest, BlockedPrompt) {
  std::vector<StreamEvent> events =
      RunStream(StreamContext(), {J(R"({"promptFeedback":{"blockReason":"SAFETY"},
                                  "usageMetadata":{"promptTokenCount":9}})")});
  EXPECT_THAT(Names(events), ElementsAre("message_start", "content_block_start", "content_block_delta",
                                         "content_block_stop", "message_delta", "message_stop"));
  EXPECT_EQ(events[0].data["message"]["usage"]["input_tokens"], 9);
  EXPECT_THAT(events[2].data["delta"]["text"].get<std::string>(), ::testing::HasSubstr("blockReason: SAFETY"));
  EXPECT_EQ(events[4].data["delta"]["stop_reason"], "refusal");
}

TEST(StreamConverterTest, OnlyCandidateZeroIsStreamed) {
  json event = J(R"({"candidates":[{"index":1,"content":{"parts":[{"text":"B"}]}},
                                   {"index":0,"content":{"parts":[{"text":"A"}]},"finishReason":"STOP"}]})");
  EXPECT_EQ(Accumulate(RunStream(StreamContext(), {event}))["content"], J(R"([{"type":"text","text":"A"}])"));
}

TEST(StreamConverterTest, UsageOnlyFirstEventStartsTheMessage) {
  std::vector<StreamEvent> events = RunStream(
      StreamContext(), {J(R"({"usageMetadata":{"promptTokenCount":30,"cachedContentTokenCount":10}})"),
                  Chunk(R"([{"text":"x"}])", "STOP", R"({"promptTokenCount":30,"cachedContentTokenCount":10,
                                                           "candidatesTokenCount":1})")});
  EXPECT_EQ(events[0].data["message"]["usage"]["input_tokens"], 20);
  EXPECT_EQ(events[0].data["message"]["usage"]["cache_read_input_tokens"], 10);
}

TEST(StreamConverterTest, FramesAreNamedEventsWithCompactJson) {
  StreamEvent event{"content_block_stop", J(R"({"type":"content_block_stop","index":2})")};
  EXPECT_EQ(FrameEvent(event), "event: content_block_stop\ndata: {\"index\":2,\"type\":\"content_block_stop\"}\n\n");
  EXPECT_EQ(PingFrame(), "event: ping\ndata: {\"type\":\"ping\"}\n\n");
  // Invalid UTF-8 from upstream never throws.
  StreamEvent bad{"content_block_delta", json{{"type", "content_block_delta"}, {"text", std::string("a\xff" "b")}}};
  EXPECT_NO_THROW(FrameEvent(bad));
}

// The same Gemini answer, converted whole and streamed in pieces (each part
// its own event, texts cut in half, finishReason and usage alone at the
// end), gives the same message.
std::vector<json> SplitIntoEvents(const json& response) {
  std::vector<json> events;
  const json& candidate = response["candidates"][0];
  for (const json& part : candidate["content"]["parts"]) {
    std::vector<json> pieces = {part};
    if (part.contains("text") && part["text"].get<std::string>().size() > 1) {
      const std::string text = part["text"].get<std::string>();
      json first = part;
      first.erase("thoughtSignature");
      first["text"] = text.substr(0, text.size() / 2);
      json second = part;
      second["text"] = text.substr(text.size() / 2);
      pieces = {first, second};
    }
    for (const json& piece : pieces) {
      json content = {{"role", "model"}, {"parts", json::array({piece})}};
      json event = {{"responseId", response["responseId"]},
                    {"candidates", json::array({json{{"content", std::move(content)}}})}};
      events.push_back(event);
    }
  }
  json last = {{"responseId", response["responseId"]},
               {"candidates", json::array({json{{"content", json{{"role", "model"}}},
                                                {"finishReason", candidate["finishReason"]}}})},
               {"usageMetadata", response["usageMetadata"]}};
  if (candidate.contains("groundingMetadata")) {
    last["candidates"][0]["groundingMetadata"] = candidate["groundingMetadata"];
  }
  events.push_back(last);
  return events;
}

TEST(StreamConverterTest, StreamAndNonStreamGiveTheSameMessage) {
  const char* responses[] = {
      R"({"responseId":"a1","candidates":[{"finishReason":"STOP","content":{"parts":[
          {"text":"Let me think about it.","thought":true},
          {"text":"Still thinking","thought":true,"thoughtSignature":"T1"},
          {"text":"I will look it up."},{"functionCall":{"name":"search","args":{"q":"x"}},"thoughtSignature":"C1"},
          {"functionCall":{"id":"g2","name":"fetch","args":{"url":"u"}}}]}}],
          "usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":20,"thoughtsTokenCount":30}})",
      R"({"responseId":"a2","candidates":[{"finishReason":"STOP","content":{"parts":[
          {"text":"Planning","thought":true},
          {"functionCall":{"id":"x","name":"f","args":{}},"thoughtSignature":"C"}]}}],
          "usageMetadata":{"promptTokenCount":5}})",
      R"({"responseId":"a3","candidates":[{"finishReason":"STOP","content":{"parts":[
          {"text":"Here is the answer"},{"inlineData":{"mimeType":"image/png","data":"AAAA"}},
          {"text":" and more","thoughtSignature":"S"},{"text":"","thoughtSignature":"E"}]},
          "groundingMetadata":{"groundingChunks":[{"web":{"uri":"https://b.example","title":"B"}}]}}],
          "usageMetadata":{"promptTokenCount":7,"cachedContentTokenCount":2,"candidatesTokenCount":9}})",
      R"({"responseId":"a4","candidates":[{"finishReason":"SAFETY","content":{"parts":[
          {"text":"hmm","thought":true}]}}],"usageMetadata":{"promptTokenCount":7}})",
      R"({"responseId":"a5","candidates":[{"finishReason":"MAX_TOKENS","content":{"parts":[
          {"text":"Long answer that got cut"}]}}],"usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":100}})",
  };
  for (const char* text : responses) {
    const json response = J(text);
    for (const ResponseContext& context : {StreamContext(false, false), StreamContext(true, false), StreamContext(true, true)}) {
      SCOPED_TRACE(::testing::Message() << text << " thinking=" << context.thinking
                                        << " show=" << context.show_thinking);
      auto whole = ConvertMessagesResponse(response, context);
      ASSERT_TRUE(whole.ok()) << whole.status();
      json streamed = Accumulate(RunStream(context, SplitIntoEvents(response)));
      EXPECT_EQ(streamed["content"], (*whole)["content"]);
      EXPECT_EQ(streamed["id"], (*whole)["id"]);
      EXPECT_EQ(streamed["stop_reason"], (*whole)["stop_reason"]);
      EXPECT_EQ(streamed["usage"], (*whole)["usage"]);
      EXPECT_EQ(streamed["model"], (*whole)["model"]);
      // The whole response as a single event gives the same message too.
      EXPECT_EQ(Accumulate(RunStream(context, {response}))["content"], (*whole)["content"]);
    }
  }
}

}  // namespace
}  // namespace gempool::anthropic
