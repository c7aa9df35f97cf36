#pragma once
// The fake OSS's own check of a request's V1 signature, written apart from
// libs/imagehost so that a mistake there is not repeated here: the
// StringToSign as OSS's documentation lays it out, HMAC-SHA1 with the
// secret, base64.

#include <string>

#include "httplib.h"

namespace gempool::fake {

// The StringToSign of `req` for the resource "/<bucket>/<object>".
std::string OssStringToSign(const httplib::Request& req, const std::string& resource);
// base64(hmac-sha1(secret, text)).
std::string OssHmacBase64(const std::string& secret, const std::string& text);
// base64(md5(bytes)).
std::string OssMd5Base64(const std::string& bytes);
// OSS's error document.
std::string OssErrorXml(const std::string& code, const std::string& message, const std::string& extra = "");

}  // namespace gempool::fake
