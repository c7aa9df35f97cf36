// PicGo / Chevereto: where the key goes, and every answer shape.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/imagehost/upload.h"
#include "gempool/testing/status_matchers.h"
#include "test/test_support.h"

namespace gempool::imagehost {
namespace {

using ::gempool::testing::IsOkAndHolds;
using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;
using namespace ::gempool::imagehost::testing;

ImageHostSettings Picgo(std::string url = "https://www.picgo.net/api/1/upload") {
  ImageHostSettings s;
  s.provider = "picgo";
  s.picgo_api_key = "chv_key&1";
  s.picgo_api_url = std::move(url);
  return s;
}

TEST(PicgoTest, DefaultUrlTakesTheKeyInXApiKey) {
  absl::StatusOr<HttpUpload> upload = PrepareUpload(Picgo(), PngImage(), FixedEnv());
  ASSERT_TRUE(upload.ok()) << upload.status();
  EXPECT_EQ(upload->method, "POST");
  EXPECT_EQ(upload->Url(), "https://www.picgo.net/api/1/upload");
  EXPECT_EQ(Header(*upload, "X-API-Key"), "chv_key&1");
  EXPECT_EQ(upload->body, ExpectedMultipart("source"));
}

TEST(PicgoTest, OtherUrlsTakeTheKeyAsAQueryParameter) {
  absl::StatusOr<HttpUpload> upload =
      PrepareUpload(Picgo("http://127.0.0.1:9/api/1/upload?format=json"), PngImage(), FixedEnv());
  ASSERT_TRUE(upload.ok()) << upload.status();
  EXPECT_EQ(upload->Url(), "http://127.0.0.1:9/api/1/upload?format=json&key=chv_key%261");
  EXPECT_EQ(Header(*upload, "X-API-Key"), "<absent>");
  EXPECT_EQ(upload->body, ExpectedMultipart("source"));
}

TEST(PicgoTest, ReadsImageUrl) {
  const std::string body = R"({"status_code":200,"success":{"message":"image uploaded","code":200},
      "image":{"name":"x","url":"https://www.picgo.net/images/2026/12/06/x.png",
      "display_url":"https://www.picgo.net/images/2026/12/06/x.md.png"},"status_txt":"OK"})";
  EXPECT_THAT(ReadUploadAnswer(Picgo(), HttpUpload{}, 200, body),
              IsOkAndHolds(std::string("https://www.picgo.net/images/2026/12/06/x.png")));
}

TEST(PicgoTest, RefusalsSayWhatCheveretoSaid) {
  EXPECT_THAT(ReadUploadAnswer(Picgo(), HttpUpload{}, 400,
                               R"({"status_code":400,"error":{"message":"Invalid API v1 key.","code":100},
                                   "status_txt":"Bad Request"})"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("PicGo refused the upload (HTTP 400): "
                                                                        "Invalid API v1 key.")));
  EXPECT_THAT(ReadUploadAnswer(Picgo(), HttpUpload{}, 403, "forbidden"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("not a JSON object: forbidden")));
  EXPECT_THAT(ReadUploadAnswer(Picgo(), HttpUpload{}, 200, R"({"image":{"url":"/relative.png"}})"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no image.url")));
}

}  // namespace
}  // namespace gempool::imagehost
