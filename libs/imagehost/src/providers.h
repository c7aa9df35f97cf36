#pragma once
// Each provider's request builder and answer reader (upload.h dispatches).
// Internal to gempool_imagehost.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/imagehost/upload.h"

namespace gempool::imagehost::internal {

absl::StatusOr<HttpUpload> PrepareSmms(const ImageHostSettings& settings, const Image& image, const UploadEnv& env);
absl::StatusOr<std::string> ReadSmmsAnswer(int http_status, absl::string_view body);

absl::StatusOr<HttpUpload> PreparePicgo(const ImageHostSettings& settings, const Image& image, const UploadEnv& env);
absl::StatusOr<std::string> ReadPicgoAnswer(int http_status, absl::string_view body);

absl::StatusOr<HttpUpload> PrepareImgbed(const ImageHostSettings& settings, const Image& image,
                                         const UploadEnv& env);
// `upload_url` is CLOUDFLARE_IMGBED_URL: the answer's paths are on its origin.
absl::StatusOr<std::string> ReadImgbedAnswer(absl::string_view upload_url, int http_status, absl::string_view body);

absl::StatusOr<HttpUpload> PrepareOss(const ImageHostSettings& settings, const Image& image, const UploadEnv& env);
absl::StatusOr<std::string> ReadOssAnswer(const HttpUpload& upload, int http_status, absl::string_view body);

}  // namespace gempool::imagehost::internal
