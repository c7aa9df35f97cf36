// /v1/audio/speech ⇄ Gemini TTS.

#include "gempool/openai/speech.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "gempool/testing/status_matchers.h"
#include "test_json.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using testing::J;

SpeechRequest MustConvertSpeech(const std::string& body, const ConversionOptions& options = {}) {
  auto converted = ConvertSpeechRequest(J(body), options);
  EXPECT_TRUE(converted.ok()) << converted.status();
  return converted.ok() ? *converted : SpeechRequest{};
}

TEST(SpeechTest, GeminiVoiceIsUsedWithTheConfiguredModel) {
  SpeechRequest request = MustConvertSpeech(R"({"model":"tts-1","input":"Hello there","voice":"kore"})");
  EXPECT_EQ(request.model, "gemini-2.5-flash-preview-tts");
  EXPECT_EQ(request.voice, "Kore");
  EXPECT_TRUE(request.warnings.empty());
  EXPECT_EQ(request.body, J(R"({"contents":[{"role":"user","parts":[{"text":"Hello there"}]}],
      "generationConfig":{"responseModalities":["AUDIO"],
        "speechConfig":{"voiceConfig":{"prebuiltVoiceConfig":{"voiceName":"Kore"}}}}})"));
}

TEST(SpeechTest, OpenAIVoiceFallsBackToTheSetting) {
  ConversionOptions options;
  options.tts_voice_name = "Puck";
  SpeechRequest request = MustConvertSpeech(
      R"({"model":"gemini-2.5-pro-preview-tts","input":"x","voice":"alloy","speed":1.5,"response_format":"mp3"})",
      options);
  EXPECT_EQ(request.model, "gemini-2.5-pro-preview-tts");
  EXPECT_EQ(request.voice, "Puck");
  EXPECT_THAT(request.warnings, Contains(HasSubstr("alloy")));
  EXPECT_THAT(request.warnings, Contains(HasSubstr("speed")));
  EXPECT_THAT(request.warnings, Contains(HasSubstr("'mp3'")));
}

TEST(SpeechTest, InstructionsBecomeTheStylePrompt) {
  SpeechRequest request = MustConvertSpeech(R"({"input":"Good night","instructions":"Whisper softly."})");
  EXPECT_EQ(request.body["contents"][0]["parts"][0]["text"], "Whisper softly: Good night");
}

TEST(SpeechTest, TtsSpeedOtherThanNormalIsAskedForInThePrompt) {
  ConversionOptions options;
  options.tts_speed = "Normal";
  EXPECT_EQ(MustConvertSpeech(R"({"input":"Hi"})", options).body["contents"][0]["parts"][0]["text"], "Hi");
  options.tts_speed = "slow";
  EXPECT_EQ(MustConvertSpeech(R"({"input":"Hi"})", options).body["contents"][0]["parts"][0]["text"],
            "Speak in a slow speed voice: Hi");
  options.tts_speed = "Fast";
  EXPECT_EQ(MustConvertSpeech(R"({"input":"Hi","instructions":"Cheerfully"})", options)
                .body["contents"][0]["parts"][0]["text"],
            "Speak in a fast speed voice: Cheerfully: Hi");
}

TEST(SpeechTest, RequestErrors) {
  EXPECT_THAT(ConvertSpeechRequest(J(R"({"voice":"Kore"})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("input is required")));
  EXPECT_THAT(ConvertSpeechRequest(J(R"({"input":"x","response_format":"ogg"})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("response_format 'ogg'")));
  EXPECT_THAT(ConvertSpeechRequest(J(R"({"input":"x","speed":9})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("speed")));
  EXPECT_THAT(ConvertSpeechRequest(J(R"({"input":"x","stream_format":"sse"})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stream_format")));
}

TEST(SpeechTest, PcmAnswerBecomesAWavFile) {
  SpeechRequest request = MustConvertSpeech(R"({"input":"x"})");
  std::string pcm("\x01\x02\x03\x04", 4);
  nlohmann::json response;
  response["candidates"] = J(R"([{"content":{"parts":[{"inlineData":{"mimeType":"audio/L16;codec=pcm;rate=24000"}}]},
                                  "finishReason":"STOP"}])");
  response["candidates"][0]["content"]["parts"][0]["inlineData"]["data"] = absl::Base64Escape(pcm);
  auto audio = ConvertSpeechResponse(response, request);
  ASSERT_TRUE(audio.ok()) << audio.status();
  EXPECT_EQ(audio->content_type, "audio/wav");
  ASSERT_EQ(audio->bytes.size(), 48u);
  EXPECT_EQ(audio->bytes.substr(0, 4), "RIFF");
  EXPECT_EQ(audio->bytes.substr(44), pcm);

  SpeechRequest raw = MustConvertSpeech(R"({"input":"x","response_format":"pcm"})");
  auto pcm_audio = ConvertSpeechResponse(response, raw);
  ASSERT_TRUE(pcm_audio.ok());
  EXPECT_EQ(pcm_audio->content_type, "audio/pcm");
  EXPECT_EQ(pcm_audio->bytes, pcm);
}

TEST(SpeechTest, NoAudioIsAnError) {
  SpeechRequest request = MustConvertSpeech(R"({"input":"x"})");
  EXPECT_THAT(ConvertSpeechResponse(J(R"({"promptFeedback":{"blockReason":"SAFETY"}})"), request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("returned no audio (SAFETY)")));
  EXPECT_THAT(ConvertSpeechResponse(J(R"({"candidates":[{"content":{"parts":[{"inlineData":
                  {"mimeType":"audio/L16;rate=24000","data":"!!!"}}]}}]})"),
                                    request),
              StatusIs(absl::StatusCode::kInternal));
}

}  // namespace
}  // namespace gempool::openai
