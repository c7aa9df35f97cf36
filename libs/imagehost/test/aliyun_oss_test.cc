// Aliyun OSS: the signed PUT, the addressing, the link, and OSS's errors.
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

ImageHostSettings Oss() {
  ImageHostSettings s;
  s.provider = "aliyun_oss";
  s.oss_endpoint = "oss-cn-hangzhou.aliyuncs.com";
  s.oss_access_key = "LTAI5tAK";
  s.oss_access_key_secret = "secret";
  s.oss_bucket_name = "gempool-img";
  s.oss_region = "cn-hangzhou";
  return s;
}

TEST(AliyunOssTest, SignedPutVirtualHosted) {
  absl::StatusOr<HttpUpload> upload = PrepareUpload(Oss(), PngImage(), FixedEnv());
  ASSERT_TRUE(upload.ok()) << upload.status();
  EXPECT_EQ(upload->method, "PUT");
  EXPECT_EQ(upload->Url(), "https://gempool-img.oss-cn-hangzhou.aliyuncs.com/2026/12/06/0123456789abcdef.png");
  EXPECT_EQ(upload->body, PngImage().bytes);
  EXPECT_EQ(Header(*upload, "Date"), "Sun, 06 Dec 2026 12:00:00 GMT");
  EXPECT_EQ(Header(*upload, "Content-Type"), "image/png");
  EXPECT_EQ(Header(*upload, "Content-MD5"), "RLNQcXLO62Nh/Q/i4EcIfA==");
  // Computed separately: base64(hmac-sha1("secret", "PUT\n<md5>\nimage/png\n<date>\n/gempool-img/<object>")).
  EXPECT_EQ(Header(*upload, "Authorization"), "OSS LTAI5tAK:DDFpSEHyh2TnnOGwXQY82jNqOOA=");
  EXPECT_EQ(upload->public_link, upload->Url());
}

TEST(AliyunOssTest, UploadsThroughTheInnerEndpointAndLinksOnThePublicOne) {
  ImageHostSettings s = Oss();
  s.oss_endpoint_inner = "http://oss-cn-hangzhou-internal.aliyuncs.com";
  absl::StatusOr<HttpUpload> upload = PrepareUpload(s, PngImage(), FixedEnv());
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ(upload->scheme_host_port, "http://gempool-img.oss-cn-hangzhou-internal.aliyuncs.com");
  EXPECT_EQ(upload->public_link,
            "https://gempool-img.oss-cn-hangzhou.aliyuncs.com/2026/12/06/0123456789abcdef.png");
  // Same signature: the host is not signed.
  EXPECT_EQ(Header(*upload, "Authorization"), "OSS LTAI5tAK:DDFpSEHyh2TnnOGwXQY82jNqOOA=");
}

TEST(AliyunOssTest, AnIpEndpointIsAddressedPathStyle) {
  ImageHostSettings s = Oss();
  s.oss_endpoint = "http://127.0.0.1:9000";
  absl::StatusOr<HttpUpload> upload = PrepareUpload(s, PngImage(), FixedEnv());
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ(upload->Url(), "http://127.0.0.1:9000/gempool-img/2026/12/06/0123456789abcdef.png");
  EXPECT_EQ(upload->public_link, upload->Url());
  EXPECT_EQ(Header(*upload, "Authorization"), "OSS LTAI5tAK:DDFpSEHyh2TnnOGwXQY82jNqOOA=");
}

TEST(AliyunOssTest, AnswerIsThePublicLinkOrOssError) {
  HttpUpload upload;
  upload.public_link = "https://b.oss.example.com/x.png";
  EXPECT_THAT(ReadUploadAnswer(Oss(), upload, 200, ""), IsOkAndHolds(upload.public_link));
  EXPECT_THAT(ReadUploadAnswer(Oss(), upload, 403,
                               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n"
                               "  <Code>SignatureDoesNotMatch</Code>\n"
                               "  <Message>The request signature we calculated does not match the signature you "
                               "provided.</Message>\n  <RequestId>5C3D9175B6FC201293AD****</RequestId>\n</Error>"),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("Aliyun OSS refused the upload (HTTP 403): SignatureDoesNotMatch: The request "
                                 "signature we calculated")));
  EXPECT_THAT(ReadUploadAnswer(Oss(), upload, 404, "<Error><Code>NoSuchBucket</Code></Error>"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("NoSuchBucket")));
}

}  // namespace
}  // namespace gempool::imagehost
