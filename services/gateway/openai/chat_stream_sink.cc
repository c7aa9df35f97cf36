#include "openai/chat_stream_sink.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/openai/errors.h"
#include "openai/openai_answers.h"

namespace gempool::gateway {
namespace {

using nlohmann::json;

std::string ChatSseEvent(const json& payload) { return absl::StrCat("data: ", DumpJson(payload), "\n\n"); }

}  // namespace

ChatStreamSink::ChatStreamSink(ResponseSink& client, openai::ResponseContext context, bool include_usage,
                               HeaderList extra_headers)
    : ConvertingStreamSink(client, std::move(extra_headers), Heartbeat()),
      context_(std::move(context)),
      include_usage_(include_usage) {}

void ChatStreamSink::ResetConversion() { converter_.emplace(context_, include_usage_); }

absl::StatusOr<std::string> ChatStreamSink::ConvertEvent(const json& event) {
  absl::StatusOr<std::vector<json>> chunks = converter_->OnEvent(event);
  if (!chunks.ok()) return chunks.status();
  std::string out;
  for (const json& chunk : *chunks) out += ChatSseEvent(chunk);
  return out;
}

std::string ChatStreamSink::Closing() {
  std::string out;
  for (const json& chunk : converter_->Finish()) out += ChatSseEvent(chunk);
  out += "data: [DONE]\n\n";
  return out;
}

ChatStreamSink::Failure ChatStreamSink::UpstreamErrorEvent(const json& event) {
  const openai::OpenAIError error = openai::ConvertGeminiError(0, event);
  Failure failure;
  failure.reply = OpenAIJsonReply(error.body, error.http_status);
  if (error.retry_after_seconds.has_value()) failure.reply.retry_after = absl::StrCat(*error.retry_after_seconds);
  failure.event = ChatSseEvent(error.body);
  return failure;
}

ChatStreamSink::Failure ChatStreamSink::BadUpstream(absl::string_view message) {
  const json body = openai::OpenAIErrorBody(502, message, "", "bad_upstream_response");
  return Failure{OpenAIJsonReply(body, 502), ChatSseEvent(body)};
}

std::string ChatStreamSink::BrokenStreamEvent() {
  return ChatSseEvent(openai::OpenAIErrorBody(
      502, "the Gemini API stream broke off before it ended; the answer is incomplete", "", "upstream_stream_broken"));
}

HttpReply ChatStreamSink::UpstreamFailure(const HttpReply& gemini_failure) {
  return OpenAIUpstreamFailure(gemini_failure);
}

}  // namespace gempool::gateway
