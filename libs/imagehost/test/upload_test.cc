// The dispatch: what a provider that cannot upload says, and labels.
#include "gempool/imagehost/upload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"
#include "test/test_support.h"

namespace gempool::imagehost {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;
using namespace ::gempool::imagehost::testing;

TEST(UploadTest, MissingSettingsAreNamed) {
  ImageHostSettings s;  // smms without a token.
  EXPECT_THAT(PrepareUpload(s, PngImage(), FixedEnv()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("UPLOAD_PROVIDER is smms but SMMS_SECRET_TOKEN is not set")));
  s.provider = "aliyun_oss";
  s.oss_bucket_name = "b-1";
  EXPECT_THAT(PrepareUpload(s, PngImage(), FixedEnv()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("OSS_ENDPOINT, OSS_ACCESS_KEY, OSS_ACCESS_KEY_SECRET are not set")));
  s.provider = "none";
  EXPECT_THAT(PrepareUpload(s, PngImage(), FixedEnv()), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(UploadTest, FreshEnvironmentsDiffer) {
  const UploadEnv a = FreshUploadEnv();
  const UploadEnv b = FreshUploadEnv();
  EXPECT_EQ(a.random_hex.size(), 16u);
  EXPECT_NE(a.random_hex, b.random_hex);
  EXPECT_NE(a.boundary, b.boundary);
}

TEST(UploadTest, Labels) {
  EXPECT_EQ(ProviderLabel("smms"), "SM.MS");
  EXPECT_EQ(ProviderLabel("aliyun_oss"), "Aliyun OSS");
}

}  // namespace
}  // namespace gempool::imagehost
