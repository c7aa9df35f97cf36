#include "fake_upstream/files_routes.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "fake_upstream/responses.h"
#include "nlohmann/json.hpp"

namespace gempool::fake {
namespace {

using json = nlohmann::ordered_json;

constexpr char kFilesJsonType[] = "application/json; charset=UTF-8";
constexpr int64_t kFileLifetimeMs = 48LL * 60 * 60 * 1000;

void SetFilesJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(GoogleJson(body), kFilesJsonType);
}

std::string Rfc3339(int64_t unix_ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMillis(unix_ms), absl::UTCTimeZone());
}

// The file id of a fileUri ("https://host/v1beta/files/<id>" or
// "files/<id>"), "" for other URIs.
std::string FileIdOf(const std::string& uri) {
  const size_t at = uri.rfind("files/");
  if (at == std::string::npos) return "";
  if (at != 0 && uri[at - 1] != '/') return "";
  return uri.substr(at + 6);
}

void CollectFileIds(const json& node, std::vector<std::string>& ids, int depth = 0) {
  if (depth > 64) return;
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if ((it.key() == "fileData" || it.key() == "file_data") && it.value().is_object()) {
        for (const char* uri_key : {"fileUri", "file_uri"}) {
          if (it.value().contains(uri_key) && it.value()[uri_key].is_string()) {
            const std::string id = FileIdOf(it.value()[uri_key].get<std::string>());
            if (!id.empty()) ids.push_back(id);
          }
        }
      }
      CollectFileIds(it.value(), ids, depth + 1);
    }
  } else if (node.is_array()) {
    for (const json& item : node) CollectFileIds(item, ids, depth + 1);
  }
}

std::string Command(const httplib::Request& req) {
  return absl::AsciiStrToLower(req.get_header_value("X-Goog-Upload-Command"));
}

}  // namespace

std::string FakeFiles::DeniedMessage(const std::string& id) {
  return absl::StrCat("You do not have permission to access the File ", id, " or it may not exist.");
}

std::optional<std::string> FakeFiles::DeniedFile(const std::string& key, const std::string& body) const {
  if (!absl::StrContains(body, "files/")) return std::nullopt;
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> ids;
  CollectFileIds(parsed, ids);
  MutexLock lock(&mu_);
  for (const std::string& id : ids) {
    auto it = files_.find(id);
    if (it == files_.end() || it->second.key != key) return id;
  }
  return std::nullopt;
}

void FakeFiles::Reset() {
  MutexLock lock(&mu_);
  uploads_.clear();
  files_.clear();
}

void FakeFiles::Answer(const httplib::Request& req, httplib::Response& res, const std::string& operation,
                       const std::string& api_version, const std::string& id, const std::string& key) {
  if (operation == "files.upload") {
    if (req.has_param("upload_id")) {
      Chunk(req, res, key);
    } else {
      StartUpload(req, res, api_version, key);
    }
    return;
  }
  if (operation == "files.list") {
    List(req, res, key);
    return;
  }
  MutexLock lock(&mu_);
  auto it = files_.find(id);
  if (it == files_.end() || it->second.key != key) {
    SetFilesJson(res, 403, {{"error", {{"code", 403}, {"message", DeniedMessage(id)}, {"status", "PERMISSION_DENIED"}}}});
    return;
  }
  if (operation == "files.get") {
    res.status = 200;
    res.set_content(it->second.json, kFilesJsonType);
    return;
  }
  files_.erase(it);  // files.delete
  SetFilesJson(res, 200, json::object());
}

void FakeFiles::StartUpload(const httplib::Request& req, httplib::Response& res, const std::string& api_version,
                            const std::string& key) {
  if (!absl::EqualsIgnoreCase(req.get_header_value("X-Goog-Upload-Protocol"), "resumable") ||
      Command(req) != "start") {
    SetFilesJson(res, 400, SimpleErrorBody(400, "fake-gemini: only the resumable upload protocol's start is served here"));
    return;
  }
  const json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  Upload upload;
  upload.key = key;
  upload.api_version = api_version;
  if (body.is_object() && body.contains("file") && body["file"].is_object()) {
    upload.display_name = body["file"].value("displayName", "");
    upload.mime_type = body["file"].value("mimeType", "");
  }
  if (upload.mime_type.empty()) upload.mime_type = req.get_header_value("X-Goog-Upload-Header-Content-Type");
  if (upload.mime_type.empty()) upload.mime_type = "application/octet-stream";
  std::string upload_id;
  {
    MutexLock lock(&mu_);
    // Long and opaque, as Google's are.
    upload_id = absl::StrCat("fake-upload-", next_++, "-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789");
    uploads_.emplace(upload_id, std::move(upload));
  }
  res.status = 200;
  res.set_header("X-Goog-Upload-URL", absl::StrCat("http://", req.get_header_value("Host"), "/upload/", api_version,
                                                   "/files?upload_id=", upload_id, "&upload_protocol=resumable"));
  res.set_header("X-Goog-Upload-Status", "active");
  res.set_header("X-Goog-Upload-Chunk-Granularity", "8388608");
  res.set_header("X-Goog-Upload-Control-URL", "");  // Google sends more headers than the client needs.
}

