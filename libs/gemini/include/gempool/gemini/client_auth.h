#pragma once
// Finds the gempool token a client sent. Gemini clients send it where they
// would send a Google API key: the x-goog-api-key header (@google/genai,
// go-genai), the ?key= query parameter (curl examples, older tools) or, on
// OpenAI-style clients, Authorization: Bearer. The form is kept so routes
// shared by both APIs (/v1/models) can answer in the client's dialect.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace gempool::gemini {

enum class AuthForm {
  kNone,
  kGoogApiKeyHeader,  // x-goog-api-key: <token>
  kKeyQuery,          // ?key=<token>
  kBearer,            // Authorization: Bearer <token>
};

const char* AuthFormName(AuthForm form);

struct ClientAuth {
  std::string token;
  AuthForm form = AuthForm::kNone;
};

// The credential-bearing parts of a request. Absent headers are nullopt.
struct AuthInputs {
  std::optional<std::string> goog_api_key;   // x-goog-api-key header
  std::optional<std::string> authorization;  // Authorization header
  absl::string_view raw_query;               // the query string, undecoded
};

// The token from the first form present, in the order x-goog-api-key, ?key=,
// Authorization: Bearer (scheme matched case-insensitively). Empty values
// count as absent. form == kNone when no token was found.
ClientAuth ExtractClientAuth(const AuthInputs& inputs);

}  // namespace gempool::gemini
