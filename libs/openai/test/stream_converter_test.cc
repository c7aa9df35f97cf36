// Streaming translation (protocol.md §5 "Streaming translation" steps 1-5,
// §6.1, §6.2, §6.4, §6.5, §6.6, §6.18).

#include "gempool/openai/stream_converter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/openai/errors.h"
#include "gempool/testing/status_matchers.h"
#include "test_json.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::J;

ResponseContext Context() {
  ResponseContext context;
  context.model = "gemini-2.5-flash";
  context.created = 1'700'000'000;
  context.fallback_id = "chatcmpl-fallback";
  return context;
}

// Feeds every event, then Finish(); returns all chunks.
std::vector<nlohmann::json> Feed(ChatStreamConverter& converter, const std::vector<std::string>& events) {
  std::vector<nlohmann::json> all;
  for (const std::string& event : events) {
    auto chunks = converter.OnEvent(J(event));
    EXPECT_TRUE(chunks.ok()) << chunks.status();
    if (chunks.ok()) all.insert(all.end(), chunks->begin(), chunks->end());
  }
  std::vector<nlohmann::json> tail = converter.Finish();
  all.insert(all.end(), tail.begin(), tail.end());
  return all;
}

std::vector<nlohmann::json> Feed(const std::vector<std::string>& events, bool include_usage = false,
                                ResponseContext context = Context()) {
  ChatStreamConverter converter(std::move(context), include_usage);
  return Feed(converter, events);
}

const nlohmann::json& Delta(const nlohmann::json& chunk) { return chunk["choices"][0]["delta"]; }

TEST(StreamConverterTest, TextStreamHasRoleContentAndASeparateFinishChunk) {
  std::vector<nlohmann::json> chunks = Feed({
      R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]},"index":0}],"responseId":"r1"})",
      R"({"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]},"finishReason":"STOP","index":0}],
          "responseId":"r1"})",
  });
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[0], J(R"({"id":"chatcmpl-r1","object":"chat.completion.chunk","created":1700000000,
      "model":"gemini-2.5-flash","choices":[{"index":0,"delta":{"role":"assistant","content":""},
      "logprobs":null,"finish_reason":null}]})"));
  EXPECT_EQ(Delta(chunks[1]), J(R"({"content":"Hel"})"));
  EXPECT_EQ(Delta(chunks[2]), J(R"({"content":"lo"})"));
  EXPECT_EQ(Delta(chunks[3]), J("{}"));
  EXPECT_EQ(chunks[3]["choices"][0]["finish_reason"], "stop");
  for (const auto& chunk : chunks) {
    EXPECT_EQ(chunk["id"], "chatcmpl-r1");
    EXPECT_EQ(chunk["created"], 1700000000);
    EXPECT_FALSE(chunk.contains("usage")) << "no usage key without include_usage";
  }
}

TEST(StreamConverterTest, ThoughtsStreamAsReasoningContent) {
  std::vector<nlohmann::json> chunks = Feed({
      R"({"candidates":[{"content":{"parts":[{"text":"Hmm","thought":true}]}}]})",
      R"({"candidates":[{"content":{"parts":[{"text":" ok","thought":true},{"text":"Answer"}]},"finishReason":"STOP"}]})",
  });
  ASSERT_EQ(chunks.size(), 5u);
  EXPECT_EQ(Delta(chunks[1]), J(R"({"reasoning_content":"Hmm"})"));
  EXPECT_EQ(Delta(chunks[2]), J(R"({"reasoning_content":" ok"})"));
  EXPECT_EQ(Delta(chunks[3]), J(R"({"content":"Answer"})"));
}

