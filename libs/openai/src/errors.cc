#include "gempool/openai/errors.h"

#include <cmath>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gempool/common/secrets.h"
#include "gempool/common/utf8.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/json_reader.h"
#include "gempool/openai/json_writer.h"

namespace gempool::openai {
namespace {

constexpr absl::string_view kParamPayload = "type.gempool.dev/openai.param";
constexpr size_t kMaxPlainMessageBytes = 1000;

struct GoogleStatus {
  const char* name;
  absl::StatusCode code;
};

constexpr GoogleStatus kGoogleStatuses[] = {
    {"CANCELLED", absl::StatusCode::kCancelled},
    {"UNKNOWN", absl::StatusCode::kUnknown},
    {"INVALID_ARGUMENT", absl::StatusCode::kInvalidArgument},
    {"DEADLINE_EXCEEDED", absl::StatusCode::kDeadlineExceeded},
    {"NOT_FOUND", absl::StatusCode::kNotFound},
    {"ALREADY_EXISTS", absl::StatusCode::kAlreadyExists},
    {"PERMISSION_DENIED", absl::StatusCode::kPermissionDenied},
    {"RESOURCE_EXHAUSTED", absl::StatusCode::kResourceExhausted},
    {"FAILED_PRECONDITION", absl::StatusCode::kFailedPrecondition},
    {"ABORTED", absl::StatusCode::kAborted},
    {"OUT_OF_RANGE", absl::StatusCode::kOutOfRange},
    {"UNIMPLEMENTED", absl::StatusCode::kUnimplemented},
    {"INTERNAL", absl::StatusCode::kInternal},
    {"UNAVAILABLE", absl::StatusCode::kUnavailable},
    {"DATA_LOSS", absl::StatusCode::kDataLoss},
    {"UNAUTHENTICATED", absl::StatusCode::kUnauthenticated},
};

absl::StatusCode CodeForHttpStatus(int http_status) {
  switch (http_status) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAborted;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    case 499:
      return absl::StatusCode::kCancelled;
    case 501:
      return absl::StatusCode::kUnimplemented;
    case 503:
      return absl::StatusCode::kUnavailable;
    case 504:
      return absl::StatusCode::kDeadlineExceeded;
    default:
      break;
  }
  if (http_status >= 500) return absl::StatusCode::kInternal;
  if (http_status >= 400) return absl::StatusCode::kFailedPrecondition;
  return absl::StatusCode::kUnknown;
}

// "19s", "3.700s" → whole seconds, rounded up; nullopt when unparsable.
std::optional<int> ParseDurationSeconds(absl::string_view text) {
  if (!absl::ConsumeSuffix(&text, "s")) return std::nullopt;
  double seconds = 0;
  if (!absl::SimpleAtod(text, &seconds) || seconds < 0 || seconds > 86400 * 7) return std::nullopt;
  return static_cast<int>(std::ceil(seconds));
}

std::string Truncate(absl::string_view text, size_t max_bytes) {
  text = absl::StripAsciiWhitespace(text);
  if (text.size() <= max_bytes) return std::string(text);
  // Do not cut a UTF-8 sequence in half.
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return absl::StrCat(text.substr(0, end), "…");
}

}  // namespace

absl::Status FieldError(absl::string_view field, absl::string_view detail) {
  return FieldError(absl::StatusCode::kInvalidArgument, field, detail);
}

absl::Status FieldError(absl::StatusCode code, absl::string_view field, absl::string_view detail) {
  absl::Status status(code, absl::StrCat(field, " ", detail));
  status.SetPayload(kParamPayload, absl::Cord(field));
  return status;
}

std::optional<std::string> ErrorParam(const absl::Status& status) {
  auto payload = status.GetPayload(kParamPayload);
  if (!payload.has_value()) return std::nullopt;
  return std::string(*payload);
}

const char* OpenAIErrorType(int http_status) {
  switch (http_status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 429:
      return "rate_limit_error";
    default:
      break;
  }
  if (http_status >= 500) return "server_error";
  return "invalid_request_error";
}

nlohmann::json OpenAIErrorBody(int http_status, absl::string_view message, absl::string_view param,
                               absl::string_view code) {
  nlohmann::json error = nlohmann::json::object();
  error["message"] = std::string(message);
  error["type"] = OpenAIErrorType(http_status);
  error["param"] = param.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::string(param));
  if (!code.empty()) {
    error["code"] = std::string(code);
  } else if (http_status == 401) {
    error["code"] = "invalid_api_key";
  } else if (http_status == 429) {
    error["code"] = "rate_limit_exceeded";
  } else {
    error["code"] = nullptr;
  }
  return nlohmann::json{{"error", std::move(error)}};
}


