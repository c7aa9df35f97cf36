#pragma once
// The Files API in fake-gemini, with Google's per-key ownership: a file
// belongs to the key that uploaded it (Google: to that key's project), and
// any other key gets Google's 403 for it, on files get/delete and on a
// generateContent, streamGenerateContent or countTokens naming it in a
// fileData.fileUri:
//   {"error":{"code":403,"message":"You do not have permission to access the
//    File <id> or it may not exist.","status":"PERMISSION_DENIED"}}
//
// The resumable upload protocol as @google/genai speaks it:
//   POST /upload/{v}/files  X-Goog-Upload-Protocol: resumable,
//        X-Goog-Upload-Command: start, body {"file":{displayName?,mimeType?}}
//        → 200, empty body, X-Goog-Upload-URL: http://<Host>/upload/{v}/files
//          ?upload_id=<id>&upload_protocol=resumable, X-Goog-Upload-Status:
//          active, X-Goog-Upload-Chunk-Granularity
//   POST|PUT <that URL>  X-Goog-Upload-Command: upload | "upload, finalize" |
//        finalize | query, X-Goog-Upload-Offset: <bytes received so far>
//        → X-Goog-Upload-Status: active (final and {"file":File} on
//          finalize), X-Goog-Upload-Size-Received; a wrong offset is 400, a
//          chunk with another key than the start's is 400.
//   GET /{v}/files (the key's own, newest first, pageSize/pageToken),
//   GET /{v}/files/{id}, DELETE /{v}/files/{id} → {}.
// Files stay ACTIVE and expire after 48 h (expirationTime).
//
// FakeGemini routes these calls here after its key check and scripts (so a
// scripted 429 applies to them too). Thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"
#include "httplib.h"

namespace gempool::fake {

class FakeFiles {
 public:
  explicit FakeFiles(const Clock& clock) : clock_(clock) {}

  // The id of a file `body` names (fileData.fileUri) that `key` does not
  // own, if any: the call gets DeniedBody(id) with status 403.
  std::optional<std::string> DeniedFile(const std::string& key, const std::string& body) const;
  static std::string DeniedMessage(const std::string& id);

  // Answers a Files API call `operation` ("files.upload", "files.list",
  // "files.get", "files.delete") made with `key`; `id` is the file id of
  // get/delete.
  void Answer(const httplib::Request& req, httplib::Response& res, const std::string& operation,
              const std::string& api_version, const std::string& id, const std::string& key);

  // Drops every upload and file.
  void Reset();

 private:
  struct Upload {
    std::string key;
    std::string display_name;
    std::string mime_type;
    std::string api_version;
    std::string bytes;
  };
  struct File {
    std::string key;
    int64_t created_ms = 0;
    int64_t sequence = 0;  // Creation order (ties of created_ms).
    std::string json;      // The File resource.
  };

  void StartUpload(const httplib::Request& req, httplib::Response& res, const std::string& api_version,
                   const std::string& key) ABSL_LOCKS_EXCLUDED(mu_);
  void Chunk(const httplib::Request& req, httplib::Response& res, const std::string& key) ABSL_LOCKS_EXCLUDED(mu_);
  void List(const httplib::Request& req, httplib::Response& res, const std::string& key) ABSL_LOCKS_EXCLUDED(mu_);

  const Clock& clock_;
  mutable Mutex mu_;
  std::map<std::string, Upload> uploads_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, File> files_ ABSL_GUARDED_BY(mu_);  // By id.
  int64_t next_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace gempool::fake
