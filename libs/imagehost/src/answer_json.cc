#include "answer_json.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gempool::imagehost::internal {

using nlohmann::json;

std::optional<json> ParseAnswer(absl::string_view body) {
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

std::string StringField(const json& object, const char* name) {
  if (!object.is_object()) return "";
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Excerpt(absl::string_view body) {
  std::string out;
  for (char c : absl::StripAsciiWhitespace(body)) {
    if (out.size() >= 200) {
      out += "...";
      break;
    }
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  return out.empty() ? "(empty body)" : out;
}

absl::Status UploadRefused(absl::string_view label, int http_status, absl::string_view detail) {
  const std::string message = absl::StrCat(label, " refused the upload (HTTP ", http_status, "): ", detail);
  if (http_status == 401 || http_status == 403) return absl::UnauthenticatedError(message);
  if (http_status >= 500 || http_status == 429) return absl::UnavailableError(message);
  return absl::FailedPreconditionError(message);
}

bool IsHttpLink(absl::string_view link) {
  return (absl::StartsWith(link, "https://") || absl::StartsWith(link, "http://")) &&
         std::none_of(link.begin(), link.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

}  // namespace gempool::imagehost::internal
