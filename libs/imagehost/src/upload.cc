#include "gempool/imagehost/upload.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/imagehost/multipart.h"
#include "gempool/imagehost/object_name.h"
#include "providers.h"

namespace gempool::imagehost {

UploadEnv FreshUploadEnv() { return UploadEnv{absl::Now(), RandomHex(16), RandomBoundary()}; }

std::string ProviderLabel(absl::string_view provider) {
  if (provider == "smms") return "SM.MS";
  if (provider == "picgo") return "PicGo";
  if (provider == "cloudflare_imgbed") return "Cloudflare ImgBed";
  if (provider == "aliyun_oss") return "Aliyun OSS";
  return std::string(provider);
}

absl::StatusOr<HttpUpload> PrepareUpload(const ImageHostSettings& settings, const Image& image,
                                         const UploadEnv& env) {
  if (settings.provider == "none") {
    return absl::FailedPreconditionError("UPLOAD_PROVIDER is none: images stay inline");
  }
  if (const std::vector<std::string> missing = settings.MissingSettings(); !missing.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("UPLOAD_PROVIDER is ", settings.provider, " but ",
                                                      absl::StrJoin(missing, ", "),
                                                      missing.size() == 1 ? " is" : " are", " not set"));
  }
  if (settings.provider == "smms") return internal::PrepareSmms(settings, image, env);
  if (settings.provider == "picgo") return internal::PreparePicgo(settings, image, env);
  if (settings.provider == "cloudflare_imgbed") return internal::PrepareImgbed(settings, image, env);
  if (settings.provider == "aliyun_oss") return internal::PrepareOss(settings, image, env);
  return absl::InvalidArgumentError(absl::StrCat("UPLOAD_PROVIDER \"", settings.provider, "\" is not known"));
}

absl::StatusOr<std::string> ReadUploadAnswer(const ImageHostSettings& settings, const HttpUpload& upload,
                                             int http_status, absl::string_view body) {
  if (settings.provider == "smms") return internal::ReadSmmsAnswer(http_status, body);
  if (settings.provider == "picgo") return internal::ReadPicgoAnswer(http_status, body);
  if (settings.provider == "cloudflare_imgbed") {
    return internal::ReadImgbedAnswer(settings.cloudflare_imgbed_url, http_status, body);
  }
  if (settings.provider == "aliyun_oss") return internal::ReadOssAnswer(upload, http_status, body);
  return absl::InvalidArgumentError(absl::StrCat("UPLOAD_PROVIDER \"", settings.provider, "\" is not known"));
}

}  // namespace gempool::imagehost
