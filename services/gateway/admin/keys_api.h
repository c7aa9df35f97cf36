#pragma once
// /api/keys...: the key pool as the admin page sees it, over the broker's
// KeyAdmin calls. Lists are paginated by the broker (the page never holds
// more than one page of keys, so 10,000 keys stay smooth); secrets leave the
// broker only for the explicit "copy" action (export). Thread-safe.
//
//   GET  /keys?state=a,b&search=&model=&sort=&order=&offset=&limit=
//   GET  /keys/usage?ids=1,2       calls per key over 1 h / 24 h / 30 d
//   GET  /keys/detail?id=N         calls per model and the last errors
//   GET  /keys/ids?state=&search=&model=&pool=   every matching key id (the
//                                  page's "select all N matching")
//   POST /keys/add     {"text": "..."}             paste: any format
//   POST /keys/{reset,pause,resume,delete,export,verify}  {"ids":[..]}|{"all":true}

#include "admin/admin_backend.h"
#include "admin/api_call.h"

namespace gempool::gateway::admin {

class KeysApi {
 public:
  // `backend` must outlive this.
  explicit KeysApi(AdminBackend& backend) : backend_(backend) {}

  // Handles a call whose path starts with /keys.
  ApiResult Handle(const ApiCall& call);

 private:
  ApiResult List(const ApiCall& call);
  ApiResult Usage(const ApiCall& call);
  ApiResult Detail(const ApiCall& call);
  ApiResult Ids(const ApiCall& call);
  ApiResult Add(const ApiCall& call);
  ApiResult Action(const ApiCall& call, const std::string& action);

  AdminBackend& backend_;
};

}  // namespace gempool::gateway::admin
