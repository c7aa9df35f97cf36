#include "gempool/gemini/request_body_for_log.h"

#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"

namespace gempool::gemini {
namespace {

constexpr size_t kMinBase64Run = 512;
constexpr char kRedacted[] = "[redacted]";

// "api_key", "x-goog-api-key", "accessToken" → "apikey", "xgoogapikey", "accesstoken".
std::string FoldName(absl::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '_' || c == '-') continue;
    out += absl::ascii_tolower(static_cast<unsigned char>(c));
  }
  return out;
}

bool IsSecretName(absl::string_view name) {
  const std::string n = FoldName(name);
  return n == "key" || absl::EndsWith(n, "apikey") || absl::EndsWith(n, "token") || absl::EndsWith(n, "tokens") ||
         absl::StrContains(n, "authorization") || absl::StrContains(n, "secret") ||
         absl::StrContains(n, "password") || absl::StrContains(n, "credential");
}

bool IsBase64Char(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=' || c == '-' ||
         c == '_' || c == '\n' || c == '\r';
}

bool LooksBase64(absl::string_view s) {
  if (s.size() < kMinBase64Run) return false;
  for (char c : s) {
    if (!IsBase64Char(c)) return false;
  }
  return true;
}

std::string Base64Note(size_t encoded_bytes) { return absl::StrCat("[base64, ", encoded_bytes / 4 * 3, " bytes]"); }

// "Bearer abc" → "Bearer [redacted]" (also Basic), case-insensitive scheme.
bool RedactScheme(std::string& s) {
  for (absl::string_view scheme : {"bearer ", "basic "}) {
    if (s.size() > scheme.size() && absl::StartsWithIgnoreCase(s, scheme)) {
      s = absl::StrCat(s.substr(0, scheme.size()), kRedacted);
      return true;
    }
  }
  return false;
}

// Rewrites one string value in place (not a secret by its member's name).
void ScrubString(std::string& s) {
  if (RedactScheme(s)) return;
  if (absl::StartsWith(s, "data:")) {
    const size_t comma = s.find(',');
    if (comma != std::string::npos && absl::StrContains(absl::string_view(s).substr(0, comma), ";base64")) {
      s = absl::StrCat(s.substr(0, comma + 1), Base64Note(s.size() - comma - 1));
      return;
    }
  }
  if (LooksBase64(s)) s = Base64Note(s.size());
}

void Scrub(nlohmann::json& value, bool inline_data) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      nlohmann::json& member = it.value();
      if (member.is_string() && IsSecretName(it.key())) {
        member = kRedacted;
      } else if (member.is_string() && inline_data && it.key() == "data") {
        member = Base64Note(member.get_ref<const std::string&>().size());
      } else {
        Scrub(member, it.key() == "inlineData" || it.key() == "inline_data");
      }
    }
  } else if (value.is_array()) {
    for (nlohmann::json& item : value) Scrub(item, false);
  } else if (value.is_string()) {
    ScrubString(value.get_ref<std::string&>());
  }
}

// Not JSON: redact "Bearer …" tokens up to the next space or quote.
std::string ScrubText(absl::string_view body) {
  std::string out;
  size_t i = 0;
  while (i < body.size()) {
    bool matched = false;
    for (absl::string_view scheme : {"bearer ", "basic "}) {
      if (absl::StartsWithIgnoreCase(body.substr(i), scheme)) {
        absl::StrAppend(&out, body.substr(i, scheme.size()));
        out += kRedacted;
        i += scheme.size();
        while (i < body.size() && body[i] != ' ' && body[i] != '"' && body[i] != '\'' && body[i] != '\n' &&
               body[i] != '&' && body[i] != ',') {
          ++i;
        }
        matched = true;
        break;
      }
    }
    if (!matched) out += body[i++];
  }
  return out;
}

}  // namespace

std::string RequestBodyForLog(absl::string_view body, const std::vector<std::string>& secrets) {
  if (body.size() > kMaxRedactedRequestBody) {
    return absl::StrCat("[request body of ", body.size(), " bytes not recorded: larger than ",
                        kMaxRedactedRequestBody / (1024 * 1024), " MiB]");
  }
  nlohmann::json doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  std::string text;
  if (doc.is_discarded()) {
    text = ScrubText(body);
  } else {
    Scrub(doc, false);
    text = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return RedactSecrets(text, secrets);
}

}  // namespace gempool::gemini
