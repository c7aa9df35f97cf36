#include "gempool/responses/stream_converter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/responses/response_converter.h"
#include "gempool/testing/status_matchers.h"
#include "test_util.h"

namespace gempool::responses {
namespace {

using gempool::testing::StatusIs;
using nlohmann::json;
using testing::AccumulateOutput;
using testing::J;
using testing::RunStream;
using testing::Types;
using ::testing::ElementsAre;

ResponseContext StreamContext(bool summary = true, bool include = true) {
  ResponseContext context;
  context.response_id = "resp_s";
  context.model = "gemini-3-pro-preview";
  context.created_at = 1;
  context.reasoning_summary = summary;
  context.include_encrypted_reasoning = include;
  return context;
}

json Chunk(const std::string& parts_json, const std::string& finish = "", const std::string& usage_json = "") {
  json event = J(R"({"responseId":"g","candidates":[{"index":0,"content":{"role":"model"}}]})");
  if (!parts_json.empty()) event["candidates"][0]["content"]["parts"] = J(parts_json);
  if (!finish.empty()) event["candidates"][0]["finishReason"] = finish;
  if (!usage_json.empty()) event["usageMetadata"] = J(usage_json);
  return event;
}

TEST(StreamConverterTest, TextEventOrder) {
  std::vector<StreamEvent> events =
      RunStream(StreamContext(), {Chunk(R"([{"text":"Hel"}])"), Chunk(R"([{"text":"lo"}])", "STOP",
                                                               R"({"promptTokenCount":3,"candidatesTokenCount":2})")});
  EXPECT_THAT(Types(events),
              ElementsAre("response.created", "response.in_progress", "response.output_item.added",
                          "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                          "response.output_text.done", "response.content_part.done", "response.output_item.done",
                          "response.completed"));
  EXPECT_EQ(events[6].data["text"], "Hello");
  EXPECT_EQ(events[4].data["logprobs"], json::array());
  const json& done = events.back().data["response"];
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(done["usage"]["total_tokens"], 5);
  EXPECT_EQ(done["output"][0]["content"][0]["text"], "Hello");
  EXPECT_EQ(FrameEvent(events[0]).rfind("event: response.created\ndata: {", 0), 0u);
}

TEST(StreamConverterTest, ReasoningThenCallEventOrder) {
  std::vector<StreamEvent> events = RunStream(
      StreamContext(), {Chunk(R"([{"text":"plan","thought":true}])"),
                  Chunk(R"([{"functionCall":{"name":"f","args":{"x":1}},"thoughtSignature":"SIG"}])", "STOP")});
  EXPECT_THAT(Types(events),
              ElementsAre("response.created", "response.in_progress", "response.output_item.added",
                          "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta",
                          "response.reasoning_summary_text.done", "response.reasoning_summary_part.done",
                          "response.output_item.done", "response.output_item.added",
                          "response.function_call_arguments.delta", "response.function_call_arguments.done",
                          "response.output_item.done", "response.completed"));
  EXPECT_EQ(events[7].data["item"]["encrypted_content"], "gempool.r1.n.SIG");
  EXPECT_EQ(events[10].data["arguments"], R"({"x":1})");
}

TEST(StreamConverterTest, IncompleteAndFinishWithoutReason) {
  std::vector<StreamEvent> cut = RunStream(StreamContext(), {Chunk(R"([{"text":"a"}])", "MAX_TOKENS")});
  EXPECT_EQ(cut.back().type, "response.incomplete");
  EXPECT_EQ(cut.back().data["response"]["incomplete_details"]["reason"], "max_output_tokens");
  std::vector<StreamEvent> open = RunStream(StreamContext(), {Chunk(R"([{"text":"a"}])")});
  EXPECT_EQ(open.back().type, "response.completed");
  std::vector<StreamEvent> empty = RunStream(StreamContext(), {});
  EXPECT_THAT(Types(empty), ElementsAre("response.created", "response.in_progress", "response.completed"));
}

TEST(StreamConverterTest, ErrorsFailTheResponse) {
  ResponsesStreamConverter converter(StreamContext());
  ASSERT_TRUE(converter.OnEvent(Chunk(R"([{"text":"a"}])")).ok());
  json error_event = J(R"({"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}})");
  EXPECT_THAT(converter.OnEvent(error_event).status(), StatusIs(absl::StatusCode::kResourceExhausted));
  std::vector<StreamEvent> failed = converter.Fail(openai::ConvertGeminiError(0, error_event));
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].type, "response.failed");
  EXPECT_EQ(failed[0].data["response"]["status"], "failed");
  EXPECT_EQ(failed[0].data["response"]["error"]["code"], "rate_limit_exceeded");
  EXPECT_TRUE(converter.closed());
  EXPECT_TRUE(converter.Finish().empty());
  EXPECT_THAT(converter.OnEvent(Chunk("")).status(), StatusIs(absl::StatusCode::kFailedPrecondition));

  ResponsesStreamConverter fresh(StreamContext());
  std::vector<StreamEvent> early = fresh.Fail(openai::ConvertGeminiErrorText(503, "down"));
  EXPECT_THAT(Types(early), ElementsAre("response.created", "response.in_progress", "response.failed"));
  testing::ExpectValidSequence(early);
  EXPECT_THAT(ResponsesStreamConverter(StreamContext()).OnEvent(J("3")).status(), StatusIs(absl::StatusCode::kInternal));
}

