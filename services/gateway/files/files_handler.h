#pragma once
// The Files API routes (FilesRoutes lists them):
//  - Upload: the resumable upload protocol. A start (X-Goog-Upload-Command:
//    start) goes to Google's upload endpoint on one healthy key; Google's
//    upload URL is kept as an upload session in persistence and the client
//    gets gempool's own URL for it instead (upload_urls.h). Chunks on that
//    URL (upload, "upload, finalize", finalize, query) are relayed on the
//    session's key (UploadChunkRelay), from any gateway; the finalize's
//    File is recorded (name → key, owner, expiry).
//  - List: from the records, newest first (only the caller's own files with
//    FILES_USER_ISOLATION_ENABLED); Google's page shape.
//  - Get, Delete: at Google with the key that owns the file; the record is
//    refreshed or removed.
// Another client token's upload session is the same 404 as an unknown one;
// another token's file is the same 404 as an unknown file while
// FILES_USER_ISOLATION_ENABLED (file_not_found.h). Errors in Google's shape.
//
// Every handler blocks (persistence and upstream calls): worker threads.
// Thread-safe.

#include <string>

#include "files/file_key_affinity.h"
#include "files/file_records_client.h"
#include "files/upload_chunk_relay.h"
#include "gempool/common/clock.h"
#include "gempool/gemini/upstream_url.h"
#include "http/client_call.h"
#include "live_settings.h"
#include "upstream/forwarder.h"
#include "upstream/random_ids.h"

namespace gempool::gateway {

class FilesHandler {
 public:
  // How long an upload may take from start to finalize.
  static constexpr int64_t kUploadSessionLifetimeMs = 24LL * 60 * 60 * 1000;
  // A file's life at Google when its answer gives no expirationTime.
  static constexpr int64_t kFileLifetimeMs = 48LL * 60 * 60 * 1000;

  // Everything must outlive the handler; `affinity` may be null. BASE_URL
  // and FILES_USER_ISOLATION_ENABLED come from each call's settings snapshot.
  FilesHandler(Forwarder& forwarder, FileRecordsClient& records, FileKeyAffinity* affinity, const Clock& clock);

  // POST /upload/{v}/files (start, or a chunk when ?upload_id= is given),
  // PUT /upload/{v}/files?upload_id=. path_params: prefix, version.
  ClientAnswer Upload(const ClientCall& call);
  // GET /{v}/files. path_params: prefix, version.
  ClientAnswer List(const ClientCall& call);
  // GET and DELETE /{v}/files/{id}. path_params: prefix, version, id.
  ClientAnswer Get(const ClientCall& call);
  ClientAnswer Delete(const ClientCall& call);

 private:
  ClientAnswer StartUpload(const ClientCall& call);
  ClientAnswer RelayChunk(const ClientCall& call, const std::string& session_id);
  // Records the File of a finalize (or a get) answer `body` for `key_id`
  // and `owner`; logs what it cannot.
  void RecordFile(const std::string& body, bool wrapped, int64_t key_id, const std::string& owner);
  // The record of files/`id` the caller may see, or the 404.
  absl::StatusOr<v1::FileRecord> VisibleRecord(const ClientCall& call, const std::string& id);

  Forwarder& forwarder_;
  FileRecordsClient& records_;
  FileKeyAffinity* const affinity_;
  const Clock& clock_;
  UploadChunkRelay relay_;
};

}  // namespace gempool::gateway
