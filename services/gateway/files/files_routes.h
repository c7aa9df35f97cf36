#pragma once
// The Files API as entries of the HTTP server's route table (FilesHandler
// serves them), each also under the /gemini prefix:
//   POST       /upload/{v}/files              resumable upload start (or a chunk with ?upload_id=)
//   POST, PUT  /upload/{v}/files?upload_id=   upload chunks, finalize, query
//   GET        /{v}/files                     list (pageSize, pageToken)
//   GET        /{v}/files/{id}                get
//   DELETE     /{v}/files/{id}                delete
// for v in v1beta, v1 and v1alpha. The client token is checked as for the
// native API (Google's 401 shape). Handlers run on worker threads.
// Thread-safe.

#include <memory>
#include <vector>

#include "files/files_handler.h"
#include "http/client_call.h"

namespace gempool::gateway {

class FilesRoutes {
 public:
  // Everything must outlive the routes (see FilesHandler).
  FilesRoutes(Forwarder& forwarder, FileRecordsClient& records, FileKeyAffinity* affinity, const Clock& clock)
      : handler_(forwarder, records, affinity, clock) {}

  // The route entries, bound to this object (which must outlive them).
  std::vector<ApiRoute> Routes();

 private:
  FilesHandler handler_;
};

}  // namespace gempool::gateway
