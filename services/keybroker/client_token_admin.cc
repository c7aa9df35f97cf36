#include "client_token_admin.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/clienttokens/token_secret.h"
#include "gempool/clienttokens/token_validation.h"
#include "gempool/common/logging.h"
#include "gempool/common/secrets.h"
#include "gempool/common/status_macros.h"

namespace gempool::keybroker {
namespace {

// persistence's ALREADY_EXISTS / NOT_FOUND messages, without the
// "persistence at host:port: PutClientToken failed:" prefix.
absl::Status Plain(const absl::Status& status) {
  if (!absl::IsAlreadyExists(status) && !absl::IsNotFound(status) && !absl::IsInvalidArgument(status)) {
    return status;
  }
  const std::string message(status.message());
  const size_t cut = message.rfind("failed: ");
  return absl::Status(status.code(), cut == std::string::npos ? message : message.substr(cut + 8));
}

}  // namespace

ClientTokenAdmin::ClientTokenAdmin(ClientTokenRegistry& registry, ClientTokenWatchHub& hub,
                                   PersistenceClient& persistence, const Clock& clock)
    : registry_(registry), hub_(hub), persistence_(persistence), clock_(clock) {}

absl::StatusOr<v1::CreateClientTokenResponse> ClientTokenAdmin::Create(const v1::CreateClientTokenRequest& request) {
  MutexLock lock(&admin_mu_);
  const int64_t now = clock_.NowUnixMs();
  GEMPOOL_RETURN_IF_ERROR(clienttokens::ValidateName(request.name()));
  GEMPOOL_RETURN_IF_ERROR(clienttokens::ValidateExpiry(request.expires_at_ms(), now));
  GEMPOOL_RETURN_IF_ERROR(clienttokens::ValidateLimits(request.limits()));
  if (const int64_t other = registry_.FindByName(request.name()); other > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("a client token named '", request.name(), "' already exists (id ", other, "); choose another name"));
  }
  GEMPOOL_ASSIGN_OR_RETURN(std::string secret, clienttokens::GenerateSecret());
  v1::ClientToken token;
  token.set_name(request.name());
  token.set_secret_sha256(Sha256Hex(secret));
  // The id clients' requests are logged under.
  token.set_token_id(TokenId(secret));
  token.set_secret_prefix(clienttokens::ShownPrefix(secret));
  token.set_created_at_ms(now);
  token.set_updated_at_ms(now);
  token.set_expires_at_ms(request.expires_at_ms());
  *token.mutable_limits() = request.limits();
  absl::StatusOr<v1::ClientToken> stored = persistence_.PutClientToken(token);
  if (!stored.ok()) return Plain(stored.status());
  registry_.Upsert(*stored);
  hub_.Notify();
  GEMPOOL_LOG(INFO) << "client token '" << stored->name() << "' (id " << stored->id() << ", " << stored->token_id()
                    << ") created";
  v1::CreateClientTokenResponse response;
  *response.mutable_token() = *std::move(stored);
  response.set_secret(std::move(secret));
  return response;
}

v1::ListClientTokensResponse ClientTokenAdmin::List() const {
  v1::ListClientTokensResponse response;
  for (v1::ClientToken& token : registry_.List()) *response.add_tokens() = std::move(token);
  for (v1::TokenCounter& counter : registry_.Counters()) *response.add_counters() = std::move(counter);
  return response;
}

absl::StatusOr<v1::ClientToken> ClientTokenAdmin::Update(const v1::UpdateClientTokenRequest& request) {
  MutexLock lock(&admin_mu_);
  std::optional<v1::ClientToken> found = registry_.Find(request.id());
  if (!found.has_value()) return absl::NotFoundError(absl::StrCat("no client token with id ", request.id()));
  if (request.update_mask().empty()) {
    return absl::InvalidArgumentError(
        "update_mask names no field to change (name, expires_at_ms, disabled, limits)");
  }
  const int64_t now = clock_.NowUnixMs();
  v1::ClientToken token = *std::move(found);
  for (const std::string& field : request.update_mask()) {
    if (field == "name") {
      GEMPOOL_RETURN_IF_ERROR(clienttokens::ValidateName(request.name()));
      if (const int64_t other = registry_.FindByName(request.name()); other > 0 && other != token.id()) {
        return absl::AlreadyExistsError(absl::StrCat("a client token named '", request.name(),
                                                     "' already exists (id ", other, "); choose another name"));
      }
      token.set_name(request.name());
    } else if (field == "expires_at_ms") {
      GEMPOOL_RETURN_IF_ERROR(clienttokens::ValidateExpiry(request.expires_at_ms(), now));
      token.set_expires_at_ms(request.expires_at_ms());
    } else if (field == "disabled") {
      token.set_disabled(request.disabled());
    } else if (field == "limits") {
      GEMPOOL_RETURN_IF_ERROR(clienttokens::ValidateLimits(request.limits()));
      *token.mutable_limits() = request.limits();
    } else {
      return absl::InvalidArgumentError(absl::StrCat("update_mask: unknown field \"", field,
                                                     "\" (name, expires_at_ms, disabled or limits)"));
    }
  }
  token.set_updated_at_ms(std::max(now, token.updated_at_ms() + 1));
  absl::StatusOr<v1::ClientToken> stored = persistence_.PutClientToken(token);
  if (!stored.ok()) return Plain(stored.status());
  registry_.Upsert(*stored);
  hub_.Notify();
  GEMPOOL_LOG(INFO) << "client token '" << stored->name() << "' (id " << stored->id() << ") changed: "
                    << absl::StrJoin(request.update_mask(), ", ");
  return stored;
}

absl::StatusOr<v1::DeleteClientTokenResponse> ClientTokenAdmin::Delete(const v1::DeleteClientTokenRequest& request) {
  MutexLock lock(&admin_mu_);
  if (!registry_.Find(request.id()).has_value()) {
    return absl::NotFoundError(absl::StrCat("no client token with id ", request.id()));
  }
  absl::StatusOr<bool> deleted = persistence_.DeleteClientToken(request.id());
  if (!deleted.ok()) return deleted.status();
  registry_.Remove(request.id());
  hub_.Notify();
  GEMPOOL_LOG(INFO) << "client token id " << request.id() << " deleted";
  v1::DeleteClientTokenResponse response;
  response.set_deleted(true);
  return response;
}

}  // namespace gempool::keybroker