TEST(StreamConverterTest, ToolCallDeltasCarryIndexIdTypeNameAndArguments) {
  std::vector<nlohmann::json> chunks = Feed({
      R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},
          "thoughtSignature":"c2ln"}]}}],"responseId":"t"})",
      R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_time","args":{}}}]},
          "finishReason":"STOP"}],"responseId":"t"})",
  });
  ASSERT_EQ(chunks.size(), 4u);
  const auto& first = Delta(chunks[1])["tool_calls"];
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0]["index"], 0);
  EXPECT_THAT(first[0]["id"].get<std::string>(), StartsWith("call_"));
  EXPECT_EQ(first[0]["type"], "function");
  EXPECT_EQ(first[0]["function"], J(R"({"name":"get_weather","arguments":"{\"city\":\"Paris\"}"})"));
  EXPECT_EQ(first[0]["extra_content"], J(R"({"google":{"thought_signature":"c2ln"}})"));
  const auto& second = Delta(chunks[2])["tool_calls"];
  EXPECT_EQ(second[0]["index"], 1);
  EXPECT_NE(second[0]["id"], first[0]["id"]);
  // Gemini says STOP; the client must hear tool_calls.
  EXPECT_EQ(chunks[3]["choices"][0]["finish_reason"], "tool_calls");
}

TEST(StreamConverterTest, StreamAndNonStreamToolCallIdsAgree) {
  const char* event = R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}}}]},
      "finishReason":"STOP"}],"responseId":"same"})";
  std::vector<nlohmann::json> chunks = Feed({event});
  auto whole = ConvertChatResponse(J(event), Context());
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(Delta(chunks[1])["tool_calls"][0]["id"], (*whole)["choices"][0]["message"]["tool_calls"][0]["id"]);
}

TEST(StreamConverterTest, MaxTokensWithEmptyLastChunkStillFinishes) {
  std::vector<nlohmann::json> chunks = Feed({
      R"({"candidates":[{"content":{"parts":[{"text":"partial"}]}}]})",
      R"({"candidates":[{"finishReason":"MAX_TOKENS","index":0}]})",
  });
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(Delta(chunks[2]), J("{}"));
  EXPECT_EQ(chunks[2]["choices"][0]["finish_reason"], "length");
}

TEST(StreamConverterTest, ContentLessFinalChunk) {
  std::vector<nlohmann::json> chunks = Feed({
      R"({"candidates":[{"content":{"parts":[{"text":"done"}]}}]})",
      R"({"candidates":[{"content":{"role":"model"},"finishReason":"STOP","index":0}]})",
  });
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[2]["choices"][0]["finish_reason"], "stop");
}

TEST(StreamConverterTest, IncludeUsageAddsNullUsageAndOneFinalUsageChunkFromTheLastMetadata) {
  std::vector<nlohmann::json> chunks = Feed(
      {
          R"({"candidates":[{"content":{"parts":[{"text":"a"}]}}],
              "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":49,"totalTokenCount":59}})",
          R"({"candidates":[{"content":{"parts":[{"text":"b"}]}}],
              "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":97,"totalTokenCount":107}})",
          R"({"candidates":[{"content":{"parts":[{"text":"c"}]},"finishReason":"STOP"}],
              "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":146,"thoughtsTokenCount":4,
                               "totalTokenCount":160}})",
      },
      /*include_usage=*/true);
  ASSERT_EQ(chunks.size(), 6u);
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    ASSERT_TRUE(chunks[i].contains("usage"));
    EXPECT_TRUE(chunks[i]["usage"].is_null()) << i;
  }
  EXPECT_EQ(chunks[4]["choices"][0]["finish_reason"], "stop") << "finish chunk comes before the usage chunk";
  const auto& last = chunks[5];
  EXPECT_EQ(last["choices"], J("[]"));
  EXPECT_EQ(last["id"], chunks[0]["id"]);
  EXPECT_EQ(last["usage"]["prompt_tokens"], 10);
  EXPECT_EQ(last["usage"]["completion_tokens"], 150) << "the last running total, never a sum";
  EXPECT_EQ(last["usage"]["total_tokens"], 160);
  EXPECT_EQ(last["usage"]["completion_tokens_details"]["reasoning_tokens"], 4);
}

