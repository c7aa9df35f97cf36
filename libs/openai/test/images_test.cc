// /v1/images/generations ⇄ Imagen :predict and Gemini image models.

#include "gempool/openai/images.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"
#include "test_json.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::IsOkAndHolds;
using ::gempool::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using testing::J;

ImageGenerationRequest MustConvertImage(const std::string& body, const ConversionOptions& options = {}) {
  auto converted = ConvertImageRequest(J(body), options);
  EXPECT_TRUE(converted.ok()) << converted.status();
  return converted.ok() ? *converted : ImageGenerationRequest{};
}

TEST(ImagesTest, OpenAIModelNamesUseTheConfiguredImagenModel) {
  ConversionOptions options;
  options.create_image_model = "imagen-4.0-generate-001";
  ImageGenerationRequest request =
      MustConvertImage(R"({"model":"dall-e-3","prompt":"a cat","n":2,"size":"1792x1024"})", options);
  EXPECT_EQ(request.model, "imagen-4.0-generate-001");
  EXPECT_EQ(request.backend, ImageBackend::kImagenPredict);
  EXPECT_EQ(request.body, J(R"({"instances":[{"prompt":"a cat"}],"parameters":{"sampleCount":2,"aspectRatio":"16:9"}})"));
}

TEST(ImagesTest, ImagenModelNamedByTheClientAndOutputFormat) {
  ImageGenerationRequest request = MustConvertImage(
      R"({"model":"models/imagen-3.0-generate-002","prompt":"p","output_format":"jpeg","size":"auto"})");
  EXPECT_EQ(request.model, "imagen-3.0-generate-002");
  EXPECT_EQ(request.body["parameters"], J(R"({"sampleCount":1,"outputOptions":{"mimeType":"image/jpeg"}})"));
}

