// Cloudflare ImgBed: the query parameters, the field, and links on the
// ImgBed's origin.
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

ImageHostSettings Imgbed() {
  ImageHostSettings s;
  s.provider = "cloudflare_imgbed";
  s.cloudflare_imgbed_url = "https://img.example.com/upload";
  s.cloudflare_imgbed_auth_code = "code 1";
  s.cloudflare_imgbed_upload_folder = "gempool/images";
  return s;
}

TEST(ImgbedTest, SendsAuthCodeFolderAndNameTypeAsQueryParameters) {
  absl::StatusOr<HttpUpload> upload = PrepareUpload(Imgbed(), PngImage(), FixedEnv());
  ASSERT_TRUE(upload.ok()) << upload.status();
  EXPECT_EQ(upload->method, "POST");
  EXPECT_EQ(upload->Url(),
            "https://img.example.com/upload?authCode=code%201&uploadFolder=gempool%2Fimages&uploadNameType=origin");
  EXPECT_EQ(upload->body, ExpectedMultipart("file"));
}

TEST(ImgbedTest, LeavesOutWhatIsNotSet) {
  ImageHostSettings s = Imgbed();
  s.cloudflare_imgbed_auth_code.clear();
  s.cloudflare_imgbed_upload_folder.clear();
  absl::StatusOr<HttpUpload> upload = PrepareUpload(s, PngImage(), FixedEnv());
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ(upload->path_and_query, "/upload?uploadNameType=origin");
}

TEST(ImgbedTest, MakesTheSrcPathALinkOnTheImgbedOrigin) {
  ImageHostSettings s = Imgbed();
  s.cloudflare_imgbed_url = "http://127.0.0.1:8788/upload";
  EXPECT_THAT(ReadUploadAnswer(s, HttpUpload{}, 200, R"([{"src":"/file/gempool/images/abc.png"}])"),
              IsOkAndHolds(std::string("http://127.0.0.1:8788/file/gempool/images/abc.png")));
  EXPECT_THAT(ReadUploadAnswer(s, HttpUpload{}, 200, R"([{"src":"https://cdn.example.com/a.png"}])"),
              IsOkAndHolds(std::string("https://cdn.example.com/a.png")));
}

TEST(ImgbedTest, RefusalsSayWhatImgbedSaid) {
  EXPECT_THAT(ReadUploadAnswer(Imgbed(), HttpUpload{}, 401, R"({"error":"Unauthorized"})"),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("Cloudflare ImgBed refused the upload (HTTP 401): Unauthorized")));
  EXPECT_THAT(ReadUploadAnswer(Imgbed(), HttpUpload{}, 200, R"({"src":"/file/x.png"})"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is not [{\"src\": ...}]")));
  EXPECT_THAT(ReadUploadAnswer(Imgbed(), HttpUpload{}, 200, R"([{"src":"file/x.png"}])"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not a path or link")));
  EXPECT_THAT(ReadUploadAnswer(Imgbed(), HttpUpload{}, 500, "Internal Server Error"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("Internal Server Error")));
}

}  // namespace
}  // namespace gempool::imagehost
