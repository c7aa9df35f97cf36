// PCM → WAV: the RIFF header byte by byte.

#include "gempool/openai/wav.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>

#include "gempool/testing/status_matchers.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::StatusIs;

uint32_t Le32(const std::string& bytes, size_t at) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}
uint32_t Le16(const std::string& bytes, size_t at) {
  return static_cast<unsigned char>(bytes[at]) | (static_cast<unsigned char>(bytes[at + 1]) << 8);
}

TEST(WavTest, WritesTheCanonicalHeader) {
  std::string pcm = std::string("\x01\x00\xff\x7f", 4) + std::string(6, '\0');
  std::string wav = PcmToWav(pcm, PcmFormat{24000, 1, 16});
  ASSERT_EQ(wav.size(), 44u + pcm.size());
  EXPECT_EQ(wav.substr(0, 4), "RIFF");
  EXPECT_EQ(Le32(wav, 4), 36u + pcm.size());
  EXPECT_EQ(wav.substr(8, 4), "WAVE");
  EXPECT_EQ(wav.substr(12, 4), "fmt ");
  EXPECT_EQ(Le32(wav, 16), 16u);
  EXPECT_EQ(Le16(wav, 20), 1u);       // PCM
  EXPECT_EQ(Le16(wav, 22), 1u);       // mono
  EXPECT_EQ(Le32(wav, 24), 24000u);   // sample rate
  EXPECT_EQ(Le32(wav, 28), 48000u);   // byte rate
  EXPECT_EQ(Le16(wav, 32), 2u);       // block align
  EXPECT_EQ(Le16(wav, 34), 16u);      // bits per sample
  EXPECT_EQ(wav.substr(36, 4), "data");
  EXPECT_EQ(Le32(wav, 40), pcm.size());
  EXPECT_EQ(wav.substr(44), pcm);
}

TEST(WavTest, StereoAndOtherRates) {
  std::string wav = PcmToWav(std::string(8, '\0'), PcmFormat{44100, 2, 16});
  EXPECT_EQ(Le32(wav, 28), 44100u * 4);
  EXPECT_EQ(Le16(wav, 32), 4u);
}

TEST(WavTest, ParsesGeminiPcmTypes) {
  auto format = ParsePcmMime("audio/L16;codec=pcm;rate=24000");
  ASSERT_TRUE(format.ok());
  EXPECT_EQ(format->sample_rate, 24000);
  EXPECT_EQ(format->channels, 1);
  auto other = ParsePcmMime("audio/pcm; rate=16000; channels=2");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->sample_rate, 16000);
  EXPECT_EQ(other->channels, 2);
  EXPECT_THAT(ParsePcmMime("audio/mpeg"), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace gempool::openai
