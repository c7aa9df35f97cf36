// gemini-balance's Imagen extras through the running gateway: the {n:N} and
// {ratio:W:H} prompt directives become Imagen's parameters, the
// "<CREATE_IMAGE_MODEL>-chat" model answers chat completions (streamed or
// not) with the images in Markdown, served by PAID_KEY; TTS_SPEED reaches the
// speech prompt.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kImageChat[] = "imagen-3.0-generate-002-chat";
// Google-shaped; the fake upstream accepts every key.
constexpr char kPaidKey[] = "AIzaSyPaidKeyForImagenChatTest0123456789";

class ImagenChatTest : public StackTest {
 protected:
  void SetUp() override {
    StackOptions options;
    options.extra_env = {{"PAID_KEY", kPaidKey}, {"TTS_SPEED", "slow"}};
    ASSERT_NO_FATAL_FAILURE(StartStack(options));
  }
  httplib::Headers Bearer() const { return {{"Authorization", "Bearer " + stack_->token()}}; }

  // The newest :predict request the fake upstream saw after `since`.
  UpstreamRequest LastPredict(int64_t since) {
    std::vector<UpstreamRequest> predict = Upstream("predict", since);
    EXPECT_EQ(predict.size(), 1u);
    return predict.empty() ? UpstreamRequest() : predict.back();
  }

  static json ChatBody(const std::string& text, bool stream) {
    return {{"model", kImageChat},
            {"stream", stream},
            {"messages", json::array({{{"role", "user"}, {"content", "an older idea"}},
                                      {{"role", "assistant"}, {"content", "ok"}},
                                      {{"role", "user"}, {"content", text}}})}};
  }
};

TEST_F(ImagenChatTest, DirectivesBecomeImagenParametersOnImagesGenerations) {
  const int64_t since = LastUpstreamId();
  auto r = stack().Gateway()->Post("/v1/images/generations", Bearer(),
                                   R"({"prompt":"a fox {n:3} in snow {ratio:9:16}","n":1,"size":"1024x1024"})",
                                   "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["data"].size(), 3u);
  const UpstreamRequest predict = LastPredict(since);
  const json sent = json::parse(predict.body);
  EXPECT_EQ(sent["instances"][0]["prompt"], "a fox in snow");
  EXPECT_EQ(sent["parameters"]["sampleCount"], 3);
  EXPECT_EQ(sent["parameters"]["aspectRatio"], "9:16");
  EXPECT_EQ(predict.key, kPaidKey);

  auto bad = stack().Gateway()->Post("/v1/images/generations", Bearer(), R"({"prompt":"a fox {ratio:2:1}"})",
                                     "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("{ratio:2:1}"));
}

TEST_F(ImagenChatTest, TheChatModelIsListedAndAnswersMarkdownImagesWithThePaidKey) {
  auto models = stack().Gateway()->Get("/v1/models", Bearer());
  ASSERT_TRUE(models);
  ASSERT_EQ(models->status, 200) << models->body;
  bool listed = false;
  const json list = json::parse(models->body);
  for (const json& m : list["data"]) listed = listed || m.value("id", "") == kImageChat;
  EXPECT_TRUE(listed) << models->body;

  int64_t since = LastUpstreamId();
  auto r = stack().Gateway()->Post("/v1/chat/completions", Bearer(),
                                   ChatBody("a harbour at night {n:2} {ratio:16:9}", false).dump(),
                                   "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json completion = json::parse(r->body);
  EXPECT_EQ(completion["object"], "chat.completion");
  EXPECT_EQ(completion["model"], kImageChat);
  const std::string content = completion["choices"][0]["message"]["content"];
  EXPECT_TRUE(absl::StartsWith(content, "![image](data:image/png;base64,")) << content;
  EXPECT_EQ(content.find("![image]", 1) != std::string::npos, true) << "two images: " << content;
  UpstreamRequest predict = LastPredict(since);
  json sent = json::parse(predict.body);
  EXPECT_EQ(sent["instances"][0]["prompt"], "a harbour at night");
  EXPECT_EQ(sent["parameters"]["sampleCount"], 2);
  EXPECT_EQ(sent["parameters"]["aspectRatio"], "16:9");
  EXPECT_EQ(predict.key, kPaidKey);

  since = LastUpstreamId();
  auto streamed = stack().Gateway()->Post("/v1/chat/completions", Bearer(), ChatBody("a lighthouse", true).dump(),
                                          "application/json");
  ASSERT_TRUE(streamed);
  ASSERT_EQ(streamed->status, 200) << streamed->body;
  EXPECT_THAT(streamed->get_header_value("Content-Type"), HasSubstr("text/event-stream"));
  EXPECT_THAT(streamed->body, HasSubstr("chat.completion.chunk"));
  EXPECT_THAT(streamed->body, HasSubstr("![image](data:image/png;base64,"));
  EXPECT_THAT(streamed->body, HasSubstr("\"finish_reason\":\"stop\""));
  EXPECT_TRUE(absl::EndsWith(streamed->body, "data: [DONE]\n\n"));
  predict = LastPredict(since);
  EXPECT_EQ(json::parse(predict.body)["instances"][0]["prompt"], "a lighthouse");
}

TEST_F(ImagenChatTest, TtsSpeedIsAskedForInTheSpeechPrompt) {
  const int64_t since = LastUpstreamId();
  auto r = stack().Gateway()->Post("/v1/audio/speech", Bearer(), R"({"model":"tts-1","input":"Good night","voice":"Kore"})",
                                   "application/json");
  ASSERT_TRUE(r);
  // fake-gemini answers no audio; what matters is what was asked.
  std::vector<UpstreamRequest> sent = Upstream("generateContent", since);
  ASSERT_EQ(sent.size(), 1u) << r->status << " " << r->body;
  EXPECT_EQ(json::parse(sent[0].body)["contents"][0]["parts"][0]["text"], "Speak in a slow speed voice: Good night");
}

}  // namespace
}  // namespace gempool::integration
