#include "gempool/clienttokens/limit_decision.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/clienttokens/model_allow_list.h"

namespace gempool::clienttokens {
namespace {

int64_t CeilSeconds(int64_t ms) { return ms <= 0 ? 1 : (ms + 999) / 1000; }

}  // namespace

absl::string_view LimitName(Limit limit) {
  switch (limit) {
    case Limit::kNone:
      return "";
    case Limit::kRequestsPerMinute:
      return "requests_per_minute";
    case Limit::kTokensPerDay:
      return "tokens_per_day";
    case Limit::kModel:
      return "allowed_models";
  }
  return "";
}

int LimitDecision::http_status() const {
  switch (refused_by) {
    case Limit::kNone:
      return 200;
    case Limit::kModel:
      return 403;
    default:
      return 429;
  }
}

LimitDecision DecideModel(const v1::ClientToken& token, absl::string_view model) {
  LimitDecision decision;
  if (ModelAllowed(token.limits(), model)) return decision;
  decision.refused_by = Limit::kModel;
  decision.message = absl::StrCat("client token '", token.name(), "' may not call model '", BareModel(model),
                                  "' (allowed_models: ", absl::StrJoin(token.limits().allowed_models(), ", "), ")");
  return decision;
}

LimitDecision Decide(const v1::ClientToken& token, const WindowUse& shared, const WindowUse& local,
                     absl::string_view model, int64_t now_ms, const absl::TimeZone& zone) {
  LimitDecision decision = DecideModel(token, model);
  if (!decision.allowed()) return decision;
  const v1::ClientTokenLimits& limits = token.limits();
  if (limits.requests_per_minute() > 0) {
    const int64_t minute = MinuteStartMs(now_ms);
    const int64_t used = shared.RequestsIn(minute) + local.RequestsIn(minute);
    if (used >= limits.requests_per_minute()) {
      decision.refused_by = Limit::kRequestsPerMinute;
      decision.retry_after_s = CeilSeconds(minute + 60'000 - now_ms);
      decision.message = absl::StrCat("client token '", token.name(), "' is over its requests_per_minute limit (",
                                      limits.requests_per_minute(), ")");
      return decision;
    }
  }
  if (limits.tokens_per_day() > 0) {
    const int64_t day = DayStartMs(now_ms, zone);
    const int64_t used = shared.TokensIn(day) + local.TokensIn(day);
    if (used >= limits.tokens_per_day()) {
      decision.refused_by = Limit::kTokensPerDay;
      decision.retry_after_s = CeilSeconds(NextDayStartMs(now_ms, zone) - now_ms);
      decision.message = absl::StrCat("client token '", token.name(), "' is over its tokens_per_day limit (",
                                      limits.tokens_per_day(), ")");
      return decision;
    }
  }
  return decision;
}

}  // namespace gempool::clienttokens
