#include "tokens_command.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/clienttokens/token_json.h"
#include "gempool/clienttokens/token_validation.h"
#include "gempool/clienttokens/usage_windows.h"
#include "gempool/common/clock.h"
#include "gempool/rpc/channel.h"
#include "gempool/v1/keybroker.grpc.pb.h"
#include "shown_time_zone.h"
#include "admin_client.h"
#include "text_table.h"

namespace gempool::ctl {
namespace {

using TokensJson = nlohmann::json;

std::string LimitsText(const v1::ClientTokenLimits& limits) {
  std::vector<std::string> parts;
  if (limits.requests_per_minute() > 0) parts.push_back(absl::StrCat(limits.requests_per_minute(), " rpm"));
  if (limits.tokens_per_day() > 0) parts.push_back(absl::StrCat(limits.tokens_per_day(), " tokens/day"));
  if (!limits.allowed_models().empty()) {
    parts.push_back(absl::StrCat("models ", absl::StrJoin(limits.allowed_models(), ",")));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, "; ");
}

int Add(const Invocation& inv, const Targets& targets, std::ostream& out, std::ostream& err) {
  const int64_t now = SystemClock::Get().NowUnixMs();
  v1::CreateClientTokenRequest request;
  request.set_name(inv.token_name);
  if (!inv.token_expires.empty()) {
    const ShownTimeZone zone = ResolveShownTimeZone(targets.persistence_addr, 2000);
    absl::StatusOr<int64_t> expires = clienttokens::ParseExpiry(inv.token_expires, now, zone.zone);
    if (!expires.ok()) {
      return Fail(inv, grpc::StatusCode::INVALID_ARGUMENT, absl::StrCat("--expires: ", expires.status().message()),
                    out, err);
    }
    request.set_expires_at_ms(*expires);
  }
  request.mutable_limits()->set_requests_per_minute(static_cast<int32_t>(inv.token_rpm));
  request.mutable_limits()->set_tokens_per_day(inv.token_per_day);
  for (const std::string& model : inv.token_models) request.mutable_limits()->add_allowed_models(model);
  AdminClient admin(targets, inv.timeout_ms);
  v1::CreateClientTokenResponse response;
  const grpc::Status status = admin.stub().CreateClientToken(admin.Context().get(), request, &response);
  if (!status.ok()) return FailRpc(inv, status, targets.keybroker_addr, out, err);
  if (inv.json) {
    out << TokensJson{{"token", clienttokens::ClientTokenJson(response.token(), now)}, {"secret", response.secret()}}.dump(2)
        << "\n";
  } else {
    out << "created client token " << response.token().id() << " '" << response.token().name() << "' ("
        << LimitsText(response.token().limits()) << ")\n"
        << "secret: " << response.secret() << "\n"
        << "Copy the secret now: it is not stored and cannot be shown again.\n";
  }
  return kExitOk;
}

int List(const Invocation& inv, const Targets& targets, std::ostream& out, std::ostream& err) {
  AdminClient admin(targets, inv.timeout_ms);
  v1::ListClientTokensResponse response;
  const grpc::Status status =
      admin.stub().ListClientTokens(admin.Context().get(), v1::ListClientTokensRequest(), &response);
  if (!status.ok()) return FailRpc(inv, status, targets.keybroker_addr, out, err);
  const int64_t now = SystemClock::Get().NowUnixMs();
  const ShownTimeZone zone = ResolveShownTimeZone(targets.persistence_addr, 2000);
  std::map<std::string, clienttokens::CurrentUseCounts> use;
  for (const v1::TokenCounter& counter : response.counters()) {
    use[counter.token_id()] = clienttokens::CurrentUse(counter, now, zone.zone);
  }
  auto used = [&use](const v1::ClientToken& token) -> std::pair<int64_t, int64_t> {
    const clienttokens::CurrentUseCounts counts = use[token.token_id()];
    return {counts.requests_this_minute, counts.tokens_today};
  };
  if (inv.json) {
    TokensJson tokens = TokensJson::array();
    for (const v1::ClientToken& token : response.tokens()) {
      TokensJson row = clienttokens::ClientTokenJson(token, now);
      const auto [requests, tokens_today] = used(token);
      row["requests_this_minute"] = requests;
      row["tokens_today"] = tokens_today;
      tokens.push_back(std::move(row));
    }
    out << TokensJson{{"tokens", tokens}}.dump(2) << "\n";
    return kExitOk;
  }
  if (response.tokens().empty()) {
    out << "no managed client tokens (create one with gempoolctl tokens add NAME)\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "NAME", "SECRET", "STATE", "EXPIRES", "LIMITS", "REQ/MIN", "TOKENS TODAY"}};
  for (const v1::ClientToken& token : response.tokens()) {
    const auto [requests, tokens_today] = used(token);
    const bool expired = token.expires_at_ms() > 0 && now >= token.expires_at_ms();
    rows.push_back({absl::StrCat(token.id()), token.name(), absl::StrCat(token.secret_prefix(), "..."),
                    token.disabled() ? "disabled" : expired ? "expired" : "active",
                    token.expires_at_ms() > 0 ? FormatShownTime(token.expires_at_ms(), zone) : "never",
                    LimitsText(token.limits()), absl::StrCat(requests), absl::StrCat(tokens_today)});
  }
  PrintTable(out, rows);
  return kExitOk;
}

int SetDisabled(const Invocation& inv, const Targets& targets, bool disabled, std::ostream& out, std::ostream& err) {
  AdminClient admin(targets, inv.timeout_ms);
  v1::UpdateClientTokenRequest request;
  request.set_id(inv.token_id);
  request.add_update_mask("disabled");
  request.set_disabled(disabled);
  v1::ClientToken token;
  const grpc::Status status = admin.stub().UpdateClientToken(admin.Context().get(), request, &token);
  if (!status.ok()) return FailRpc(inv, status, targets.keybroker_addr, out, err);
  if (inv.json) {
    out << TokensJson{{"token", clienttokens::ClientTokenJson(token, SystemClock::Get().NowUnixMs())}}.dump(2) << "\n";
  } else {
    out << (disabled ? "disabled" : "enabled") << " client token " << token.id() << " '" << token.name() << "'"
        << (disabled ? ": every gateway refuses it within seconds" : "") << "\n";
  }
  return kExitOk;
}

int Delete(const Invocation& inv, const Targets& targets, std::ostream& out, std::ostream& err) {
  AdminClient admin(targets, inv.timeout_ms);
  v1::DeleteClientTokenRequest request;
  request.set_id(inv.token_id);
  v1::DeleteClientTokenResponse response;
  const grpc::Status status = admin.stub().DeleteClientToken(admin.Context().get(), request, &response);
  if (!status.ok()) return FailRpc(inv, status, targets.keybroker_addr, out, err);
  if (inv.json) {
    out << TokensJson{{"deleted", response.deleted()}}.dump(2) << "\n";
  } else {
    out << "deleted client token " << inv.token_id << "\n";
  }
  return kExitOk;
}

}  // namespace

int RunTokens(const Invocation& inv, const Targets& targets, std::ostream& out, std::ostream& err) {
  switch (inv.command) {
    case Command::kTokensAdd:
      return Add(inv, targets, out, err);
    case Command::kTokensList:
      return List(inv, targets, out, err);
    case Command::kTokensDisable:
      return SetDisabled(inv, targets, true, out, err);
    case Command::kTokensEnable:
      return SetDisabled(inv, targets, false, out, err);
    case Command::kTokensDelete:
      return Delete(inv, targets, out, err);
    default:
      return kExitUsage;
  }
}

}  // namespace gempool::ctl
