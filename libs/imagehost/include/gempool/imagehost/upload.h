#pragma once
// Image hosting (UPLOAD_PROVIDER): the upload request for one image and the
// reading of the host's answer, for each provider gemini-balance supports:
//   smms               SM.MS API v2: POST SMMS_API_URL, multipart field
//                      `smfile`, `Authorization: <SMMS_SECRET_TOKEN>`;
//                      answer data.url (an "image_repeated" answer names
//                      the existing copy, which is used).
//   picgo              PicGo / Chevereto API v1: POST PICGO_API_URL,
//                      multipart field `source`; the key in `X-API-Key` for
//                      the default URL, as `?key=` for any other (as
//                      gemini-balance does); answer image.url.
//   cloudflare_imgbed  Cloudflare ImgBed: POST CLOUDFLARE_IMGBED_URL with
//                      `authCode`, `uploadFolder`, `uploadNameType=origin`
//                      as query parameters, multipart field `file`; answer
//                      [{"src": "/file/..."}], a path on the ImgBed's origin.
//   aliyun_oss         Aliyun OSS PutObject: PUT of the bytes, signed with
//                      the V1 header signature (oss_signature.h), through
//                      OSS_ENDPOINT_INNER when set; the link is on
//                      OSS_ENDPOINT. A host that is an IP address or
//                      "localhost" is addressed path-style
//                      (http://127.0.0.1:9000/bucket/object), any other
//                      virtual-hosted (https://bucket.endpoint/object).
// Objects are named YYYY/MM/DD/<16 random hex digits>.<ext>.
// Pure functions: no sockets, thread-safe. The gateway sends the request
// (services/gateway/imagehost/image_uploader.h).

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gempool/config/config.h"

namespace gempool::imagehost {

// One image: its raw bytes (not base64) and MIME type ("image/png").
struct Image {
  std::string bytes;
  std::string mime_type;
};

// An HTTP request ready to go out. Host and Content-Length are the
// client's to add.
struct HttpUpload {
  std::string method;            // "POST" or "PUT".
  std::string scheme_host_port;  // "https://sm.ms", "http://127.0.0.1:9000".
  std::string path_and_query;    // "/api/v2/upload", percent-encoded.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // OSS: the link the object has once stored (its answer carries none).
  std::string public_link;

  std::string Url() const { return scheme_host_port + path_and_query; }
};

// What differs from one upload to the next; given by the caller so that
// tests are repeatable (FreshUploadEnv() in production).
struct UploadEnv {
  absl::Time now;
  std::string random_hex;  // The object name's unique part (16 hex digits).
  std::string boundary;    // The multipart boundary.
};
// The time now, fresh random digits and a fresh boundary.
UploadEnv FreshUploadEnv();

// The upload of `image` to `settings.provider`. FailedPrecondition naming
// the missing settings (ImageHostSettings::MissingSettings()) or for
// provider "none"; InvalidArgument for a URL or endpoint that cannot be
// used.
absl::StatusOr<HttpUpload> PrepareUpload(const ImageHostSettings& settings, const Image& image,
                                         const UploadEnv& env);

// The public link from the host's answer (`http_status`, `body`) to
// `upload`. An error says what the host answered (its own message when it
// gave one): Unauthenticated for a refused token/key/signature, Unavailable
// for a 5xx, FailedPrecondition otherwise.
absl::StatusOr<std::string> ReadUploadAnswer(const ImageHostSettings& settings, const HttpUpload& upload,
                                             int http_status, absl::string_view body);

// "SM.MS", "PicGo", "Cloudflare ImgBed", "Aliyun OSS" (for messages).
std::string ProviderLabel(absl::string_view provider);

}  // namespace gempool::imagehost
