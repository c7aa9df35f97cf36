#include "gempool/imagehost/inline_images.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::imagehost {
namespace {

using nlohmann::json;

json Answer() {
  return json::parse(R"({"candidates":[{"content":{"role":"model","parts":[
      {"text":"Here it is"},
      {"inlineData":{"mimeType":"image/png","data":"iVBORw0K"},"thoughtSignature":"sig"},
      {"inlineData":{"mimeType":"audio/wav","data":"UklGRg=="}},
      {"inline_data":{"mime_type":"image/jpeg","data":"/9j/4A=="}}]}}]})");
}

TEST(InlineImagesTest, FindsImagePartsOnly) {
  const std::vector<InlineImageAt> found = FindInlineImages(Answer());
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].part, 1u);
  EXPECT_EQ(found[1].part, 3u);
  EXPECT_TRUE(FindInlineImages(json::parse(R"({"candidates":[{"content":{"parts":[{"text":"x"}]}}]})")).empty());
  EXPECT_TRUE(FindInlineImages(json::parse(R"({"candidates":"x"})")).empty());
  EXPECT_TRUE(FindInlineImages(json::array()).empty());
}

TEST(InlineImagesTest, DecodesTheBytes) {
  const json answer = Answer();
  absl::StatusOr<Image> image = ImageAt(answer, FindInlineImages(answer)[0]);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->mime_type, "image/png");
  EXPECT_EQ(image->bytes, "\x89PNG\r\n");
}

TEST(InlineImagesTest, ReplacesThePartWithAMarkdownLink) {
  json answer = Answer();
  ReplaceWithLink(answer, FindInlineImages(answer)[0], "https://img.example.com/a (1).png");
  const json& part = answer["candidates"][0]["content"]["parts"][1];
  EXPECT_EQ(part["text"], "\n\n![image](https://img.example.com/a%20%281%29.png)\n\n");
  EXPECT_EQ(part["thoughtSignature"], "sig");
  EXPECT_FALSE(part.contains("inlineData"));
  EXPECT_EQ(FindInlineImages(answer).size(), 1u);
}

TEST(InlineImagesTest, PreCheck) {
  EXPECT_TRUE(MayHoldInlineImage(R"({"inlineData":{}})"));
  EXPECT_FALSE(MayHoldInlineImage(R"({"text":"hi"})"));
}

}  // namespace
}  // namespace gempool::imagehost

namespace gempool::imagehost {
namespace {

TEST(RequestMayAnswerImagesTest, ImageModalityOrImageModel) {
  using nlohmann::json;
  EXPECT_FALSE(RequestMayAnswerImages(json::parse(R"({"contents":[]})"), "gemini-2.5-flash"));
  EXPECT_FALSE(RequestMayAnswerImages(json::parse(R"({"generationConfig":{"responseModalities":["TEXT"]}})"),
                                      "gemini-2.0-flash-exp"));
  EXPECT_TRUE(RequestMayAnswerImages(json::parse(R"({"generationConfig":{"responseModalities":["Text","Image"]}})"),
                                     "gemini-2.0-flash-exp"));
  EXPECT_TRUE(RequestMayAnswerImages(json::parse(R"({"generation_config":{"response_modalities":["IMAGE"]}})"),
                                     "gemini-2.0-flash-exp"));
  EXPECT_TRUE(RequestMayAnswerImages(json::parse("{}"), "gemini-2.5-flash-image-preview"));
  // Odd shapes are not images, and never throw.
  EXPECT_FALSE(RequestMayAnswerImages(json::parse(R"({"generationConfig":{"responseModalities":"IMAGE"}})"), "m"));
  EXPECT_FALSE(RequestMayAnswerImages(json::parse(R"({"generationConfig":[1]})"), "m"));
  EXPECT_FALSE(RequestMayAnswerImages(json::parse("[]"), "m"));
}

}  // namespace
}  // namespace gempool::imagehost