TEST(StreamConverterTest, InStreamErrorEventIsAnError) {
  ChatStreamConverter converter(Context(), false);
  ASSERT_TRUE(converter.OnEvent(J(R"({"candidates":[{"content":{"parts":[{"text":"a"}]}}]})")).ok());
  nlohmann::json error = J(R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})");
  EXPECT_THAT(converter.OnEvent(error), StatusIs(absl::StatusCode::kUnavailable, "The model is overloaded."));
  OpenAIError body = ConvertGeminiError(0, error);
  EXPECT_EQ(body.http_status, 503);
  EXPECT_EQ(body.body["error"]["message"], "The model is overloaded.");
  EXPECT_THAT(converter.OnEvent(J(R"([{"error":{"code":429,"message":"q","status":"RESOURCE_EXHAUSTED"}}])")),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(converter.OnEvent(J("42")), StatusIs(absl::StatusCode::kInternal));
}

TEST(StreamConverterTest, FinishClosesAnUnfinishedStream) {
  ChatStreamConverter converter(Context(), true);
  std::vector<nlohmann::json> chunks =
      Feed(converter, {R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}}}]}}]})"});
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[2]["choices"][0]["finish_reason"], "tool_calls");
  EXPECT_EQ(chunks[3]["choices"], J("[]"));
  EXPECT_FALSE(converter.upstream_finished());
  EXPECT_TRUE(converter.Finish().empty()) << "Finish is idempotent";
  EXPECT_THAT(converter.OnEvent(J("{}")), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(StreamConverterTest, EmptyUpstreamStreamStillGivesAValidStream) {
  ChatStreamConverter converter(Context(), false);
  std::vector<nlohmann::json> chunks = converter.Finish();
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0]["id"], "chatcmpl-fallback");
  EXPECT_EQ(Delta(chunks[0])["role"], "assistant");
  EXPECT_EQ(chunks[1]["choices"][0]["finish_reason"], "stop");
}

TEST(StreamConverterTest, UpstreamFinishedAfterAFinishReason) {
  ChatStreamConverter converter(Context(), false);
  Feed(converter, {R"({"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"STOP"}]})"});
  EXPECT_TRUE(converter.upstream_finished());
}

TEST(StreamConverterTest, BlockedPromptInAStream) {
  std::vector<nlohmann::json> chunks = Feed({R"({"promptFeedback":{"blockReason":"SAFETY"}})"});
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_THAT(Delta(chunks[1])["refusal"].get<std::string>(), HasSubstr("blockReason: SAFETY"));
  EXPECT_EQ(chunks[2]["choices"][0]["finish_reason"], "content_filter");
}

TEST(StreamConverterTest, SafetyStopAfterTextHasNoRefusal) {
  std::vector<nlohmann::json> chunks = Feed({
      R"({"candidates":[{"content":{"parts":[{"text":"some"}]}}]})",
      R"({"candidates":[{"finishReason":"SAFETY"}]})",
  });
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[2]["choices"][0]["finish_reason"], "content_filter");
}

