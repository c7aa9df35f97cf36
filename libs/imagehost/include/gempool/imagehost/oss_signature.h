#pragma once
// Aliyun OSS V1 header signature, from OSS's documentation ("Include a V1
// signature in the Authorization header"):
//   Authorization = "OSS " + AccessKeyId + ":" + Signature
//   Signature = base64(hmac-sha1(AccessKeySecret,
//       VERB + "\n" + Content-MD5 + "\n" + Content-Type + "\n" + Date + "\n"
//       + CanonicalizedOSSHeaders + CanonicalizedResource))
// CanonicalizedOSSHeaders: the x-oss-* headers, names lower-cased, sorted,
// "name:value\n" each (spaces around the colon removed); may be empty.
// CanonicalizedResource: "/bucket/object" (sub-resources not used here).
// Date: RFC 1123 in GMT; OSS refuses a request more than 15 minutes off.
// Pure functions; the fake OSS in the tests checks with the same formula,
// written separately.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace gempool::imagehost {

struct OssStringToSign {
  std::string verb;          // "PUT".
  std::string content_md5;   // Base64 of the body's MD5, or "".
  std::string content_type;  // "image/png", or "".
  std::string date;          // "Sun, 22 Nov 2015 08:16:38 GMT".
  std::vector<std::pair<std::string, std::string>> oss_headers;  // x-oss-* (any case, any order).
  std::string resource;      // "/bucket/object".
};

// The string OSS signs (exposed for tests and error messages).
std::string OssCanonicalString(const OssStringToSign& request);

// base64(hmac-sha1(secret, OssCanonicalString(request))).
std::string OssSignature(absl::string_view access_key_secret, const OssStringToSign& request);

// "OSS <access key id>:<signature>".
std::string OssAuthorization(absl::string_view access_key_id, absl::string_view access_key_secret,
                             const OssStringToSign& request);

// `time` as an HTTP date: "Sun, 22 Nov 2015 08:16:38 GMT".
std::string HttpDate(absl::Time time);

// Base64 of the MD5 of `bytes` (the Content-MD5 header value).
std::string ContentMd5(absl::string_view bytes);

}  // namespace gempool::imagehost