TEST(ImagesTest, GeminiImageModelsUseGenerateContent) {
  ImageGenerationRequest request = MustConvertImage(
      R"({"model":"gemini-2.5-flash-image","prompt":"a dog","extra_body":{"google":{"aspect_ratio":"3:2"}}})");
  EXPECT_EQ(request.backend, ImageBackend::kGeminiGenerateContent);
  EXPECT_EQ(request.body, J(R"({"contents":[{"role":"user","parts":[{"text":"a dog"}]}],
      "generationConfig":{"responseModalities":["TEXT","IMAGE"],"imageConfig":{"aspectRatio":"3:2"}}})"));
  EXPECT_THAT(ConvertImageRequest(J(R"({"model":"gemini-2.5-flash-image","prompt":"p","n":2})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("makes one image per request")));
}

TEST(ImagesTest, SizesMapToTheNearestAspectRatio) {
  EXPECT_THAT(AspectRatioForSize("1024x1024"), IsOkAndHolds(std::string("1:1")));
  EXPECT_THAT(AspectRatioForSize("1792x1024"), IsOkAndHolds(std::string("16:9")));
  EXPECT_THAT(AspectRatioForSize("1024x1792"), IsOkAndHolds(std::string("9:16")));
  EXPECT_THAT(AspectRatioForSize("1536x1024"), IsOkAndHolds(std::string("4:3")));
  EXPECT_THAT(AspectRatioForSize("1024x1536"), IsOkAndHolds(std::string("3:4")));
  EXPECT_THAT(AspectRatioForSize("256x256"), IsOkAndHolds(std::string("1:1")));
  EXPECT_THAT(AspectRatioForSize("big"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ConvertImageRequest(J(R"({"prompt":"p","size":"0x5"})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("size '0x5'")));
}

TEST(ImagesTest, RequestErrors) {
  EXPECT_THAT(ConvertImageRequest(J(R"({"model":"dall-e-3"})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("prompt is required")));
  EXPECT_THAT(ConvertImageRequest(J(R"({"prompt":"p","n":5})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Imagen makes at most 4")));
  EXPECT_THAT(ConvertImageRequest(J(R"({"prompt":"p","response_format":"png"})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("response_format 'png'")));
  EXPECT_THAT(ConvertImageRequest(J(R"({"prompt":"p","stream":true})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stream")));
}

TEST(ImagesTest, ImagenPredictionsBecomeB64Json) {
  ImageGenerationRequest request = MustConvertImage(R"({"prompt":"p","n":2,"quality":"hd"})");
  EXPECT_THAT(request.warnings, Contains(HasSubstr("quality")));
  auto out = ConvertImageResponse(J(R"({"predictions":[{"bytesBase64Encoded":"AAA=","mimeType":"image/png"},
      {"raiFilteredReason":"filtered"},{"bytesBase64Encoded":"BBB=","mimeType":"image/png","prompt":"better p"}]})"),
                                  request, 1'700'000'000);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, J(R"({"created":1700000000,"data":[{"b64_json":"AAA="},
                                                      {"b64_json":"BBB=","revised_prompt":"better p"}]})"));
}

TEST(ImagesTest, UrlOutputUsesDataUrls) {
  ImageGenerationRequest request = MustConvertImage(R"({"prompt":"p","response_format":"url"})");
  auto out = ConvertImageResponse(J(R"({"predictions":[{"bytesBase64Encoded":"AAA=","mimeType":"image/jpeg"}]})"),
                                  request, 1);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)["data"][0], J(R"({"url":"data:image/jpeg;base64,AAA="})"));
}

TEST(ImagesTest, GeminiImagePartsBecomeB64Json) {
  ImageGenerationRequest request = MustConvertImage(R"({"model":"gemini-2.5-flash-image","prompt":"p"})");
  auto out = ConvertImageResponse(J(R"({"candidates":[{"content":{"parts":[{"text":"Here you go"},
      {"inlineData":{"mimeType":"image/png","data":"QUJD"}}]},"finishReason":"STOP"}]})"),
                                  request, 5);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, J(R"({"created":5,"data":[{"b64_json":"QUJD"}]})"));
}

TEST(ImagesTest, NoImageIsAnErrorWithTheReason) {
  ImageGenerationRequest imagen = MustConvertImage(R"({"prompt":"p"})");
  EXPECT_THAT(ConvertImageResponse(J(R"({"predictions":[{"raiFilteredReason":"person generation blocked"}]})"),
                                   imagen, 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("person generation blocked")));
  EXPECT_THAT(ConvertImageResponse(J("{}"), imagen, 1), StatusIs(absl::StatusCode::kInvalidArgument));
  ImageGenerationRequest gemini = MustConvertImage(R"({"model":"gemini-2.5-flash-image","prompt":"p"})");
  EXPECT_THAT(ConvertImageResponse(J(R"({"promptFeedback":{"blockReason":"SAFETY"}})"), gemini, 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("SAFETY")));
}

TEST(ImagesTest, PromptDirectivesBecomeImagenParametersAndWinOverNAndSize) {
  ImageGenerationRequest request =
      MustConvertImage(R"({"prompt":"a lighthouse {n:3} at dusk {ratio:9:16}","n":1,"size":"1792x1024"})");
  EXPECT_EQ(request.count, 3);
  EXPECT_EQ(request.body, J(R"({"instances":[{"prompt":"a lighthouse at dusk"}],
                                "parameters":{"sampleCount":3,"aspectRatio":"9:16"}})"));
  ImageGenerationRequest gemini = MustConvertImage(R"({"model":"gemini-2.5-flash-image","prompt":"{ratio:4:3} a dog"})");
  EXPECT_EQ(gemini.body["generationConfig"]["imageConfig"]["aspectRatio"], "4:3");
  EXPECT_EQ(gemini.body["contents"][0]["parts"][0]["text"], "a dog");
  EXPECT_THAT(ConvertImageRequest(J(R"({"prompt":"x {n:9}"})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("prompt")));
  EXPECT_THAT(ConvertImageRequest(J(R"({"prompt":"{n:2}"})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("only directives")));
}

}  // namespace
}  // namespace gempool::openai
