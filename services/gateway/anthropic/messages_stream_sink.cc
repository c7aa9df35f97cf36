#include "anthropic/messages_stream_sink.h"

#include <utility>
#include <vector>

#include "anthropic/anthropic_answers.h"
#include "absl/strings/str_cat.h"
#include "gempool/anthropic/errors.h"

namespace gempool::gateway {
namespace {

using nlohmann::json;

std::string Frame(const std::vector<anthropic::StreamEvent>& events) {
  std::string out;
  for (const anthropic::StreamEvent& event : events) out += anthropic::FrameEvent(event);
  return out;
}

std::string ErrorEvent(const json& body) { return anthropic::FrameEvent({"error", body}); }

}  // namespace

MessagesStreamSink::MessagesStreamSink(ResponseSink& client, anthropic::ResponseContext context,
                                       HeaderList extra_headers, boost::asio::io_context* io,
                                       std::chrono::milliseconds ping_interval)
    : ConvertingStreamSink(client, std::move(extra_headers), Heartbeat{io, ping_interval, anthropic::PingFrame()}),
      context_(std::move(context)) {}

void MessagesStreamSink::ResetConversion() { converter_.emplace(context_); }

absl::StatusOr<std::string> MessagesStreamSink::ConvertEvent(const json& event) {
  absl::StatusOr<std::vector<anthropic::StreamEvent>> events = converter_->OnEvent(event);
  if (!events.ok()) return events.status();
  return Frame(*events);
}

std::string MessagesStreamSink::Closing() { return Frame(converter_->Finish()); }

MessagesStreamSink::Failure MessagesStreamSink::UpstreamErrorEvent(const json& event) {
  const anthropic::AnthropicError error = anthropic::ConvertGeminiError(0, event);
  Failure failure;
  failure.reply = AnthropicJsonReply(error.body, error.http_status);
  if (error.retry_after_seconds.has_value()) failure.reply.retry_after = absl::StrCat(*error.retry_after_seconds);
  failure.event = ErrorEvent(error.body);
  return failure;
}

MessagesStreamSink::Failure MessagesStreamSink::BadUpstream(absl::string_view message) {
  const json body = anthropic::AnthropicErrorBody("api_error", message);
  return Failure{AnthropicJsonReply(body, 502), ErrorEvent(body)};
}

std::string MessagesStreamSink::BrokenStreamEvent() {
  return ErrorEvent(anthropic::AnthropicErrorBody(
      "api_error", "the Gemini API stream broke off before it ended; the answer is incomplete"));
}

HttpReply MessagesStreamSink::UpstreamFailure(const HttpReply& gemini_failure) {
  return AnthropicUpstreamFailure(gemini_failure);
}

}  // namespace gempool::gateway
