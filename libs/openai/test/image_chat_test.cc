// "<CREATE_IMAGE_MODEL>-chat" on /v1/chat/completions.

#include "gempool/openai/image_chat.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"
#include "test_json.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::IsOk;
using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;
using testing::J;

TEST(ImageChatTest, TheModelNameFollowsCreateImageModel) {
  ConversionOptions options;
  options.create_image_model = "models/imagen-4.0-generate-001";
  EXPECT_EQ(ImageChatModel(options), "imagen-4.0-generate-001-chat");
  EXPECT_TRUE(IsImageChatModel("imagen-4.0-generate-001-chat", options));
  EXPECT_TRUE(IsImageChatModel("models/imagen-4.0-generate-001-chat", options));
  EXPECT_FALSE(IsImageChatModel("imagen-4.0-generate-001", options));
  options.create_image_model = "";
  EXPECT_EQ(ImageChatModel(options), "");
  EXPECT_FALSE(IsImageChatModel("-chat", options));
}

TEST(ImageChatTest, TheLastUserMessageIsThePromptWithItsDirectives) {
  auto request = ConvertImageChatRequest(J(R"j({"model":"imagen-3.0-generate-002-chat","messages":[
      {"role":"user","content":"first idea"},
      {"role":"assistant","content":"![image](data:...)"},
      {"role":"user","content":[{"type":"text","text":"a harbour {n:2}"},{"type":"text","text":"at night {ratio:16:9}"}]},
      {"role":"system","content":"ignored"}]})j"),
                                         ConversionOptions());
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->model, "imagen-3.0-generate-002");
  EXPECT_EQ(request->backend, ImageBackend::kImagenPredict);
  EXPECT_TRUE(request->url_output);
  EXPECT_EQ(request->body, J(R"({"instances":[{"prompt":"a harbour\nat night"}],
                                 "parameters":{"sampleCount":2,"aspectRatio":"16:9"}})"));
}

TEST(ImageChatTest, NoUserTextIsAnError) {
  EXPECT_THAT(ConvertImageChatRequest(J(R"({"messages":[{"role":"assistant","content":"hi"}]})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no text")));
  EXPECT_THAT(ConvertImageChatRequest(J(R"({"model":"x"})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("messages")));
  EXPECT_THAT(ConvertImageChatRequest(J(R"({"messages":[{"role":"user","content":"{n:7} x"}]})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("{n:7}")));
}

TEST(ImageChatTest, ImagesBecomeMarkdownInAChatAnswer) {
  ImageGenerationRequest imagen;
  imagen.backend = ImageBackend::kImagenPredict;
  const nlohmann::json gemini_shape = ImagesAsGeminiAnswer(
      J(R"({"predictions":[{"bytesBase64Encoded":"AAA","mimeType":"image/jpeg"},{"raiFilteredReason":"x"},
                           {"bytesBase64Encoded":"BBB"}]})"),
      imagen);
  EXPECT_EQ(gemini_shape["candidates"][0]["content"]["parts"].size(), 2u);
  std::string markdown = ImageChatMarkdown(gemini_shape);
  EXPECT_EQ(markdown, "![image](data:image/jpeg;base64,AAA)\n\n![image](data:image/png;base64,BBB)");
  // An uploaded image is a text part with its link (the image hosting step).
  nlohmann::json hosted = gemini_shape;
  hosted["candidates"][0]["content"]["parts"][0] = J(R"({"text":"\n\n![image](https://img.example/a.jpg)\n\n"})");
  EXPECT_EQ(ImageChatMarkdown(hosted),
            "![image](https://img.example/a.jpg)\n\n![image](data:image/png;base64,BBB)");
  // A Gemini image model's answer keeps its text, not its thoughts.
  ImageGenerationRequest gemini;
  gemini.backend = ImageBackend::kGeminiGenerateContent;
  markdown = ImageChatMarkdown(ImagesAsGeminiAnswer(
      J(R"({"candidates":[{"content":{"parts":[{"text":"plan","thought":true},{"text":"Here it is."},
                                               {"inlineData":{"mimeType":"image/png","data":"CCC"}}]}}]})"),
      gemini));
  EXPECT_EQ(markdown, "Here it is.\n\n![image](data:image/png;base64,CCC)");
  const nlohmann::json completion = ImageChatCompletion(markdown, "imagen-3.0-generate-002-chat", "chatcmpl-1", 7);
  EXPECT_EQ(completion["object"], "chat.completion");
  EXPECT_EQ(completion["choices"][0]["message"]["content"], markdown);
  EXPECT_EQ(completion["choices"][0]["finish_reason"], "stop");
  const std::vector<nlohmann::json> chunks = ImageChatChunks(markdown, "m-chat", "chatcmpl-1", 7);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0]["object"], "chat.completion.chunk");
  EXPECT_EQ(chunks[0]["choices"][0]["delta"]["content"], markdown);
  EXPECT_TRUE(chunks[0]["choices"][0]["finish_reason"].is_null());
  EXPECT_EQ(chunks[1]["choices"][0]["finish_reason"], "stop");
}

}  // namespace
}  // namespace gempool::openai
