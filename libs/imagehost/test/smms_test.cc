// SM.MS: the API v2 request and every answer shape.
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

ImageHostSettings Smms() {
  ImageHostSettings s;
  s.provider = "smms";
  s.smms_secret_token = "tok123";
  return s;
}

TEST(SmmsTest, PostsTheImageAsSmfileWithTheToken) {
  absl::StatusOr<HttpUpload> upload = PrepareUpload(Smms(), PngImage(), FixedEnv());
  ASSERT_TRUE(upload.ok()) << upload.status();
  EXPECT_EQ(upload->method, "POST");
  EXPECT_EQ(upload->Url(), "https://sm.ms/api/v2/upload");
  EXPECT_EQ(Header(*upload, "Authorization"), "tok123");
  EXPECT_EQ(Header(*upload, "Content-Type"), "multipart/form-data; boundary=BOUNDARY42");
  EXPECT_EQ(upload->body, ExpectedMultipart("smfile"));
}

TEST(SmmsTest, UsesTheConfiguredMirror) {
  ImageHostSettings s = Smms();
  s.smms_api_url = "http://127.0.0.1:8123/api/v2/upload";
  absl::StatusOr<HttpUpload> upload = PrepareUpload(s, PngImage(), FixedEnv());
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ(upload->scheme_host_port, "http://127.0.0.1:8123");
  EXPECT_EQ(upload->path_and_query, "/api/v2/upload");
}

TEST(SmmsTest, ReadsTheLinkOfASuccess) {
  const std::string body = R"({"success":true,"code":"success","message":"Upload success.",
      "data":{"url":"https://s2.loli.net/2026/12/06/abc.png","delete":"https://sm.ms/delete/x"}})";
  EXPECT_THAT(ReadUploadAnswer(Smms(), HttpUpload{}, 200, body),
              IsOkAndHolds(std::string("https://s2.loli.net/2026/12/06/abc.png")));
}

TEST(SmmsTest, ARepeatedImageGivesTheExistingLink) {
  const std::string body = R"({"success":false,"code":"image_repeated",
      "message":"Image upload repeated limit, this image exists at: https://s2.loli.net/old.png",
      "images":"https://s2.loli.net/old.png"})";
  EXPECT_THAT(ReadUploadAnswer(Smms(), HttpUpload{}, 200, body),
              IsOkAndHolds(std::string("https://s2.loli.net/old.png")));
}

TEST(SmmsTest, RefusalsSayWhatSmmsSaid) {
  EXPECT_THAT(ReadUploadAnswer(Smms(), HttpUpload{}, 200,
                               R"({"success":false,"code":"unauthorized","message":"Unauthorized."})"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("SM.MS refused the upload (HTTP 200): unauthorized: Unauthorized.")));
  EXPECT_THAT(ReadUploadAnswer(Smms(), HttpUpload{}, 401, R"({"success":false,"message":"bad token"})"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("bad token")));
  EXPECT_THAT(ReadUploadAnswer(Smms(), HttpUpload{}, 502, "<html>Bad Gateway</html>"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("<html>Bad Gateway</html>")));
  EXPECT_THAT(ReadUploadAnswer(Smms(), HttpUpload{}, 200, R"({"success":true,"data":{}})"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no data.url")));
}

}  // namespace
}  // namespace gempool::imagehost
