#include "fuzz/client_auth_fuzz.h"

#include <cstdlib>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gempool/gemini/client_auth.h"
#include "gempool/gemini/url.h"

namespace gempool::gemini {
namespace {

void Require(bool holds) {
  if (!holds) abort();
}

std::string Trimmed(const std::optional<std::string>& value) {
  return value.has_value() ? std::string(absl::StripAsciiWhitespace(*value)) : "";
}

// The Bearer token of an Authorization value, as a client means it.
std::string Bearer(const std::optional<std::string>& authorization) {
  if (!authorization.has_value()) return "";
  absl::string_view value = absl::StripAsciiWhitespace(*authorization);
  if (!absl::StartsWithIgnoreCase(value, "bearer ")) return "";
  return std::string(absl::StripAsciiWhitespace(value.substr(7)));
}

void Check(const AuthInputs& inputs) {
  const ClientAuth auth = ExtractClientAuth(inputs);
  Require((auth.form == AuthForm::kNone) == auth.token.empty());
  Require(auth.token == absl::StripAsciiWhitespace(auth.token));
  Require(auth.alternate_token.empty() || auth.form == AuthForm::kXApiKey);
  Require(auth.alternate_token != auth.token || auth.token.empty());

  const std::string goog = Trimmed(inputs.goog_api_key);
  const std::string key = Trimmed(QueryParam(inputs.raw_query, "key"));
  const std::string x_api_key = Trimmed(inputs.x_api_key);
  const std::string bearer = Bearer(inputs.authorization);
  if (!goog.empty()) {
    Require(auth.form == AuthForm::kGoogApiKeyHeader && auth.token == goog);
  } else if (!key.empty()) {
    Require(auth.form == AuthForm::kKeyQuery && auth.token == key);
  } else if (!x_api_key.empty()) {
    Require(auth.form == AuthForm::kXApiKey && auth.token == x_api_key);
    Require(auth.alternate_token == (bearer == x_api_key ? "" : bearer));
  } else if (!bearer.empty()) {
    Require(auth.form == AuthForm::kBearer && auth.token == bearer);
  } else {
    Require(auth.form == AuthForm::kNone);
  }
  Require(std::string(AuthFormName(auth.form)) != "unknown");
}

}  // namespace

void FuzzClientAuth(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  AuthInputs inputs;
  for (absl::string_view line : absl::StrSplit(input, '\n')) {
    if (line.empty()) continue;
    const absl::string_view value = line.substr(1);
    switch (line[0]) {
      case 'g':
        inputs.goog_api_key = std::string(value);
        break;
      case 'a':
        inputs.authorization = std::string(value);
        break;
      case 'x':
        inputs.x_api_key = std::string(value);
        break;
      case 'q':
        inputs.raw_query = value;
        break;
      default:
        break;
    }
  }
  Check(inputs);
  // What the gateway forwards: the query without its key.
  const std::string forwarded = RemoveQueryParam(inputs.raw_query, "key");
  AuthInputs upstream = inputs;
  upstream.raw_query = forwarded;
  Require(ExtractClientAuth(upstream).form != AuthForm::kKeyQuery);
  Check(upstream);
}

}  // namespace gempool::gemini
