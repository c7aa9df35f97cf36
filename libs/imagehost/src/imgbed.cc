// Cloudflare ImgBed (MarSeventh/CloudFlare-ImgBed): POST /upload.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "answer_json.h"
#include "gempool/imagehost/http_url.h"
#include "gempool/imagehost/multipart.h"
#include "gempool/imagehost/object_name.h"
#include "providers.h"

namespace gempool::imagehost::internal {

using nlohmann::json;

absl::StatusOr<HttpUpload> PrepareImgbed(const ImageHostSettings& settings, const Image& image,
                                         const UploadEnv& env) {
  absl::StatusOr<HttpUrl> url = ParseHttpUrl(settings.cloudflare_imgbed_url, "CLOUDFLARE_IMGBED_URL");
  if (!url.ok()) return url.status();
  HttpUrl target = *url;
  auto add = [&target](absl::string_view name, absl::string_view value) {
    absl::StrAppend(&target.query, target.query.empty() ? "" : "&", name, "=", QueryEscape(value));
  };
  if (!settings.cloudflare_imgbed_auth_code.empty()) add("authCode", settings.cloudflare_imgbed_auth_code);
  if (!settings.cloudflare_imgbed_upload_folder.empty()) {
    add("uploadFolder", settings.cloudflare_imgbed_upload_folder);
  }
  add("uploadNameType", "origin");
  HttpUpload out;
  out.method = "POST";
  out.scheme_host_port = target.Origin();
  out.path_and_query = target.PathAndQuery();
  out.headers = {{"Content-Type", MultipartContentType(env.boundary)}, {"Accept", "application/json"}};
  out.body = MultipartBody(env.boundary, MultipartFile{"file", FileName(env.random_hex, image.mime_type),
                                                       image.mime_type, image.bytes});
  return out;
}

absl::StatusOr<std::string> ReadImgbedAnswer(absl::string_view upload_url, int http_status, absl::string_view body) {
  std::optional<json> answer = ParseAnswer(body);
  if (http_status / 100 == 2 && answer.has_value() && answer->is_array() && !answer->empty()) {
    const std::string src = StringField((*answer)[0], "src");
    if (IsHttpLink(src)) return src;
    if (absl::StartsWith(src, "/")) {
      absl::StatusOr<HttpUrl> url = ParseHttpUrl(upload_url, "CLOUDFLARE_IMGBED_URL");
      if (!url.ok()) return url.status();
      const std::string link = absl::StrCat(url->Origin(), src);
      if (IsHttpLink(link)) return link;
    }
    return UploadRefused("Cloudflare ImgBed", http_status,
                         absl::StrCat("the answer's src is not a path or link: ", Excerpt(src)));
  }
  std::string message;
  if (answer.has_value() && answer->is_object()) {
    message = StringField(*answer, "error");
    if (message.empty()) message = StringField(*answer, "message");
  }
  if (message.empty()) {
    message = http_status / 100 == 2 ? absl::StrCat("the answer is not [{\"src\": ...}]: ", Excerpt(body))
                                     : Excerpt(body);
  }
  return UploadRefused("Cloudflare ImgBed", http_status, message);
}

}  // namespace gempool::imagehost::internal
