#pragma once
// /api/proxies...: the health of the PROXIES entries as the key broker sees
// it (KeyAdmin.CheckProxies), for the proxies panel of the configuration page.
// Credentials come masked from the broker. Thread-safe.
//
//   GET  /proxies        the last check's results
//   POST /proxies/check  checks every proxy now (a few seconds at most)
//
// Answer: {"interval_seconds": N, "proxies": [{"proxy", "alive",
// "checked_at_ms", "latency_ms", "error"}]}.

#include "admin/admin_backend.h"
#include "admin/api_call.h"

namespace gempool::gateway::admin {

class ProxiesApi {
 public:
  explicit ProxiesApi(AdminBackend& backend) : backend_(backend) {}

  // Handles a call whose path starts with /proxies.
  ApiResult Handle(const ApiCall& call);

 private:
  AdminBackend& backend_;
};

}  // namespace gempool::gateway::admin
