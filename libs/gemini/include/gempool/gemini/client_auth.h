#pragma once
// Finds the gempool token a client sent. Gemini clients send it where they
// would send a Google API key: the x-goog-api-key header (@google/genai,
// go-genai), the ?key= query parameter (curl examples, older tools) or, on
// OpenAI-style clients, Authorization: Bearer; Anthropic clients send
// x-api-key (the SDK, Claude Code with ANTHROPIC_API_KEY) or Bearer
// (ANTHROPIC_AUTH_TOKEN). The form is kept so routes shared by several APIs
// (/v1/models) can answer in the client's dialect.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace gempool::gemini {

enum class AuthForm {
  kNone,
  kGoogApiKeyHeader,  // x-goog-api-key: <token>
  kKeyQuery,          // ?key=<token>
  kBearer,            // Authorization: Bearer <token>
  kXApiKey,           // x-api-key: <token> (Anthropic clients)
};

const char* AuthFormName(AuthForm form);

struct ClientAuth {
  std::string token;
  AuthForm form = AuthForm::kNone;
  // A second token a client sent at the same time: Claude Code with an
  // apiKeyHelper sends x-api-key and Bearer together, and either may be the
  // one the gateway knows. "" when there is none (or it equals `token`).
  std::string alternate_token;
};

// The credential-bearing parts of a request. Absent headers are nullopt.
struct AuthInputs {
  std::optional<std::string> goog_api_key;   // x-goog-api-key header
  std::optional<std::string> authorization;  // Authorization header
  absl::string_view raw_query;               // the query string, undecoded
  std::optional<std::string> x_api_key;      // x-api-key header
};

// The token from the first form present, in the order x-goog-api-key, ?key=,
// x-api-key, Authorization: Bearer (scheme matched case-insensitively); a
// Bearer token next to an x-api-key becomes the alternate. Empty values
// count as absent. form == kNone when no token was found.
ClientAuth ExtractClientAuth(const AuthInputs& inputs);

}  // namespace gempool::gemini
