#include "gempool/anthropic/errors.h"

#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/http_status.h"
#include "gempool/openai/errors.h"

namespace gempool::anthropic {
namespace {

// Gemini's 503 UNAVAILABLE ("The model is overloaded") is what Anthropic
// calls 529 overloaded_error; clients back off and retry on it.
constexpr int kOverloaded = 529;

// The digits right after `marker` in `text`, if any.
bool NumberAfter(absl::string_view text, absl::string_view marker, int64_t* number) {
  size_t at = text.find(marker);
  if (at == absl::string_view::npos) return false;
  absl::string_view rest = text.substr(at + marker.size());
  size_t digits = 0;
  while (digits < rest.size() && absl::ascii_isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
  return digits > 0 && absl::SimpleAtoi(rest.substr(0, digits), number);
}

// Gemini's context-overflow 400 ("The input token count (1200000) exceeds the
// maximum number of tokens allowed (1048576).") in the words Anthropic uses,
// "prompt is too long: N tokens > M maximum": Claude Code recognises those
// and compacts the conversation instead of failing. Google's text is kept
// after it.
std::string AnthropicWording(int http_status, const std::string& message) {
  if (http_status != 400) return message;
  int64_t tokens = 0;
  int64_t maximum = 0;
  if (!NumberAfter(message, "input token count (", &tokens) ||
      !NumberAfter(message, "maximum number of tokens allowed (", &maximum)) {
    return message;
  }
  return absl::StrCat("prompt is too long: ", tokens, " tokens > ", maximum, " maximum (Gemini: ", message, ")");
}

AnthropicError FromOpenAI(const openai::OpenAIError& converted) {
  AnthropicError out;
  out.http_status = converted.http_status == 503 ? kOverloaded : converted.http_status;
  std::string message;
  if (const auto error = converted.body.find("error"); error != converted.body.end() && error->is_object()) {
    if (const auto text = error->find("message"); text != error->end() && text->is_string()) {
      message = text->get<std::string>();
    }
  }
  out.body = AnthropicErrorBody(AnthropicErrorType(out.http_status), AnthropicWording(out.http_status, message));
  out.retry_after_seconds = converted.retry_after_seconds;
  return out;
}

}  // namespace

const char* AnthropicErrorType(int http_status) {
  switch (http_status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:  // gempool's own "no key available right now".
    case kOverloaded:
      return "overloaded_error";
    case 504:
      return "timeout_error";
    default:
      break;
  }
  if (http_status >= 500) return "api_error";
  return "invalid_request_error";
}

nlohmann::json AnthropicErrorBody(absl::string_view error_type, absl::string_view message) {
  nlohmann::json error(nlohmann::json::value_t::object);
  error.emplace("type", std::string(error_type));
  error.emplace("message", std::string(message));
  nlohmann::json body(nlohmann::json::value_t::object);
  body.emplace("type", "error");
  body.emplace("error", std::move(error));
  return body;
}

AnthropicError AnthropicErrorFromStatus(const absl::Status& status) {
  AnthropicError out;
  out.http_status = HttpStatusForCode(status.code());
  out.body = AnthropicErrorBody(AnthropicErrorType(out.http_status), status.message());
  return out;
}

AnthropicError ConvertGeminiErrorText(int http_status, absl::string_view body,
                                      const std::vector<std::string>& secrets) {
  return FromOpenAI(openai::ConvertGeminiErrorText(http_status, body, secrets));
}

AnthropicError ConvertGeminiError(int http_status, const nlohmann::json& body,
                                  const std::vector<std::string>& secrets) {
  return FromOpenAI(openai::ConvertGeminiError(http_status, body, secrets));
}

}  // namespace gempool::anthropic
