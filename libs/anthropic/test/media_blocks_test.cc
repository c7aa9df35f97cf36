// `image` and `document` blocks (anthropic.md §1.3, §7.1): inline data,
// remote fetches with the openai placeholder convention, text documents and
// refused sources.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"
#include "request_test_util.h"

namespace gempool::anthropic {
namespace {

using ::gempool::testing::IsOk;
using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;
using testing::Body;
using testing::ConvertStatus;
using testing::J;
using testing::MustConvert;
using testing::PlainOptions;

// A body whose one user message holds `block` and a text after it.
nlohmann::json WithBlock(const std::string& block) {
  return Body(std::string(R"([{"role":"user","content":[)") + block + R"(,{"type":"text","text":"what?"}]}])");
}

const nlohmann::json& FirstParts(const MessagesRequest& request) {
  return request.gemini.body["contents"][0]["parts"];
}

TEST(MediaBlocksTest, Base64ImageBecomesInlineData) {
  MessagesRequest request =
      MustConvert(WithBlock(R"({"type":"image","source":{"type":"base64","media_type":"image/webp","data":"UklG"}})"));
  EXPECT_EQ(FirstParts(request)[0], J(R"({"inlineData":{"mimeType":"image/webp","data":"UklG"}})"));
  EXPECT_TRUE(request.gemini.fetches.empty());
}

TEST(MediaBlocksTest, Base64ImageOfAnotherTypeIsRefused) {
  EXPECT_THAT(ConvertStatus(WithBlock(R"({"type":"image","source":{"type":"base64","media_type":"image/bmp",
                                          "data":"Qk0="}})")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("messages[0].content[0].source.media_type 'image/bmp' is not supported")));
  EXPECT_THAT(ConvertStatus(WithBlock(R"({"type":"image","source":{"type":"base64","media_type":"image/png",
                                          "data":"not base64!"}})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("messages[0].content[0].source.data")));
}

TEST(MediaBlocksTest, ImageUrlBecomesAFetchWithAnImagePlaceholder) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"first"},{"role":"assistant","content":"ok"},
      {"role":"user","content":[{"type":"text","text":"look"},
        {"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}}]}])"));
  ASSERT_EQ(request.gemini.fetches.size(), 1u);
  const openai::MediaFetch& fetch = request.gemini.fetches[0];
  EXPECT_EQ(fetch.url, "https://example.com/cat.png");
  EXPECT_EQ(fetch.field, "messages[2].content[1].source.url");
  EXPECT_EQ(fetch.content_index, 2u);
  EXPECT_EQ(fetch.part_index, 1u);
  EXPECT_EQ(request.gemini.body["contents"][2]["parts"][1], J(R"({"inlineData":{"mimeType":"","data":""}})"));
  EXPECT_FALSE(request.gemini.Ready());
  EXPECT_THAT(openai::InlineFetchedMedia(request.gemini, 0, "image/png", std::string("\x89PNG\r\n\x1a\n", 8)), IsOk());
  EXPECT_TRUE(request.gemini.Ready());
  EXPECT_EQ(request.gemini.body["contents"][2]["parts"][1]["inlineData"]["mimeType"], "image/png");
}

// Fetch positions are taken after turns are merged and results reordered.
TEST(MediaBlocksTest, FetchPositionsFollowReordering) {
  MessagesRequest request = MustConvert(Body(R"([{"role":"user","content":"go"},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"shot","input":{}}]},
      {"role":"user","content":[{"type":"text","text":"see"}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[
        {"type":"image","source":{"type":"url","url":"http://example.com/s.png"}}]}]}])"));
  ASSERT_EQ(request.gemini.fetches.size(), 1u);
  EXPECT_EQ(request.gemini.fetches[0].content_index, 2u);
  EXPECT_EQ(request.gemini.fetches[0].part_index, 1u);
  EXPECT_EQ(request.gemini.body["contents"][2]["parts"][1], J(R"({"inlineData":{"mimeType":"","data":""}})"));
  EXPECT_EQ(request.gemini.body["contents"][2]["parts"][2], J(R"({"text":"see"})"));
}

