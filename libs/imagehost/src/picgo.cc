// PicGo (www.picgo.net) and other Chevereto servers: API v1 upload.
#include "absl/strings/str_cat.h"
#include "answer_json.h"
#include "gempool/imagehost/http_url.h"
#include "gempool/imagehost/multipart.h"
#include "gempool/imagehost/object_name.h"
#include "providers.h"

namespace gempool::imagehost::internal {
namespace {

using nlohmann::json;

// PICGO_API_URL's default: the key goes in the X-API-Key header there, and
// as ?key= anywhere else (gemini-balance's split, which older Chevereto
// servers need).
constexpr char kDefaultPicgoUrl[] = "https://www.picgo.net/api/1/upload";

}  // namespace

absl::StatusOr<HttpUpload> PreparePicgo(const ImageHostSettings& settings, const Image& image,
                                        const UploadEnv& env) {
  absl::StatusOr<HttpUrl> url = ParseHttpUrl(settings.picgo_api_url, "PICGO_API_URL");
  if (!url.ok()) return url.status();
  HttpUpload out;
  out.method = "POST";
  out.scheme_host_port = url->Origin();
  out.headers = {{"Content-Type", MultipartContentType(env.boundary)}, {"Accept", "application/json"}};
  if (settings.picgo_api_url == kDefaultPicgoUrl) {
    out.path_and_query = url->PathAndQuery();
    out.headers.emplace_back("X-API-Key", settings.picgo_api_key);
  } else {
    HttpUrl keyed = *url;
    keyed.query = absl::StrCat(keyed.query, keyed.query.empty() ? "" : "&", "key=",
                               QueryEscape(settings.picgo_api_key));
    out.path_and_query = keyed.PathAndQuery();
  }
  out.body = MultipartBody(env.boundary, MultipartFile{"source", FileName(env.random_hex, image.mime_type),
                                                       image.mime_type, image.bytes});
  return out;
}

absl::StatusOr<std::string> ReadPicgoAnswer(int http_status, absl::string_view body) {
  std::optional<json> answer = ParseAnswer(body);
  if (!answer.has_value() || !answer->is_object()) {
    return UploadRefused("PicGo", http_status, absl::StrCat("the answer is not a JSON object: ", Excerpt(body)));
  }
  if (http_status / 100 == 2 && answer->contains("image")) {
    const std::string link = StringField((*answer)["image"], "url");
    if (IsHttpLink(link)) return link;
    return UploadRefused("PicGo", http_status, "the answer carries no image.url");
  }
  // Chevereto's errors: {"status_code": 400, "error": {"message": ..., "code": ...}}.
  std::string message;
  if (answer->contains("error")) {
    const json& error = (*answer)["error"];
    message = error.is_string() ? error.get<std::string>() : StringField(error, "message");
  }
  if (message.empty()) message = StringField(*answer, "status_txt");
  if (message.empty()) message = Excerpt(body);
  return UploadRefused("PicGo", http_status, message);
}

}  // namespace gempool::imagehost::internal
