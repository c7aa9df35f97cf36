#pragma once
// /api/logs...: the request log and the error log over the persistence
// service, filtered and paginated there, with masked keys added for the key
// ids in view. Error messages are shown as stored: upstream bodies with the
// keys already redacted by the gateway that logged them. Thread-safe.
//
//   GET  /logs/requests?since=&until=&key=&model=&status=&text=&offset=&limit=
//   GET  /logs/errors?...same...
//   GET  /logs/errors/{id}   one error row with its whole request_body
//   POST /logs/delete  {"table": "request"|"error", "ids": [..]} | {"table":..., "all": true}
//
// `key` is a key id, or a part of a key that names exactly one pool key.
// A page of error rows carries only the first bytes of each request body
// ("request_body_truncated", "request_body_bytes"); the UI fetches the whole
// body by the row's id when it opens the row. An unknown id is a 404.

#include <string>

#include "admin/admin_backend.h"
#include "admin/api_call.h"

namespace gempool::gateway::admin {

class LogsApi {
 public:
  explicit LogsApi(AdminBackend& backend) : backend_(backend) {}

  // Handles a call whose path starts with /logs.
  ApiResult Handle(const ApiCall& call);

 private:
  ApiResult Query(const ApiCall& call, bool errors);
  // GET /logs/errors/{id}: `id_text` is the path's last segment.
  ApiResult ErrorRow(const std::string& id_text);
  ApiResult Delete(const ApiCall& call);

  AdminBackend& backend_;
};

}  // namespace gempool::gateway::admin
