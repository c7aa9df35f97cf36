#include "fake_image_host/oss_check.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

namespace gempool::fake {
namespace {

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(written);
  return out;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string Trim(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const size_t last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

}  // namespace

std::string OssStringToSign(const httplib::Request& req, const std::string& resource) {
  std::vector<std::pair<std::string, std::string>> oss_headers;
  for (const auto& [name, value] : req.headers) {
    const std::string lower = Lower(name);
    if (lower.rfind("x-oss-", 0) == 0) oss_headers.emplace_back(lower, Trim(value));
  }
  std::sort(oss_headers.begin(), oss_headers.end());
  std::string text = req.method + "\n" + req.get_header_value("Content-MD5") + "\n" +
                     req.get_header_value("Content-Type") + "\n" + req.get_header_value("Date") + "\n";
  for (const auto& [name, value] : oss_headers) text += name + ":" + value + "\n";
  return text + resource;
}

std::string OssHmacBase64(const std::string& secret, const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest, &size);
  return Base64(digest, size);
}

std::string OssMd5Base64(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_md5(), nullptr);
  return Base64(digest, size);
}

std::string OssErrorXml(const std::string& code, const std::string& message, const std::string& extra) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>" + code + "</Code>\n  <Message>" + message +
         "</Message>\n  <RequestId>00000000FAKE00000000</RequestId>\n  <HostId>fake-oss</HostId>\n" + extra +
         "</Error>\n";
}

}  // namespace gempool::fake
