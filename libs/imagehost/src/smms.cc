// SM.MS API v2 (https://sm.ms/api/v2/upload, or a mirror such as
// https://smms.app/api/v2/upload through SMMS_API_URL).
#include "absl/strings/str_cat.h"
#include "answer_json.h"
#include "gempool/imagehost/http_url.h"
#include "gempool/imagehost/multipart.h"
#include "gempool/imagehost/object_name.h"
#include "providers.h"

namespace gempool::imagehost::internal {

using nlohmann::json;

absl::StatusOr<HttpUpload> PrepareSmms(const ImageHostSettings& settings, const Image& image, const UploadEnv& env) {
  absl::StatusOr<HttpUrl> url = ParseHttpUrl(settings.smms_api_url, "SMMS_API_URL");
  if (!url.ok()) return url.status();
  HttpUpload out;
  out.method = "POST";
  out.scheme_host_port = url->Origin();
  out.path_and_query = url->PathAndQuery();
  out.headers = {{"Authorization", settings.smms_secret_token},
                 {"Content-Type", MultipartContentType(env.boundary)},
                 {"Accept", "application/json"}};
  out.body = MultipartBody(env.boundary, MultipartFile{"smfile", FileName(env.random_hex, image.mime_type),
                                                       image.mime_type, image.bytes});
  return out;
}

absl::StatusOr<std::string> ReadSmmsAnswer(int http_status, absl::string_view body) {
  std::optional<json> answer = ParseAnswer(body);
  if (!answer.has_value() || !answer->is_object()) {
    return UploadRefused("SM.MS", http_status, absl::StrCat("the answer is not a JSON object: ", Excerpt(body)));
  }
  const std::string code = StringField(*answer, "code");
  const bool success = answer->contains("success") && (*answer)["success"].is_boolean() &&
                       (*answer)["success"].get<bool>();
  if (success && http_status / 100 == 2) {
    std::string link = answer->contains("data") ? StringField((*answer)["data"], "url") : "";
    if (IsHttpLink(link)) return link;
    return UploadRefused("SM.MS", http_status, "the answer says success but carries no data.url");
  }
  // The same image was uploaded before: SM.MS names the existing copy
  // ("images": "<url>"), which serves as well.
  if (code == "image_repeated") {
    std::string link = StringField(*answer, "images");
    if (IsHttpLink(link)) return link;
  }
  std::string message = StringField(*answer, "message");
  if (message.empty()) message = Excerpt(body);
  return UploadRefused("SM.MS", http_status, code.empty() ? message : absl::StrCat(code, ": ", message));
}

}  // namespace gempool::imagehost::internal
