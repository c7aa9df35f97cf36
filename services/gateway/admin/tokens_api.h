#pragma once
// /api/tokens...: managed client tokens for the admin page and scripts, over
// the broker's KeyAdmin calls. The secret appears once, in the answer to
// the POST that creates the token. Thread-safe.
//
//   GET    /tokens          every token (no secret) with its counters:
//                           requests this UTC minute, tokens this TIMEZONE day
//   POST   /tokens          {"name", "expires": "30d"|"YYYY-MM-DD"|"never"
//                            or "expires_at_ms", "limits": {"requests_per_minute",
//                            "tokens_per_day", "allowed_models": [..]}}
//                           → {"token": {...}, "secret": "gp-..."}
//   PATCH  /tokens/{id}     any of "name", "expires"/"expires_at_ms",
//                           "disabled", "limits" → the token
//   DELETE /tokens/{id}     → {"deleted": true}

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "admin/admin_backend.h"
#include "admin/api_call.h"
#include "admin/display_zone.h"
#include "gempool/common/clock.h"

namespace gempool::gateway::admin {

class TokensApi {
 public:
  // All references must outlive this; `zone` (TIMEZONE) reads expiry dates
  // and cuts "today".
  TokensApi(AdminBackend& backend, const Clock& clock, const DisplayZone& zone)
      : backend_(backend), clock_(clock), zone_(zone) {}

  // Handles a call whose path starts with /tokens.
  ApiResult Handle(const ApiCall& call);

 private:
  ApiResult List();
  ApiResult Create(const ApiCall& call);
  ApiResult Update(const ApiCall& call, int64_t id);
  ApiResult Delete(int64_t id);

  AdminBackend& backend_;
  const Clock& clock_;
  const DisplayZone& zone_;
};

// The limits in a JSON body ({"requests_per_minute", "tokens_per_day",
// "allowed_models"}); kInvalidArgument for wrong types.
absl::StatusOr<v1::ClientTokenLimits> LimitsFromJson(const nlohmann::json& limits);

}  // namespace gempool::gateway::admin
