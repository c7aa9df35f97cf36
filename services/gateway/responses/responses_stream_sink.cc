#include "responses/responses_stream_sink.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gempool/openai/errors.h"
#include "openai/openai_answers.h"

namespace gempool::gateway {

using nlohmann::json;

ResponsesStreamSink::ResponsesStreamSink(ResponseSink& client, responses::ResponseContext context,
                                         HeaderList extra_headers, bool hold_closing)
    : ConvertingStreamSink(client, std::move(extra_headers), Heartbeat()),
      context_(std::move(context)),
      hold_closing_(hold_closing) {}

void ResponsesStreamSink::ResetConversion() {
  converter_.emplace(context_);
  held_.clear();
}

std::string ResponsesStreamSink::Frame(const std::vector<responses::StreamEvent>& events) {
  std::string out;
  for (const responses::StreamEvent& event : events) {
    std::string framed = responses::FrameEvent(event);
    const bool closing = event.type == "response.completed" || event.type == "response.incomplete";
    if (hold_closing_ && closing) {
      held_ += framed;
    } else {
      out += framed;
    }
  }
  return out;
}

absl::StatusOr<std::string> ResponsesStreamSink::ConvertEvent(const json& event) {
  absl::StatusOr<std::vector<responses::StreamEvent>> events = converter_->OnEvent(event);
  if (!events.ok()) return events.status();
  return Frame(*events);
}

std::string ResponsesStreamSink::Closing() { return Frame(converter_->Finish()); }

ResponsesStreamSink::Failure ResponsesStreamSink::FailWith(const openai::OpenAIError& error) {
  Failure failure;
  failure.reply = OpenAIJsonReply(error.body, error.http_status);
  if (error.retry_after_seconds.has_value()) failure.reply.retry_after = absl::StrCat(*error.retry_after_seconds);
  for (const responses::StreamEvent& event : converter_->Fail(error)) failure.event += responses::FrameEvent(event);
  return failure;
}

ResponsesStreamSink::Failure ResponsesStreamSink::UpstreamErrorEvent(const json& event) {
  return FailWith(openai::ConvertGeminiError(0, event));
}

ResponsesStreamSink::Failure ResponsesStreamSink::BadUpstream(absl::string_view message) {
  openai::OpenAIError error;
  error.http_status = 502;
  error.body = openai::OpenAIErrorBody(502, message, "", "bad_upstream_response");
  return FailWith(error);
}

std::string ResponsesStreamSink::BrokenStreamEvent() {
  return BadUpstream("the Gemini API stream broke off before it ended; the answer is incomplete").event;
}

HttpReply ResponsesStreamSink::UpstreamFailure(const HttpReply& gemini_failure) {
  return OpenAIUpstreamFailure(gemini_failure);
}

json ResponsesStreamSink::Stored() const {
  return converter_.has_value() ? converter_->stored() : json(nullptr);
}

void ResponsesStreamSink::Release() {
  std::string held = std::move(held_);
  held_.clear();
  WriteAfterComplete(held);
}

}  // namespace gempool::gateway
