// Image hosting settings (Config::image_host): gemini-balance's names and
// defaults, what each provider needs, and a clear error for bad values.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/common/environment.h"
#include "gempool/config/config.h"
#include "gempool/testing/status_matchers.h"
#include "load_from_map.h"

namespace gempool {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

TEST(ImageHostSettingsTest, DefaultsAreGeminiBalancesAndNeedAToken) {
  const Config c = gempool::testing::LoadOkFromMap({});
  EXPECT_EQ(c.image_host.provider, "smms");
  EXPECT_EQ(c.image_host.picgo_api_url, "https://www.picgo.net/api/1/upload");
  EXPECT_THAT(c.image_host.MissingSettings(), ElementsAre("SMMS_SECRET_TOKEN"));
}

TEST(ImageHostSettingsTest, EachProviderNamesWhatItMisses) {
  const Config picgo = gempool::testing::LoadOkFromMap({{"UPLOAD_PROVIDER", "picgo"}});
  EXPECT_THAT(picgo.image_host.MissingSettings(), ElementsAre("PICGO_API_KEY"));
  const Config imgbed = gempool::testing::LoadOkFromMap({{"UPLOAD_PROVIDER", "CloudFlare_ImgBed"}});
  EXPECT_EQ(imgbed.image_host.provider, "cloudflare_imgbed");
  EXPECT_THAT(imgbed.image_host.MissingSettings(), ElementsAre("CLOUDFLARE_IMGBED_URL"));
  const Config oss = gempool::testing::LoadOkFromMap({{"UPLOAD_PROVIDER", "aliyun_oss"}, {"OSS_BUCKET_NAME", "my-bucket"}});
  EXPECT_THAT(oss.image_host.MissingSettings(),
              ElementsAre("OSS_ENDPOINT", "OSS_ACCESS_KEY", "OSS_ACCESS_KEY_SECRET"));
  const Config none = gempool::testing::LoadOkFromMap({{"UPLOAD_PROVIDER", "none"}});
  EXPECT_THAT(none.image_host.MissingSettings(), IsEmpty());
  const Config ready = gempool::testing::LoadOkFromMap({{"SMMS_SECRET_TOKEN", "tok"}});
  EXPECT_THAT(ready.image_host.MissingSettings(), IsEmpty());
}

TEST(ImageHostSettingsTest, ReadsEverySetting) {
  const Config c = gempool::testing::LoadOkFromMap({{"UPLOAD_PROVIDER", "aliyun_oss"},
                                       {"SMMS_SECRET_TOKEN", "s"},
                                       {"PICGO_API_KEY", "p"},
                                       {"PICGO_API_URL", "http://127.0.0.1:9/api/1/upload"},
                                       {"CLOUDFLARE_IMGBED_URL", "https://img.example.com/upload"},
                                       {"CLOUDFLARE_IMGBED_AUTH_CODE", "code"},
                                       {"CLOUDFLARE_IMGBED_UPLOAD_FOLDER", "gempool/images"},
                                       {"OSS_ENDPOINT", "oss-cn-hangzhou.aliyuncs.com"},
                                       {"OSS_ENDPOINT_INNER", "https://oss-cn-hangzhou-internal.aliyuncs.com"},
                                       {"OSS_ACCESS_KEY", "LTAI5t"},
                                       {"OSS_ACCESS_KEY_SECRET", "secret"},
                                       {"OSS_BUCKET_NAME", "gempool-img"},
                                       {"OSS_REGION", "cn-hangzhou"}});
  const ImageHostSettings& h = c.image_host;
  EXPECT_EQ(h.smms_secret_token, "s");
  EXPECT_EQ(h.picgo_api_key, "p");
  EXPECT_EQ(h.picgo_api_url, "http://127.0.0.1:9/api/1/upload");
  EXPECT_EQ(h.cloudflare_imgbed_url, "https://img.example.com/upload");
  EXPECT_EQ(h.cloudflare_imgbed_auth_code, "code");
  EXPECT_EQ(h.cloudflare_imgbed_upload_folder, "gempool/images");
  EXPECT_EQ(h.oss_endpoint, "oss-cn-hangzhou.aliyuncs.com");
  EXPECT_EQ(h.oss_endpoint_inner, "https://oss-cn-hangzhou-internal.aliyuncs.com");
  EXPECT_EQ(h.oss_access_key, "LTAI5t");
  EXPECT_EQ(h.oss_access_key_secret, "secret");
  EXPECT_EQ(h.oss_bucket_name, "gempool-img");
  EXPECT_EQ(h.oss_region, "cn-hangzhou");
  EXPECT_THAT(h.MissingSettings(), IsEmpty());
}

TEST(ImageHostSettingsTest, RefusesBadValuesNamingTheVariable) {
  EXPECT_THAT(gempool::testing::LoadFromMap({{"UPLOAD_PROVIDER", "qiniu"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("UPLOAD_PROVIDER"), HasSubstr("none"))));
  EXPECT_THAT(gempool::testing::LoadFromMap({{"PICGO_API_URL", "www.picgo.net/api"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("PICGO_API_URL")));
  EXPECT_THAT(gempool::testing::LoadFromMap({{"CLOUDFLARE_IMGBED_URL", "ftp://x"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("CLOUDFLARE_IMGBED_URL")));
  EXPECT_THAT(gempool::testing::LoadFromMap({{"OSS_ENDPOINT", "oss.example.com/path"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("OSS_ENDPOINT")));
  EXPECT_THAT(gempool::testing::LoadFromMap({{"OSS_BUCKET_NAME", "My_Bucket"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("OSS_BUCKET_NAME")));
  // A secret's value never appears in the message.
  EXPECT_THAT(gempool::testing::LoadFromMap({{"SMMS_SECRET_TOKEN", "abc\x01sekrit"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("SMMS_SECRET_TOKEN"), Not(HasSubstr("sekrit")))));
  // Nor the OSS AccessKey ID's (the settings fuzzer,
  // tests/fuzz/config_settings/oss_access_key_shown).
  EXPECT_THAT(gempool::testing::LoadFromMap({{"OSS_ACCESS_KEY", "LTAI5t\x01" "AbCdEfGh"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("OSS_ACCESS_KEY"), Not(HasSubstr("AbCdEfGh")))));
}

TEST(ImageHostSettingsTest, SmmsApiUrlDefaultsToSmmsAndTakesAMirror) {
  EXPECT_EQ(gempool::testing::LoadOkFromMap({}).image_host.smms_api_url, "https://sm.ms/api/v2/upload");
  const Config mirror = gempool::testing::LoadOkFromMap({{"SMMS_API_URL", "https://smms.app/api/v2/upload"}, {"SMMS_SECRET_TOKEN", "t"}});
  EXPECT_EQ(mirror.image_host.smms_api_url, "https://smms.app/api/v2/upload");
  EXPECT_THAT(mirror.image_host.MissingSettings(), IsEmpty());
  EXPECT_THAT(gempool::testing::LoadFromMap({{"SMMS_API_URL", "smms.app/api/v2/upload"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("SMMS_API_URL")));
}

TEST(ImageHostSettingsTest, OtherNewSettings) {
  const Config defaults = gempool::testing::LoadOkFromMap({});
  EXPECT_FALSE(defaults.error_log_record_request_body);
  EXPECT_TRUE(defaults.proxies_use_consistency_hash_by_api_key);
  const Config set = gempool::testing::LoadOkFromMap({{"ERROR_LOG_RECORD_REQUEST_BODY", "true"},
                                         {"PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY", "false"}});
  EXPECT_TRUE(set.error_log_record_request_body);
  EXPECT_FALSE(set.proxies_use_consistency_hash_by_api_key);
  EXPECT_THAT(gempool::testing::LoadFromMap({{"ERROR_LOG_RECORD_REQUEST_BODY", "sometimes"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ERROR_LOG_RECORD_REQUEST_BODY")));
}

}  // namespace
}  // namespace gempool
