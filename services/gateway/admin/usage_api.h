#pragma once
// /api/usage: token usage for the statistics page, summed by the
// persistence service from its hourly usage table (kept past log
// retention):
//
//   GET /usage?since=7d&by=model|key|token&limit=10[&model=..][&key_id=..][&token=..]
//     → "total" (requests, failures and the six token counts: prompt,
//       candidates (completion), thoughts (thinking), cached, tool use
//       prompt, total), "days" (one row per calendar day in TIMEZONE, oldest
//       first, empty days included, each with its local "date"), "groups"
//       (the top `limit` keys (masked), models or client token ids by total
//       tokens) and "other_groups" (how many more there are).
//
// `since` and `until` as CalendarDayEdges (gempool/common/time_zone.h) takes
// them: "today", "<N>d" (1 to 400 calendar days in TIMEZONE, today
// included; default 7d) or a first day YYYY-MM-DD, and the last day
// (default today); `limit` 1 to 1000 (default 10). Token groups carry the
// managed tokens' names (ManagedTokenNames). Thread-safe.

#include <cstdint>
#include <map>
#include <string>

#include "admin/admin_backend.h"
#include "admin/api_call.h"
#include "admin/display_zone.h"
#include "gempool/common/clock.h"

namespace gempool::gateway::admin {

class UsageApi {
 public:
  // All references must outlive the API; `zone` is read per call.
  UsageApi(AdminBackend& backend, const Clock& clock, const DisplayZone& zone)
      : backend_(backend), clock_(clock), zone_(zone) {}

  ApiResult Handle(const ApiCall& call);

 private:
  AdminBackend& backend_;
  const Clock& clock_;
  const DisplayZone& zone_;
};

// token_id → name of every managed client token (KeyAdmin.ListClientTokens);
// empty when the call fails (tokens are then shown by id alone).
std::map<std::string, std::string> ManagedTokenNames(AdminBackend& backend);

}  // namespace gempool::gateway::admin