// One realistic Gemini answer per case, as whole parts.
std::vector<json> Answers() {
  return {
      J(R"({"responseId":"a","candidates":[{"content":{"parts":[{"text":"Hello, wörld! "},{"text":"Bye."}]},
          "finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":3}})"),
      J(R"({"responseId":"b","candidates":[{"content":{"parts":[{"text":"think a","thought":true},
          {"text":" think b","thought":true,"thoughtSignature":"T1"},{"text":"Answer","thoughtSignature":"T2"},
          {"functionCall":{"name":"f","args":{"q":"x"}},"thoughtSignature":"T3"},{"functionCall":{"name":"g"}}]},
          "finishReason":"STOP"}]})"),
      J(R"({"responseId":"c","candidates":[{"content":{"parts":[{"text":"cut off"}]},"finishReason":"MAX_TOKENS"}]})"),
      J(R"({"responseId":"d","candidates":[{"content":{"parts":[{"text":"News"}]},"finishReason":"STOP",
          "groundingMetadata":{"groundingChunks":[{"web":{"uri":"https://n.example","title":"N"}}]}}]})"),
      J(R"({"responseId":"e","candidates":[{"content":{"parts":[]},"finishReason":"SAFETY"}]})"),
      J(R"({"responseId":"f","candidates":[{"content":{"parts":[{"thoughtSignature":"ONLY"},
          {"inlineData":{"mimeType":"image/png","data":"AAAA"}},{"executableCode":{"language":"PYTHON","code":"1"}}]},
          "finishReason":"STOP"}]})"),
  };
}

// Splits every part of `answer` across events: text cut into 1-3 byte
// pieces (UTF-8 kept whole), each other part its own event, the finish and
// usage in a last event of their own.
std::vector<json> Split(const json& answer) {
  std::vector<json> events;
  const json& candidate = answer["candidates"][0];
  for (const json& part : candidate["content"]["parts"]) {
    if (part.contains("text") && !part.contains("thoughtSignature")) {
      const std::string text = part["text"].get<std::string>();
      size_t i = 0;
      size_t step = 1;
      while (i < text.size()) {
        size_t n = std::min(step, text.size() - i);
        while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) ++n;
        json piece = part;
        piece["text"] = text.substr(i, n);
        json event = J(R"({"candidates":[{"content":{"role":"model","parts":[]}}]})");
        event["responseId"] = answer["responseId"];
        event["candidates"][0]["content"]["parts"].push_back(piece);
        events.push_back(event);
        i += n;
        step = step % 3 + 1;
      }
    } else {
      json event = J(R"({"candidates":[{"content":{"role":"model","parts":[]}}]})");
      event["responseId"] = answer["responseId"];
      event["candidates"][0]["content"]["parts"].push_back(part);
      events.push_back(event);
    }
  }
  json last = J(R"({"candidates":[{"content":{"role":"model","parts":[]}}]})");
  last["responseId"] = answer["responseId"];
  last["candidates"][0]["finishReason"] = candidate["finishReason"];
  if (candidate.contains("groundingMetadata")) last["candidates"][0]["groundingMetadata"] = candidate["groundingMetadata"];
  if (answer.contains("usageMetadata")) last["usageMetadata"] = answer["usageMetadata"];
  events.push_back(last);
  return events;
}

TEST(StreamConverterTest, StreamAndNonStreamGiveTheSameResponse) {
  for (bool summary : {false, true}) {
    for (bool include : {false, true}) {
      for (const json& answer : Answers()) {
        SCOPED_TRACE(answer.dump());
        ResponseContext context = StreamContext(summary, include);
        auto whole = ConvertResponsesResponse(answer, context);
        ASSERT_TRUE(whole.ok()) << whole.status();
        ResponsesStreamConverter converter(context);
        std::vector<StreamEvent> events = RunStream(context, Split(answer), &converter);
        json final_response = events.back().data["response"];
        EXPECT_EQ(final_response, whole->response);
        EXPECT_EQ(AccumulateOutput(events), whole->response["output"]);
        EXPECT_EQ(converter.stored(), whole->stored);
      }
    }
  }
}

}  // namespace
}  // namespace gempool::responses
