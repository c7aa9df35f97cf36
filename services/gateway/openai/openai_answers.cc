#include "openai/openai_answers.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_reader.h"
#include "gempool/openai/json_writer.h"

namespace gempool::gateway {
namespace {

constexpr char kJsonType[] = "application/json";
constexpr size_t kMaxWarningsHeader = 4096;

const std::string kUnauthenticatedMessage =
    "Incorrect API key provided. Pass one of ALLOWED_TOKENS (or AUTH_TOKEN) as "
    "\"Authorization: Bearer <token>\" (x-goog-api-key and ?key= work too). This is the gempool "
    "token, not a Google API key: gempool adds the pool key itself.";

}  // namespace

std::string DumpJson(const nlohmann::json& json) {
  return openai::WriteJson(json);
}

absl::StatusOr<nlohmann::json> ParseRequestJson(absl::string_view body, absl::string_view example) {
  absl::StatusOr<nlohmann::json> parsed = openai::ParseJson(body);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request body is not valid JSON; send a JSON object such as ", example));
  }
  return parsed;
}

HttpReply OpenAIJsonReply(const nlohmann::json& body, int status) {
  HttpReply reply;
  reply.status = status;
  reply.content_type = kJsonType;
  reply.body = DumpJson(body);
  return reply;
}

HttpReply OpenAIStatusReply(const absl::Status& status) {
  const openai::OpenAIError error = openai::OpenAIErrorFromStatus(status);
  HttpReply reply = OpenAIJsonReply(error.body, error.http_status);
  if (error.retry_after_seconds.has_value()) reply.retry_after = absl::StrCat(*error.retry_after_seconds);
  return reply;
}

HttpReply OpenAIBadUpstream(absl::string_view message) {
  return OpenAIJsonReply(openai::OpenAIErrorBody(502, std::string(message), "", "bad_upstream_response"), 502);
}

HttpReply OpenAIConversionFailure(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument ? OpenAIStatusReply(status)
                                                             : OpenAIBadUpstream(status.message());
}

HttpReply OpenAIUpstreamFailure(const HttpReply& gemini_failure) {
  const openai::OpenAIError error = openai::ConvertGeminiErrorText(gemini_failure.status, gemini_failure.body);
  HttpReply reply = OpenAIJsonReply(error.body, gemini_failure.status);
  reply.retry_after = gemini_failure.retry_after;
  if (reply.retry_after.empty() && error.retry_after_seconds.has_value()) {
    reply.retry_after = absl::StrCat(*error.retry_after_seconds);
  }
  return reply;
}

HttpReply OpenAIUnauthenticatedReply() {
  return OpenAIJsonReply(openai::OpenAIErrorBody(401, kUnauthenticatedMessage), 401);
}

HttpReply OpenAIRefusal(int status, absl::string_view message) {
  return OpenAIJsonReply(openai::OpenAIErrorBody(status, message), status);
}

std::string WarningsHeaderValue(const std::vector<std::string>& warnings) {
  std::string out;
  for (const std::string& warning : warnings) {
    if (!out.empty()) out += "; ";
    for (unsigned char c : warning) {
      if (c == '\t' || c == '\r' || c == '\n') {
        out.push_back(' ');
      } else {
        out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
      }
    }
    if (out.size() > kMaxWarningsHeader) {
      out.resize(kMaxWarningsHeader - 3);
      out += "...";
      break;
    }
  }
  return out;
}

void AddWarningsHeader(const std::vector<std::string>& warnings, HeaderList& headers) {
  const std::string value = WarningsHeaderValue(warnings);
  if (!value.empty()) AppendHeaderValue(headers, kWarningsHeader, value);
}

}  // namespace gempool::gateway
