#include "admin/tokens_api.h"

#include <limits>

#include <map>
#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gempool/clienttokens/token_json.h"
#include "gempool/clienttokens/token_validation.h"
#include "gempool/clienttokens/usage_windows.h"

namespace gempool::gateway::admin {
namespace {

// The expiry in a body: "expires" (text as people type it) or
// "expires_at_ms"; nullopt when neither is there.
absl::StatusOr<std::optional<int64_t>> ExpiryFromBody(const nlohmann::json& body, int64_t now_ms,
                                                      const absl::TimeZone& zone) {
  if (body.contains("expires")) {
    if (body["expires"].is_null()) return std::optional<int64_t>(0);
    if (!body["expires"].is_string()) {
      return absl::InvalidArgumentError("expires must be text such as \"30d\", \"2027-01-31\" or \"never\"");
    }
    absl::StatusOr<int64_t> parsed = clienttokens::ParseExpiry(body["expires"].get<std::string>(), now_ms, zone);
    if (!parsed.ok()) return parsed.status();
    return std::optional<int64_t>(*parsed);
  }
  if (body.contains("expires_at_ms")) {
    if (!body["expires_at_ms"].is_number_integer()) {
      return absl::InvalidArgumentError("expires_at_ms must be Unix milliseconds (0: never)");
    }
    return std::optional<int64_t>(body["expires_at_ms"].get<int64_t>());
  }
  return std::optional<int64_t>();
}

}  // namespace

absl::StatusOr<v1::ClientTokenLimits> LimitsFromJson(const nlohmann::json& limits) {
  v1::ClientTokenLimits out;
  if (limits.is_null()) return out;
  if (!limits.is_object()) return absl::InvalidArgumentError("limits must be an object");
  if (limits.contains("requests_per_minute") && !limits["requests_per_minute"].is_null()) {
    if (!limits["requests_per_minute"].is_number_integer()) {
      return absl::InvalidArgumentError("limits.requests_per_minute must be a whole number (0: no limit)");
    }
    const int64_t rpm = limits["requests_per_minute"].get<int64_t>();
    // The range is the broker's to check (clienttokens::ValidateLimits); here
    // only that the number fits the message's int32.
    if (rpm < 0 || rpm > std::numeric_limits<int32_t>::max()) {
      return absl::InvalidArgumentError(absl::StrCat("limits.requests_per_minute must be 0 (no limit) to ",
                                                     clienttokens::kMaxRequestsPerMinute));
    }
    out.set_requests_per_minute(static_cast<int32_t>(rpm));
  }
  if (limits.contains("tokens_per_day") && !limits["tokens_per_day"].is_null()) {
    if (!limits["tokens_per_day"].is_number_integer()) {
      return absl::InvalidArgumentError("limits.tokens_per_day must be a whole number (0: no limit)");
    }
    out.set_tokens_per_day(limits["tokens_per_day"].get<int64_t>());
  }
  if (limits.contains("allowed_models") && !limits["allowed_models"].is_null()) {
    if (!limits["allowed_models"].is_array()) {
      return absl::InvalidArgumentError("limits.allowed_models must be a list of model ids or prefixes ending in *");
    }
    for (const nlohmann::json& model : limits["allowed_models"]) {
      if (!model.is_string()) return absl::InvalidArgumentError("limits.allowed_models must hold text");
      out.add_allowed_models(model.get<std::string>());
    }
  }
  return out;
}

ApiResult TokensApi::Handle(const ApiCall& call) {
  if (call.path == "/tokens") {
    if (call.method == "GET") return List();
    if (call.method == "POST") return Create(call);
  } else {
    const std::string rest = call.path.substr(std::string("/tokens/").size());
    int64_t id = 0;
    if (!absl::SimpleAtoi(rest, &id) || id <= 0) {
      return ErrorResult(absl::NotFoundError(absl::StrCat("'", rest, "' is not a client token id")));
    }
    if (call.method == "PATCH") return Update(call, id);
    if (call.method == "DELETE") return Delete(id);
  }
  return ErrorResult(absl::NotFoundError(absl::StrCat(call.method, " /api", call.path, " is not an admin API call")));
}

ApiResult TokensApi::List() {
  absl::StatusOr<v1::ListClientTokensResponse> listed = backend_.ListClientTokens();
  if (!listed.ok()) return ErrorResult(listed.status());
  const int64_t now = clock_.NowUnixMs();
  const absl::TimeZone zone = zone_.Get().zone;
  std::map<std::string, clienttokens::CurrentUseCounts> use;
  for (const v1::TokenCounter& counter : listed->counters()) {
    use[counter.token_id()] = clienttokens::CurrentUse(counter, now, zone);
  }
  nlohmann::json tokens = nlohmann::json::array();
  for (const v1::ClientToken& token : listed->tokens()) {
    nlohmann::json row = clienttokens::ClientTokenJson(token, now);
    const clienttokens::CurrentUseCounts used = use[token.token_id()];
    row["requests_this_minute"] = used.requests_this_minute;
    row["tokens_today"] = used.tokens_today;
    tokens.push_back(std::move(row));
  }
  ApiResult result;
  result.body = {{"tokens", std::move(tokens)}, {"now_ms", now}};
  return result;
}

ApiResult TokensApi::Create(const ApiCall& call) {
  const nlohmann::json& body = call.body;
  if (!body.is_object() || !body.contains("name") || !body["name"].is_string()) {
    return ErrorResult(absl::InvalidArgumentError("send {\"name\": \"...\"} (and optionally expires, limits)"));
  }
  v1::CreateClientTokenRequest request;
  request.set_name(body["name"].get<std::string>());
  absl::StatusOr<std::optional<int64_t>> expiry = ExpiryFromBody(body, clock_.NowUnixMs(), zone_.Get().zone);
  if (!expiry.ok()) return ErrorResult(expiry.status());
  request.set_expires_at_ms(expiry->value_or(0));
  if (body.contains("limits")) {
    absl::StatusOr<v1::ClientTokenLimits> limits = LimitsFromJson(body["limits"]);
    if (!limits.ok()) return ErrorResult(limits.status());
    *request.mutable_limits() = *std::move(limits);
  }
  absl::StatusOr<v1::CreateClientTokenResponse> created = backend_.CreateClientToken(request);
  if (!created.ok()) return ErrorResult(created.status());
  ApiResult result;
  result.body = {{"token", clienttokens::ClientTokenJson(created->token(), clock_.NowUnixMs())}, {"secret", created->secret()}};
  return result;
}

ApiResult TokensApi::Update(const ApiCall& call, int64_t id) {
  const nlohmann::json& body = call.body;
  if (!body.is_object()) return ErrorResult(absl::InvalidArgumentError("send a JSON object of the fields to change"));
  v1::UpdateClientTokenRequest request;
  request.set_id(id);
  if (body.contains("name")) {
    if (!body["name"].is_string()) return ErrorResult(absl::InvalidArgumentError("name must be text"));
    request.set_name(body["name"].get<std::string>());
    request.add_update_mask("name");
  }
  absl::StatusOr<std::optional<int64_t>> expiry = ExpiryFromBody(body, clock_.NowUnixMs(), zone_.Get().zone);
  if (!expiry.ok()) return ErrorResult(expiry.status());
  if (expiry->has_value()) {
    request.set_expires_at_ms(**expiry);
    request.add_update_mask("expires_at_ms");
  }
  if (body.contains("disabled")) {
    if (!body["disabled"].is_boolean()) return ErrorResult(absl::InvalidArgumentError("disabled must be true or false"));
    request.set_disabled(body["disabled"].get<bool>());
    request.add_update_mask("disabled");
  }
  if (body.contains("limits")) {
    absl::StatusOr<v1::ClientTokenLimits> limits = LimitsFromJson(body["limits"]);
    if (!limits.ok()) return ErrorResult(limits.status());
    *request.mutable_limits() = *std::move(limits);
    request.add_update_mask("limits");
  }
  if (request.update_mask().empty()) {
    return ErrorResult(absl::InvalidArgumentError("nothing to change: send name, expires, disabled or limits"));
  }
  absl::StatusOr<v1::ClientToken> updated = backend_.UpdateClientToken(request);
  if (!updated.ok()) return ErrorResult(updated.status());
  ApiResult result;
  result.body = {{"token", clienttokens::ClientTokenJson(*updated, clock_.NowUnixMs())}};
  return result;
}

ApiResult TokensApi::Delete(int64_t id) {
  absl::StatusOr<v1::DeleteClientTokenResponse> deleted = backend_.DeleteClientToken(id);
  if (!deleted.ok()) return ErrorResult(deleted.status());
  ApiResult result;
  result.body = {{"deleted", deleted->deleted()}};
  return result;
}

}  // namespace gempool::gateway::admin
