#include "admin/proxies_api.h"

#include "absl/strings/str_cat.h"
#include "gempool/keypool/admin_json.h"

namespace gempool::gateway::admin {

ApiResult ProxiesApi::Handle(const ApiCall& call) {
  const bool check = call.method == "POST" && call.path == "/proxies/check";
  if (!check && !(call.method == "GET" && call.path == "/proxies")) {
    return ErrorResult(absl::NotFoundError(absl::StrCat(call.method, " /api", call.path, " is not an admin API call")));
  }
  v1::CheckProxiesRequest request;
  request.set_run_now(check);
  absl::StatusOr<v1::CheckProxiesResponse> response = backend_.CheckProxies(request);
  if (!response.ok()) return ErrorResult(response.status());
  nlohmann::json proxies = nlohmann::json::array();
  for (const v1::ProxyHealth& p : response->proxies()) {
    proxies.push_back(nlohmann::json(keypool::ProxyHealthJson(p)));
  }
  ApiResult result;
  result.body = {{"interval_seconds", response->interval_seconds()}, {"proxies", proxies}};
  return result;
}

}  // namespace gempool::gateway::admin
