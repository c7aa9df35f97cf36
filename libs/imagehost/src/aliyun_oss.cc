// Aliyun OSS PutObject with the V1 header signature (oss_signature.h).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "answer_json.h"
#include "gempool/imagehost/http_url.h"
#include "gempool/imagehost/object_name.h"
#include "gempool/imagehost/oss_signature.h"
#include "providers.h"

namespace gempool::imagehost::internal {
namespace {

// OSS_ENDPOINT(_INNER) as a URL: a bare host name means https.
absl::StatusOr<HttpUrl> ParseEndpoint(absl::string_view endpoint, absl::string_view setting) {
  const bool has_scheme = absl::StartsWithIgnoreCase(endpoint, "http://") ||
                          absl::StartsWithIgnoreCase(endpoint, "https://");
  return ParseHttpUrl(has_scheme ? std::string(endpoint) : absl::StrCat("https://", endpoint), setting);
}

struct ObjectUrl {
  std::string origin;  // "https://bucket.oss-cn-hangzhou.aliyuncs.com" or "http://127.0.0.1:9000".
  std::string path;    // "/2026/12/06/x.png" or "/bucket/2026/12/06/x.png".
};

// Virtual-hosted addressing (the bucket in the host name), or path-style
// for an endpoint that is an IP address or localhost (where a bucket
// sub-domain cannot resolve: a local OSS-compatible server, the tests).
ObjectUrl AddressObject(const HttpUrl& endpoint, absl::string_view bucket, absl::string_view object) {
  if (IsAddressHost(endpoint.host)) {
    return {endpoint.Origin(), absl::StrCat("/", bucket, "/", PathEscape(object))};
  }
  return {absl::StrCat(endpoint.scheme, "://", bucket, ".", endpoint.authority), absl::StrCat("/", PathEscape(object))};
}

// The text of <tag>...</tag> in OSS's error XML, "" when absent.
std::string XmlElement(absl::string_view xml, absl::string_view tag) {
  const std::string open = absl::StrCat("<", tag, ">");
  const std::string close = absl::StrCat("</", tag, ">");
  const size_t start = xml.find(open);
  if (start == absl::string_view::npos) return "";
  const size_t end = xml.find(close, start + open.size());
  if (end == absl::string_view::npos) return "";
  return std::string(xml.substr(start + open.size(), end - start - open.size()));
}

}  // namespace

absl::StatusOr<HttpUpload> PrepareOss(const ImageHostSettings& settings, const Image& image, const UploadEnv& env) {
  absl::StatusOr<HttpUrl> public_endpoint = ParseEndpoint(settings.oss_endpoint, "OSS_ENDPOINT");
  if (!public_endpoint.ok()) return public_endpoint.status();
  absl::StatusOr<HttpUrl> upload_endpoint =
      settings.oss_endpoint_inner.empty() ? public_endpoint
                                          : ParseEndpoint(settings.oss_endpoint_inner, "OSS_ENDPOINT_INNER");
  if (!upload_endpoint.ok()) return upload_endpoint.status();

  const std::string object = ObjectName(env.now, env.random_hex, image.mime_type);
  const ObjectUrl target = AddressObject(*upload_endpoint, settings.oss_bucket_name, object);
  const ObjectUrl link = AddressObject(*public_endpoint, settings.oss_bucket_name, object);

  OssStringToSign to_sign;
  to_sign.verb = "PUT";
  to_sign.content_md5 = ContentMd5(image.bytes);
  to_sign.content_type = image.mime_type;
  to_sign.date = HttpDate(env.now);
  to_sign.resource = absl::StrCat("/", settings.oss_bucket_name, "/", object);

  HttpUpload out;
  out.method = "PUT";
  out.scheme_host_port = target.origin;
  out.path_and_query = target.path;
  out.headers = {{"Date", to_sign.date},
                 {"Content-Type", to_sign.content_type},
                 {"Content-MD5", to_sign.content_md5},
                 {"Authorization",
                  OssAuthorization(settings.oss_access_key, settings.oss_access_key_secret, to_sign)}};
  out.body = image.bytes;
  out.public_link = link.origin + link.path;
  return out;
}

absl::StatusOr<std::string> ReadOssAnswer(const HttpUpload& upload, int http_status, absl::string_view body) {
  if (http_status / 100 == 2) return upload.public_link;
  // <Error><Code>SignatureDoesNotMatch</Code><Message>...</Message>...</Error>
  const std::string code = XmlElement(body, "Code");
  const std::string message = XmlElement(body, "Message");
  std::string detail = code.empty() ? Excerpt(body) : code;
  if (!message.empty()) absl::StrAppend(&detail, ": ", message);
  return UploadRefused("Aliyun OSS", http_status, Excerpt(detail));
}

}  // namespace gempool::imagehost::internal
