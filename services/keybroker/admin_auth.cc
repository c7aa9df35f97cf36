#include "admin_auth.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "gempool/common/secrets.h"

namespace gempool::keybroker {

grpc::Status CheckAdminToken(const grpc::ServerContext& context, const std::string& admin_token) {
  if (admin_token.empty()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "the key broker has no admin token: set AUTH_TOKEN (or ALLOWED_TOKENS) in its "
                        "environment or .env and restart it");
  }
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "no admin token: send \"authorization: Bearer <AUTH_TOKEN>\" (gempoolctl: set "
                        "AUTH_TOKEN in the environment or .env, or pass --token)");
  }
  absl::string_view value(it->second.data(), it->second.size());
  value = absl::StripAsciiWhitespace(value);
  if (!absl::StartsWithIgnoreCase(value, "bearer ") ||
      !SecretEquals(absl::StripAsciiWhitespace(value.substr(7)), admin_token)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "wrong admin token: use the broker's AUTH_TOKEN (gempoolctl: set AUTH_TOKEN in "
                        "the environment or .env, or pass --token)");
  }
  return grpc::Status::OK;
}

}  // namespace gempool::keybroker
