// Data URLs, base64 checks, MIME inference and image sniffing.

#include "gempool/openai/media.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::StatusIs;

TEST(MediaTest, ParsesBase64DataUrls) {
  auto parsed = ParseDataUrl("data:Image/PNG;name=a.png;base64,iVBO Rw0K\nGgo=");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->mime_type, "image/png");
  EXPECT_EQ(parsed->base64_data, "iVBORw0KGgo=");
}

TEST(MediaTest, PercentEncodedDataUrlsAreReencoded) {
  auto parsed = ParseDataUrl("data:image/svg+xml,%3Csvg%3E%3C/svg%3E");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->mime_type, "image/svg+xml");
  EXPECT_EQ(parsed->base64_data, "PHN2Zz48L3N2Zz4=");
  auto plain = ParseDataUrl("data:,hello");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->mime_type, "text/plain");
}

TEST(MediaTest, RejectsMalformedDataUrls) {
  EXPECT_THAT(ParseDataUrl("https://x"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDataUrl("data:image/png;base64"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDataUrl("data:image/png;base64,"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDataUrl("data:image/png;base64,@@@@"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDataUrl("data:png;base64,AAAA"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MediaTest, Base64Plausibility) {
  EXPECT_TRUE(LooksLikeBase64("QUJD"));
  EXPECT_TRUE(LooksLikeBase64("QUI="));
  EXPECT_TRUE(LooksLikeBase64("a-_b"));
  EXPECT_FALSE(LooksLikeBase64(""));
  EXPECT_FALSE(LooksLikeBase64("QUI=QQ=="));
  EXPECT_FALSE(LooksLikeBase64("Q"));
  EXPECT_FALSE(LooksLikeBase64("hello world!"));
}

TEST(MediaTest, SniffsImageTypes) {
  EXPECT_EQ(SniffImageMime(std::string("\x89PNG\r\n\x1a\n....", 12)), "image/png");
  EXPECT_EQ(SniffImageMime("\xff\xd8\xff\xe0"), "image/jpeg");
  EXPECT_EQ(SniffImageMime("GIF89a...."), "image/gif");
  EXPECT_EQ(SniffImageMime(std::string("RIFF\x10\x00\x00\x00WEBPVP8 ", 16)), "image/webp");
  EXPECT_EQ(SniffImageMime(std::string("\0\0\0\x1c" "ftypheic", 12)), "image/heic");
  EXPECT_EQ(SniffImageMime("<html>"), std::nullopt);
}

TEST(MediaTest, MimeHelpers) {
  EXPECT_EQ(MimeOf(" Image/PNG ; q=1"), "image/png");
  EXPECT_EQ(MimeFromFilename("Report.PDF"), "application/pdf");
  EXPECT_EQ(MimeFromFilename("clip.mov"), "video/mov");
  EXPECT_EQ(MimeFromFilename("noext"), std::nullopt);
  EXPECT_EQ(AudioMimeForFormat("WAV"), "audio/wav");
  EXPECT_EQ(AudioMimeForFormat("mp3"), "audio/mp3");
  EXPECT_EQ(AudioMimeForFormat("pcm16"), std::nullopt);
}

}  // namespace
}  // namespace gempool::openai
