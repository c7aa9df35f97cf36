#include "anthropic/anthropic_answers.h"

#include "absl/strings/str_cat.h"
#include "gempool/anthropic/errors.h"
#include "openai/openai_answers.h"

namespace gempool::gateway {
namespace {

constexpr char kUnauthenticatedMessage[] =
    "invalid x-api-key: send one of gempool's ALLOWED_TOKENS (or AUTH_TOKEN) as \"x-api-key: <token>\" or "
    "\"Authorization: Bearer <token>\" (ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN for Claude Code). This is the "
    "gempool token, not an Anthropic or Google key: gempool adds a pool key itself.";

HttpReply FromError(const anthropic::AnthropicError& error) {
  HttpReply reply = AnthropicJsonReply(error.body, error.http_status);
  if (error.retry_after_seconds.has_value()) reply.retry_after = absl::StrCat(*error.retry_after_seconds);
  return reply;
}

}  // namespace

HttpReply AnthropicJsonReply(const nlohmann::json& body, int status) {
  HttpReply reply;
  reply.status = status;
  reply.content_type = "application/json";
  reply.body = DumpJson(body);
  return reply;
}

HttpReply AnthropicStatusReply(const absl::Status& status) {
  return FromError(anthropic::AnthropicErrorFromStatus(status));
}

HttpReply AnthropicUpstreamFailure(const HttpReply& gemini_failure) {
  HttpReply reply = FromError(anthropic::ConvertGeminiErrorText(gemini_failure.status, gemini_failure.body));
  if (!gemini_failure.retry_after.empty()) reply.retry_after = gemini_failure.retry_after;
  return reply;
}

HttpReply AnthropicBadUpstream(absl::string_view message) {
  return AnthropicJsonReply(anthropic::AnthropicErrorBody("api_error", message), 502);
}

HttpReply AnthropicUnauthenticatedReply() {
  return AnthropicJsonReply(anthropic::AnthropicErrorBody("authentication_error", kUnauthenticatedMessage), 401);
}

HttpReply AnthropicRefusal(int status, absl::string_view message) {
  return AnthropicJsonReply(anthropic::AnthropicErrorBody(anthropic::AnthropicErrorType(status), message), status);
}

ReplyDialect AnthropicReplyDialect() { return ReplyDialect{&AnthropicUpstreamFailure, &AnthropicBadUpstream}; }

}  // namespace gempool::gateway
