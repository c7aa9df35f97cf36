#include "gempool/gemini/client_auth.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "gempool/gemini/url.h"

namespace gempool::gemini {

const char* AuthFormName(AuthForm form) {
  switch (form) {
    case AuthForm::kNone:
      return "none";
    case AuthForm::kGoogApiKeyHeader:
      return "x-goog-api-key";
    case AuthForm::kKeyQuery:
      return "key query parameter";
    case AuthForm::kBearer:
      return "Authorization: Bearer";
    case AuthForm::kXApiKey:
      return "x-api-key";
  }
  return "unknown";
}

namespace {

// The token of an "Authorization: Bearer <token>" value, or "".
std::string BearerToken(const std::optional<std::string>& authorization) {
  if (!authorization.has_value()) return "";
  absl::string_view value = absl::StripAsciiWhitespace(*authorization);
  if (value.size() <= 7 || !absl::StartsWithIgnoreCase(value, "bearer ")) return "";
  return std::string(absl::StripAsciiWhitespace(value.substr(7)));
}

std::string Stripped(const std::optional<std::string>& value) {
  return value.has_value() ? std::string(absl::StripAsciiWhitespace(*value)) : "";
}

}  // namespace

ClientAuth ExtractClientAuth(const AuthInputs& inputs) {
  if (std::string token = Stripped(inputs.goog_api_key); !token.empty()) {
    return {std::move(token), AuthForm::kGoogApiKeyHeader, ""};
  }
  if (std::optional<std::string> key = QueryParam(inputs.raw_query, "key"); key.has_value()) {
    std::string token(absl::StripAsciiWhitespace(*key));
    if (!token.empty()) return {std::move(token), AuthForm::kKeyQuery, ""};
  }
  std::string bearer = BearerToken(inputs.authorization);
  if (std::string token = Stripped(inputs.x_api_key); !token.empty()) {
    if (bearer == token) bearer.clear();
    return {std::move(token), AuthForm::kXApiKey, std::move(bearer)};
  }
  if (!bearer.empty()) return {std::move(bearer), AuthForm::kBearer, ""};
  return {};
}

}  // namespace gempool::gemini
