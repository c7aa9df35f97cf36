#include "fake_image_host/fake_image_host.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fake_image_host/oss_check.h"

namespace gempool::fake {
namespace {

using nlohmann::json;

void Json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void OssError(httplib::Response& res, int status, const std::string& code, const std::string& message,
              const std::string& extra = "") {
  res.status = status;
  res.set_content(OssErrorXml(code, message, extra), "application/xml");
}

// The one file field `field` of a multipart upload, or an error answered.
const httplib::MultipartFormData* FileField(const httplib::Request& req, const std::string& field) {
  if (!req.is_multipart_form_data() || !req.has_file(field)) return nullptr;
  auto it = req.files.find(field);
  if (it->second.filename.empty() || !absl::StartsWith(it->second.content_type, "image/")) return nullptr;
  return &it->second;
}

}  // namespace

bool FakeImageHost::TakeFailure(const std::string& provider, httplib::Response& res) {
  MutexLock lock(&mu_);
  auto it = failures_.find(provider);
  if (it == failures_.end()) return false;
  res.status = it->second.status;
  res.set_content(it->second.body, absl::StartsWith(it->second.body, "<") ? "application/xml" : "application/json");
  if (it->second.times > 0 && --it->second.times == 0) failures_.erase(it);
  return true;
}

std::string FakeImageHost::Keep(const httplib::Request& req, Stored stored) {
  const std::string link = absl::StrCat("http://", req.get_header_value("Host"), stored.path);
  MutexLock lock(&mu_);
  stored_.push_back(std::move(stored));
  return link;
}

std::string FakeImageHost::FindSame(const std::string& provider, const std::string& bytes) {
  MutexLock lock(&mu_);
  for (const Stored& s : stored_) {
    if (s.provider == provider && s.bytes == bytes) return s.path;
  }
  return "";
}

void FakeImageHost::Smms(const httplib::Request& req, httplib::Response& res) {
  if (TakeFailure("smms", res)) return;
  if (req.get_header_value("Authorization") != options_.smms_token) {
    return Json(res, 401, {{"success", false}, {"code", "unauthorized"}, {"message", "Unauthorized."}});
  }
  const httplib::MultipartFormData* file = FileField(req, "smfile");
  if (file == nullptr) {
    return Json(res, 400, {{"success", false}, {"code", "no_files"}, {"message", "No files were uploaded."}});
  }
  if (const std::string same = FindSame("smms", file->content); !same.empty()) {
    const std::string link = absl::StrCat("http://", req.get_header_value("Host"), same);
    return Json(res, 200,
                {{"success", false},
                 {"code", "image_repeated"},
                 {"message", absl::StrCat("Image upload repeated limit, this image exists at: ", link)},
                 {"images", link}});
  }
  int name = 0;
  {
    MutexLock lock(&mu_);
    name = next_name_++;
  }
  const std::string link = Keep(req, Stored{"smms", absl::StrCat("/smms/i/", name, "-", file->filename),
                                            file->filename, file->content_type, file->content, "",
                                            req.get_header_value("Authorization")});
  Json(res, 200,
       {{"success", true},
        {"code", "success"},
        {"message", "Upload success."},
        {"data", {{"filename", file->filename}, {"size", file->content.size()}, {"url", link}}}});
}

void FakeImageHost::Picgo(const httplib::Request& req, httplib::Response& res) {
  if (TakeFailure("picgo", res)) return;
  const std::string key =
      req.has_header("X-API-Key") ? req.get_header_value("X-API-Key") : req.get_param_value("key");
  if (key != options_.picgo_key) {
    return Json(res, 400, {{"status_code", 400},
                           {"error", {{"message", "Invalid API v1 key."}, {"code", 100}}},
                           {"status_txt", "Bad Request"}});
  }
  const httplib::MultipartFormData* file = FileField(req, "source");
  if (file == nullptr) {
    return Json(res, 400, {{"status_code", 400},
                           {"error", {{"message", "Empty upload source."}, {"code", 130}}},
                           {"status_txt", "Bad Request"}});
  }
  int name = 0;
  {
    MutexLock lock(&mu_);
    name = next_name_++;
  }
  // Where the key came (the test checks gemini-balance's split).
  const std::string query = req.has_param("key") ? absl::StrCat("key=", req.get_param_value("key")) : "";
  const std::string link = Keep(req, Stored{"picgo", absl::StrCat("/picgo/images/", name, "-", file->filename),
                                            file->filename, file->content_type, file->content, query,
                                            req.get_header_value("X-API-Key")});
  Json(res, 200, {{"status_code", 200},
                  {"success", {{"message", "image uploaded"}, {"code", 200}}},
                  {"image", {{"name", file->filename}, {"url", link}, {"display_url", link}}},
                  {"status_txt", "OK"}});
}

void FakeImageHost::Imgbed(const httplib::Request& req, httplib::Response& res) {
  if (TakeFailure("cloudflare_imgbed", res)) return;
  if (!options_.imgbed_auth_code.empty() && req.get_param_value("authCode") != options_.imgbed_auth_code) {
    return Json(res, 401, {{"error", "Unauthorized"}});
  }
  if (req.get_param_value("uploadNameType") != "origin") {
    return Json(res, 400, {{"error", "this fake expects uploadNameType=origin"}});
  }
  const httplib::MultipartFormData* file = FileField(req, "file");
  if (file == nullptr) return Json(res, 400, {{"error", "no file field"}});
  std::string folder = req.get_param_value("uploadFolder");
  const std::string path = absl::StrCat("/file/", folder.empty() ? "" : folder + "/", file->filename);
  std::string query;
  for (const auto& [name, value] : req.params) absl::StrAppend(&query, query.empty() ? "" : "&", name, "=", value);
  Keep(req, Stored{"cloudflare_imgbed", path, file->filename, file->content_type, file->content, query, ""});
  Json(res, 200, json::array({{{"src", path}}}));
}

void FakeImageHost::OssPut(const httplib::Request& req, httplib::Response& res) {
  if (TakeFailure("aliyun_oss", res)) return;
  const std::string bucket = req.matches[1];
  const std::string object = req.matches[2];
  if (bucket != options_.oss_bucket) {
    return OssError(res, 404, "NoSuchBucket", "The specified bucket does not exist.",
                    "  <BucketName>" + bucket + "</BucketName>\n");
  }
  absl::Time date;
  std::string why;
  if (!absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", req.get_header_value("Date"), &date, &why)) {
    return OssError(res, 403, "AccessDenied", "Date header is missing or malformed.");
  }
  if (absl::AbsDuration(absl::Now() - date) > absl::Minutes(15)) {
    return OssError(res, 403, "RequestTimeTooSkewed",
                    "The difference between the request time and the current time is too large.");
  }
  if (req.has_header("Content-MD5") && req.get_header_value("Content-MD5") != OssMd5Base64(req.body)) {
    return OssError(res, 400, "InvalidDigest", "The Content-MD5 you specified is not valid.");
  }
  const std::string authorization = req.get_header_value("Authorization");
  const std::string prefix = "OSS " + options_.oss_access_key + ":";
  if (!absl::StartsWith(authorization, "OSS ")) {
    return OssError(res, 403, "AccessDenied", "Anonymous access is forbidden for this operation.");
  }
  if (!absl::StartsWith(authorization, prefix)) {
    return OssError(res, 403, "InvalidAccessKeyId",
                    "The OSS Access Key Id you provided does not exist in our records.");
  }
  const std::string string_to_sign = OssStringToSign(req, "/" + bucket + "/" + object);
  if (authorization.substr(prefix.size()) != OssHmacBase64(options_.oss_secret, string_to_sign)) {
    return OssError(res, 403, "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided. Check your "
                    "key and signing method.",
                    "  <StringToSign>" + string_to_sign + "</StringToSign>\n");
  }
  Keep(req, Stored{"aliyun_oss", "/" + bucket + "/" + object, object, req.get_header_value("Content-Type"), req.body,
                   "", authorization});
  res.status = 200;
  res.set_header("ETag", "\"" + OssMd5Base64(req.body) + "\"");
}

void FakeImageHost::Serve(const httplib::Request& req, httplib::Response& res) {
  MutexLock lock(&mu_);
  for (auto it = stored_.rbegin(); it != stored_.rend(); ++it) {
    if (it->path == req.path) {
      res.status = 200;
      res.set_content(it->bytes, it->content_type.c_str());
      return;
    }
  }
  res.status = 404;
  res.set_content("no such image", "text/plain");
}

void FakeImageHost::Register(httplib::Server& server) {
  server.Post("/smms/api/v2/upload", [this](const httplib::Request& req, httplib::Response& res) { Smms(req, res); });
  server.Post("/picgo/api/1/upload",
              [this](const httplib::Request& req, httplib::Response& res) { Picgo(req, res); });
  server.Post("/imgbed/upload", [this](const httplib::Request& req, httplib::Response& res) { Imgbed(req, res); });
  server.Post("/_fake/fail", [this](const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("provider") || !body["provider"].is_string()) {
      return Json(res, 400, {{"error", "expected {\"provider\": ..., \"status\"?, \"body\"?, \"times\"?}"}});
    }
    Failure failure;
    failure.status = body.value("status", 500);
    failure.body = body.value("body", std::string(R"({"error":"scripted failure"})"));
    failure.times = body.value("times", 1);
    MutexLock lock(&mu_);
    failures_[body["provider"].get<std::string>()] = failure;
    Json(res, 200, {{"ok", true}});
  });
  server.Post("/_fake/reset", [this](const httplib::Request&, httplib::Response& res) {
    MutexLock lock(&mu_);
    stored_.clear();
    failures_.clear();
    Json(res, 200, {{"ok", true}});
  });
  server.Get("/_fake/uploads", [this](const httplib::Request&, httplib::Response& res) {
    json list = json::array();
    MutexLock lock(&mu_);
    for (const Stored& s : stored_) {
      list.push_back({{"provider", s.provider},
                      {"path", s.path},
                      {"filename", s.filename},
                      {"content_type", s.content_type},
                      {"size", s.bytes.size()},
                      {"query", s.query},
                      {"authorization", s.authorization}});
    }
    Json(res, 200, list);
  });
  server.Put(R"(/([a-z0-9-]+)/(.+))",
             [this](const httplib::Request& req, httplib::Response& res) { OssPut(req, res); });
  server.Get(R"(/.+)", [this](const httplib::Request& req, httplib::Response& res) { Serve(req, res); });
}

}  // namespace gempool::fake