TEST(StreamConverterTest, GroundingLinksComeBeforeTheFinishChunk) {
  std::vector<nlohmann::json> chunks = Feed({
      R"({"candidates":[{"content":{"parts":[{"text":"News."}]}}]})",
      R"({"candidates":[{"content":{"parts":[{"text":""}]},"finishReason":"STOP",
          "groundingMetadata":{"groundingChunks":[{"web":{"uri":"https://n.example","title":"n.example"}}]}}]})",
  });
  ASSERT_EQ(chunks.size(), 4u) << "the empty text part adds no delta";
  EXPECT_EQ(Delta(chunks[2]), J(R"({"content":"\n\n**Sources**\n1. [n.example](https://n.example)\n"})"));
  EXPECT_EQ(chunks[3]["choices"][0]["finish_reason"], "stop");
}

TEST(StreamConverterTest, PartsOfOneEventKeepTheirOrder) {
  std::vector<nlohmann::json> chunks = Feed({
      R"({"candidates":[{"content":{"parts":[{"text":"think","thought":true},{"text":"a"},{"text":"b"},
          {"functionCall":{"name":"f","args":{"x":1}}},{"text":"c","thoughtSignature":"sig"}]},"finishReason":"STOP"}]})",
  });
  ASSERT_EQ(chunks.size(), 6u);
  EXPECT_EQ(Delta(chunks[1]), J(R"({"reasoning_content":"think"})"));
  EXPECT_EQ(Delta(chunks[2]), J(R"({"content":"ab"})"));
  EXPECT_EQ(Delta(chunks[3])["tool_calls"][0]["function"]["arguments"], "{\"x\":1}");
  EXPECT_EQ(Delta(chunks[4]), J(R"({"content":"c","extra_content":{"google":{"thought_signature":"sig"}}})"));
  EXPECT_EQ(chunks[5]["choices"][0]["finish_reason"], "tool_calls");
}

TEST(StreamConverterTest, SeveralCandidatesAreTrackedSeparately) {
  std::vector<nlohmann::json> chunks = Feed({
      R"({"candidates":[{"content":{"parts":[{"text":"A"}]}},{"content":{"parts":[{"text":"B"}]},"index":1}]})",
      R"({"candidates":[{"finishReason":"STOP"},{"finishReason":"MAX_TOKENS","index":1}]})",
  });
  ASSERT_EQ(chunks.size(), 6u);
  EXPECT_EQ(chunks[0]["choices"][0]["index"], 0);
  EXPECT_EQ(chunks[2]["choices"][0]["index"], 1);
  EXPECT_EQ(Delta(chunks[2])["role"], "assistant");
  EXPECT_EQ(chunks[4]["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(chunks[5]["choices"][0]["index"], 1);
  EXPECT_EQ(chunks[5]["choices"][0]["finish_reason"], "length");
}

TEST(StreamConverterTest, IdComesFromTheFirstEvent) {
  std::vector<nlohmann::json> chunks = Feed({
      R"({"candidates":[{"content":{"parts":[{"text":"a"}]}}]})",
      R"({"candidates":[{"content":{"parts":[{"text":"b"}]},"finishReason":"STOP"}],"responseId":"late"})",
  });
  for (const auto& chunk : chunks) EXPECT_EQ(chunk["id"], "chatcmpl-fallback");
}

TEST(StreamConverterTest, NothingFollowsAFinishedChoice) {
  ChatStreamConverter converter(Context(), false);
  std::vector<nlohmann::json> chunks = Feed(converter, {
      R"({"candidates":[{"content":{"parts":[{"text":"a"}]},"finishReason":"STOP"}]})",
      R"({"candidates":[{"content":{"parts":[{"text":"late"}]}}]})",
  });
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks.back()["choices"][0]["finish_reason"], "stop");
}

TEST(StreamConverterTest, LogprobsAndInlineImagesStream) {
  ChatStreamConverter converter(Context(), false);
  EXPECT_EQ(converter.id(), "");
  std::vector<nlohmann::json> chunks = Feed(converter, {
      R"({"responseId":"img","candidates":[{"content":{"parts":[{"text":"Hi"}]},
          "logprobsResult":{"chosenCandidates":[{"token":"Hi","logProbability":-0.5}]}}]})",
      R"({"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"QUJD"}}]},
          "finishReason":"STOP"}]})",
  });
  EXPECT_EQ(converter.id(), "chatcmpl-img");
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[1]["choices"][0]["logprobs"]["content"][0]["logprob"], -0.5);
  EXPECT_TRUE(chunks[2]["choices"][0]["logprobs"].is_null());
  EXPECT_EQ(Delta(chunks[2]), J(R"({"content":"\n\n![image](data:image/png;base64,QUJD)\n\n"})"));
}

}  // namespace
}  // namespace gempool::openai
