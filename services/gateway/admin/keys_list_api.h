#pragma once
// gemini-balance's key list for scripts: GET /v1/keys/list and
// /hf/v1/keys/list with the admin token (AUTH_TOKEN) as a bearer (the admin
// service checks it and rate-limits wrong tokens like logins). Answers
// gemini-balance's shape, Gemini API pool only:
//   {"status": "success",
//    "data": {"valid_keys": {"<key>": <fail count>, ...},
//             "invalid_keys": {"<key>": <fail count>, ...}},
//    "total": N,
//    "keys": [{"id", "key", "state", "fail_count"}, ...]}   (gempool's addition)
// Invalid = disabled; valid = every other state (active, cooling, failing,
// paused). Keys are masked ("AIzaSy...wxyz"; two keys with the same mask get
// " #<id>" appended, so none is lost) unless the query has full=true, which
// answers the secrets (as ExportKeys does for the admin page's "copy").
// Thread-safe.

#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "admin/admin_backend.h"
#include "admin/api_call.h"

namespace gempool::gateway::admin {

class KeysListApi {
 public:
  explicit KeysListApi(AdminBackend& backend) : backend_(backend) {}

  static bool Matches(absl::string_view path) { return path == "/v1/keys/list" || path == "/hf/v1/keys/list"; }

  ApiResult Handle(const std::map<std::string, std::string>& query);

 private:
  AdminBackend& backend_;
};

}  // namespace gempool::gateway::admin
