#include "gempool/imagehost/oss_signature.h"

#include <algorithm>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace gempool::imagehost {

std::string OssCanonicalString(const OssStringToSign& request) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.oss_headers) {
    headers.emplace_back(absl::AsciiStrToLower(absl::StripAsciiWhitespace(name)),
                         std::string(absl::StripAsciiWhitespace(value)));
  }
  std::sort(headers.begin(), headers.end());
  std::string out = absl::StrCat(request.verb, "\n", request.content_md5, "\n", request.content_type, "\n",
                                 request.date, "\n");
  for (const auto& [name, value] : headers) absl::StrAppend(&out, name, ":", value, "\n");
  absl::StrAppend(&out, request.resource);
  return out;
}

std::string OssSignature(absl::string_view access_key_secret, const OssStringToSign& request) {
  const std::string text = OssCanonicalString(request);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), access_key_secret.data(), static_cast<int>(access_key_secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest, &length);
  return absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string OssAuthorization(absl::string_view access_key_id, absl::string_view access_key_secret,
                             const OssStringToSign& request) {
  return absl::StrCat("OSS ", access_key_id, ":", OssSignature(access_key_secret, request));
}

std::string HttpDate(absl::Time time) {
  return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", time, absl::UTCTimeZone());
}

std::string ContentMd5(absl::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr);
  return absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace gempool::imagehost