void FakeFiles::Chunk(const httplib::Request& req, httplib::Response& res, const std::string& key) {
  const std::string upload_id = req.get_param_value("upload_id");
  const std::string command = Command(req);
  MutexLock lock(&mu_);
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end()) {
    SetFilesJson(res, 404, SimpleErrorBody(404, "fake-gemini: no such upload (finished, or never started)"));
    return;
  }
  Upload& upload = it->second;
  if (upload.key != key) {
    SetFilesJson(res, 400, SimpleErrorBody(400, "fake-gemini: this upload was started with another API key"));
    return;
  }
  if (command == "query") {
    res.status = 200;
    res.set_header("X-Goog-Upload-Status", "active");
    res.set_header("X-Goog-Upload-Size-Received", std::to_string(upload.bytes.size()));
    return;
  }
  if (absl::StrContains(command, "upload")) {
    uint64_t offset = 0;
    if (!absl::SimpleAtoi(req.get_header_value("X-Goog-Upload-Offset"), &offset) || offset != upload.bytes.size()) {
      SetFilesJson(res, 400,
              SimpleErrorBody(400, absl::StrCat("fake-gemini: X-Goog-Upload-Offset must be ", upload.bytes.size())));
      return;
    }
    upload.bytes += req.body;
  }
  if (!absl::StrContains(command, "finalize")) {
    res.status = 200;
    res.set_header("X-Goog-Upload-Status", "active");
    res.set_header("X-Goog-Upload-Size-Received", std::to_string(upload.bytes.size()));
    return;
  }
  const int64_t now = clock_.NowUnixMs();
  const std::string id = absl::StrCat("fk", next_++, "x", now % 100000);
  json file = {{"name", "files/" + id}};
  if (!upload.display_name.empty()) file["displayName"] = upload.display_name;
  file["mimeType"] = upload.mime_type;
  file["sizeBytes"] = std::to_string(upload.bytes.size());
  file["createTime"] = Rfc3339(now);
  file["updateTime"] = Rfc3339(now);
  file["expirationTime"] = Rfc3339(now + kFileLifetimeMs);
  file["sha256Hash"] = "ZmFrZQ==";
  file["uri"] = absl::StrCat("https://generativelanguage.googleapis.com/", upload.api_version, "/files/", id);
  file["state"] = "ACTIVE";
  file["source"] = "UPLOADED";
  File stored;
  stored.key = key;
  stored.created_ms = now;
  stored.sequence = next_;
  stored.json = GoogleJson(file);
  files_.emplace(id, std::move(stored));
  uploads_.erase(it);
  res.set_header("X-Goog-Upload-Status", "final");
  SetFilesJson(res, 200, {{"file", file}});
}

void FakeFiles::List(const httplib::Request& req, httplib::Response& res, const std::string& key) {
  int page_size = 10;
  if (req.has_param("pageSize")) (void)absl::SimpleAtoi(req.get_param_value("pageSize"), &page_size);
  page_size = std::clamp(page_size, 1, 100);
  size_t start = 0;
  if (req.has_param("pageToken")) (void)absl::SimpleAtoi(req.get_param_value("pageToken"), &start);
  MutexLock lock(&mu_);
  std::vector<const File*> mine;
  for (const auto& [id, file] : files_) {
    if (file.key == key) mine.push_back(&file);
  }
  std::sort(mine.begin(), mine.end(), [](const File* a, const File* b) { return a->sequence > b->sequence; });
  json out = json::object();
  json files = json::array();
  for (size_t i = start; i < mine.size() && files.size() < static_cast<size_t>(page_size); ++i) {
    files.push_back(json::parse(mine[i]->json));
  }
  if (!files.empty()) out["files"] = files;
  if (start + files.size() < mine.size()) out["nextPageToken"] = std::to_string(start + files.size());
  SetFilesJson(res, 200, out);
}

}  // namespace gempool::fake