TEST(MediaBlocksTest, DataUrlIsInlinedAndOtherSchemesRefused) {
  MessagesRequest request =
      MustConvert(WithBlock(R"({"type":"image","source":{"type":"url","url":"data:image/gif;base64,R0lG"}})"));
  EXPECT_EQ(FirstParts(request)[0], J(R"({"inlineData":{"mimeType":"image/gif","data":"R0lG"}})"));
  EXPECT_THAT(ConvertStatus(WithBlock(R"({"type":"image","source":{"type":"url","url":"file:///etc/passwd"}})")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("messages[0].content[0].source.url has an unsupported scheme")));
}

TEST(MediaBlocksTest, RemoteUrlsAreRefusedWhenTheGatewayDoesNotFetch) {
  openai::ConversionOptions options = PlainOptions();
  options.allow_remote_media = false;
  EXPECT_THAT(ConvertStatus(WithBlock(R"({"type":"image","source":{"type":"url","url":"https://e.com/a.png"}})"),
                            options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not fetch")));
}

TEST(MediaBlocksTest, FileSourcesAreRefused) {
  EXPECT_THAT(ConvertStatus(WithBlock(R"({"type":"image","source":{"type":"file","file_id":"file_1"}})")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("messages[0].content[0].source.type 'file' is not supported: the Files API is not "
                                 "served on the Anthropic route yet")));
  EXPECT_THAT(ConvertStatus(WithBlock(R"({"type":"document","source":{"type":"file","file_id":"file_1"}})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Files API")));
}

TEST(MediaBlocksTest, Base64PdfBecomesInlineData) {
  MessagesRequest request = MustConvert(WithBlock(R"({"type":"document","title":"Report",
      "source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"},"cache_control":{"type":"ephemeral"}})"));
  EXPECT_EQ(FirstParts(request)[0], J(R"({"inlineData":{"mimeType":"application/pdf","data":"JVBERi0x"}})"));
  EXPECT_THAT(ConvertStatus(WithBlock(R"({"type":"document","source":{"type":"base64","media_type":"text/html",
                                          "data":"PGh0bWw+"}})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'text/html' is not supported")));
}

TEST(MediaBlocksTest, PdfUrlBecomesAFetchWithAPdfPlaceholder) {
  MessagesRequest request =
      MustConvert(WithBlock(R"({"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"}})"));
  ASSERT_EQ(request.gemini.fetches.size(), 1u);
  EXPECT_EQ(FirstParts(request)[0], J(R"({"inlineData":{"mimeType":"application/pdf","data":""}})"));
  EXPECT_THAT(openai::InlineFetchedMedia(request.gemini, 0, "application/pdf", "%PDF-1.7"), IsOk());
  EXPECT_EQ(FirstParts(request)[0], J(R"({"inlineData":{"mimeType":"application/pdf","data":"JVBERi0xLjc="}})"));
}

TEST(MediaBlocksTest, TextDocumentBecomesTextWithItsTitle) {
  MessagesRequest request = MustConvert(WithBlock(R"({"type":"document","title":"Notes",
      "source":{"type":"text","media_type":"text/plain","data":"alpha"}})"));
  EXPECT_EQ(FirstParts(request)[0], J(R"({"text":"Notes\n\nalpha"})"));
  MessagesRequest untitled =
      MustConvert(WithBlock(R"({"type":"document","source":{"type":"text","media_type":"text/plain","data":"b"}})"));
  EXPECT_EQ(FirstParts(untitled)[0], J(R"({"text":"b"})"));
}

TEST(MediaBlocksTest, ContentDocumentBecomesItsBlocks) {
  MessagesRequest request = MustConvert(WithBlock(R"({"type":"document","source":{"type":"content","content":[
      {"type":"text","text":"page 1"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}})"));
  EXPECT_EQ(FirstParts(request)[0], J(R"({"text":"page 1"})"));
  EXPECT_EQ(FirstParts(request)[1], J(R"({"inlineData":{"mimeType":"image/png","data":"AAAA"}})"));
  MessagesRequest string_content =
      MustConvert(WithBlock(R"({"type":"document","source":{"type":"content","content":"plain"}})"));
  EXPECT_EQ(FirstParts(string_content)[0], J(R"({"text":"plain"})"));
}

TEST(MediaBlocksTest, UnknownSourceTypeIsRefused) {
  EXPECT_THAT(ConvertStatus(WithBlock(R"({"type":"image","source":{"type":"s3","bucket":"b"}})")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("messages[0].content[0].source.type 's3' is not an image source")));
  EXPECT_THAT(ConvertStatus(WithBlock(R"({"type":"image"})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("messages[0].content[0].source is required")));
}

}  // namespace
}  // namespace gempool::anthropic