OpenAIError OpenAIErrorFromStatus(const absl::Status& status) {
  OpenAIError out;
  out.http_status = HttpStatusForCode(status.code());
  const std::string param = ErrorParam(status).value_or("");
  // OpenAI's code for an unknown model; other unknown things (a stored
  // response, a path) have no code.
  const std::string code = status.code() == absl::StatusCode::kNotFound && param == "model" ? "model_not_found" : "";
  out.body = OpenAIErrorBody(out.http_status, status.message(), param, code);
  return out;
}

absl::StatusCode CodeForGoogleStatus(absl::string_view status_name, int http_status) {
  for (const GoogleStatus& entry : kGoogleStatuses) {
    if (status_name == entry.name) return entry.code;
  }
  return CodeForHttpStatus(http_status);
}

OpenAIError ConvertGeminiError(int http_status, const nlohmann::json& body,
                               const std::vector<std::string>& secrets) {
  const nlohmann::json* root = &body;
  if (root->is_array() && !root->empty()) root = &(*root)[0];
  const nlohmann::json* error = nullptr;
  if (root->is_object()) {
    auto it = root->find("error");
    if (it != root->end() && it->is_object()) error = &*it;
  }

  OpenAIError out;
  std::string message;
  std::string status_name;
  int body_code = 0;
  std::string param;
  if (error != nullptr) {
    if (auto it = error->find("message"); it != error->end() && it->is_string()) message = it->get<std::string>();
    if (auto it = error->find("status"); it != error->end() && it->is_string()) {
      status_name = it->get<std::string>();
    }
    if (auto it = error->find("code"); it != error->end() && it->is_number_integer()) body_code = it->get<int>();
    if (auto it = error->find("details"); it != error->end() && it->is_array()) {
      for (const nlohmann::json& detail : *it) {
        if (!detail.is_object()) continue;
        std::string type = StringOr(detail, "@type", "");
        if (absl::EndsWith(type, "google.rpc.RetryInfo")) {
          auto delay = detail.find("retryDelay");
          if (delay != detail.end() && delay->is_string()) {
            out.retry_after_seconds = ParseDurationSeconds(delay->get<std::string>());
          }
        } else if (absl::EndsWith(type, "google.rpc.BadRequest") && param.empty()) {
          auto violations = detail.find("fieldViolations");
          if (violations != detail.end() && violations->is_array() && !violations->empty() &&
              (*violations)[0].is_object()) {
            param = StringOr((*violations)[0], "field", "");
          }
        }
      }
    }
  } else {
    message = Truncate(body.is_string() ? WithValidUtf8(body.get_ref<const std::string&>()) : WriteJson(body),
                       kMaxPlainMessageBytes);
  }
  if (message.empty()) message = "upstream error without a message";

  if (http_status == 0 || http_status == 200) {
    if (body_code >= 400 && body_code <= 599) {
      http_status = body_code;
    } else if (!status_name.empty()) {
      http_status = HttpStatusForCode(CodeForGoogleStatus(status_name, 500));
    } else {
      http_status = 502;
    }
  }
  out.http_status = http_status;
  out.body = OpenAIErrorBody(http_status, RedactSecrets(message, secrets), RedactSecrets(param, secrets),
                             absl::AsciiStrToLower(status_name));
  return out;
}

OpenAIError ConvertGeminiErrorText(int http_status, absl::string_view body,
                                   const std::vector<std::string>& secrets) {
  const absl::StatusOr<nlohmann::json> parsed = ParseJson(body);
  if (!parsed.ok() || !(parsed->is_object() || parsed->is_array())) {
    if (http_status == 0 || http_status == 200) http_status = 502;
    // Not JSON (an HTML error page): its bytes become a JSON string, so
    // whatever is not UTF-8 in them is replaced first.
    std::string text = Truncate(WithValidUtf8(body), kMaxPlainMessageBytes);
    if (text.empty()) text = absl::StrCat("upstream answered HTTP ", http_status, " with an empty body");
    OpenAIError out;
    out.http_status = http_status;
    out.body = OpenAIErrorBody(http_status, RedactSecrets(text, secrets));
    return out;
  }
  return ConvertGeminiError(http_status, *parsed, secrets);
}

}  // namespace gempool::openai
