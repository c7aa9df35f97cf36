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
  }
  return "unknown";
}

ClientAuth ExtractClientAuth(const AuthInputs& inputs) {
  if (inputs.goog_api_key.has_value()) {
    std::string token(absl::StripAsciiWhitespace(*inputs.goog_api_key));
    if (!token.empty()) return {std::move(token), AuthForm::kGoogApiKeyHeader};
  }
  if (std::optional<std::string> key = QueryParam(inputs.raw_query, "key"); key.has_value()) {
    std::string token(absl::StripAsciiWhitespace(*key));
    if (!token.empty()) return {std::move(token), AuthForm::kKeyQuery};
  }
  if (inputs.authorization.has_value()) {
    absl::string_view value = absl::StripAsciiWhitespace(*inputs.authorization);
    if (value.size() > 7 && absl::StartsWithIgnoreCase(value, "bearer ")) {
      std::string token(absl::StripAsciiWhitespace(value.substr(7)));
      if (!token.empty()) return {std::move(token), AuthForm::kBearer};
    }
  }
  return {};
}

}  // namespace gempool::gemini
