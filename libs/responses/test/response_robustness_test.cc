// The response and stream converters answer malformed Gemini answers with a
// status or a best-effort Response, never an exception, and every stream
// they produce keeps its order rules.

#include <gtest/gtest.h>

#include "gempool/responses/response_converter.h"
#include "gempool/responses/stream_converter.h"
#include "test_util.h"

namespace gempool::responses {
namespace {

using nlohmann::json;
using testing::J;

json Seed() {
  return J(R"({"responseId":"r","candidates":[{"index":0,"content":{"role":"model","parts":[
      {"text":"t","thought":true},{"text":"","thought":true,"thoughtSignature":"S1"},{"text":"a","thoughtSignature":"S2"},
      {"functionCall":{"id":"i","name":"f","args":{"x":1}},"thoughtSignature":"S3"},
      {"inlineData":{"mimeType":"image/png","data":"AAAA"}},{"thoughtSignature":"S4"}]},
      "finishReason":"STOP","groundingMetadata":{"groundingChunks":[{"web":{"uri":"https://u","title":"T"}}]}}],
      "promptFeedback":{"blockReason":"OTHER"},
      "usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":2,"thoughtsTokenCount":3,
                       "cachedContentTokenCount":1,"toolUsePromptTokenCount":1}})");
}

ResponseContext Context() {
  ResponseContext context;
  context.model = "m";
  context.reasoning_summary = true;
  context.include_encrypted_reasoning = true;
  return context;
}

TEST(ResponseRobustnessTest, NonStreamNeverThrows) {
  size_t variants = testing::ForEachVariant(Seed(), [](const json& answer) {
    EXPECT_NO_THROW({
      auto converted = ConvertResponsesResponse(answer, Context());
      if (converted.ok()) (void)converted->stored.dump();
    }) << answer.dump();
  });
  EXPECT_GT(variants, 300u);
}

TEST(ResponseRobustnessTest, StreamNeverThrowsAndStaysOrdered) {
  testing::ForEachVariant(Seed(), [](const json& answer) {
    EXPECT_NO_THROW({
      ResponsesStreamConverter converter(Context());
      std::vector<StreamEvent> events;
      for (int i = 0; i < 2; ++i) {
        auto converted = converter.OnEvent(answer);
        if (!converted.ok()) {
          for (StreamEvent& event : converter.Fail(openai::ConvertGeminiError(0, answer))) events.push_back(event);
          break;
        }
        for (StreamEvent& event : *converted) events.push_back(event);
      }
      for (StreamEvent& event : converter.Finish()) events.push_back(event);
      for (const StreamEvent& event : events) (void)FrameEvent(event);
      testing::ExpectValidSequence(events);
    }) << answer.dump();
  });
}

}  // namespace
}  // namespace gempool::responses
