#include "openai/chat_stream_sink.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"
#include "gempool/openai/json_reader.h"
#include "openai/openai_answers.h"

namespace gempool::gateway {
namespace {

using nlohmann::json;

std::string SseEvent(const json& payload) { return absl::StrCat("data: ", DumpJson(payload), "\n\n"); }

openai::OpenAIError BadGateway(absl::string_view message) {
  openai::OpenAIError error;
  error.http_status = 502;
  error.body = openai::OpenAIErrorBody(502, message, "", "bad_upstream_response");
  return error;
}

}  // namespace

ChatStreamSink::ChatStreamSink(ResponseSink& client, openai::ResponseContext context, bool include_usage,
                               HeaderList extra_headers)
    : client_(client),
      context_(std::move(context)),
      include_usage_(include_usage),
      extra_headers_(std::move(extra_headers)) {}

void ChatStreamSink::Begin(const UpstreamResponseHead& head) {
  // A new attempt: whatever an earlier, uncommitted one left is void.
  splitter_.Reset();
  converter_.emplace(context_, include_usage_);
  saw_event_ = false;
  error_.reset();
  UpstreamResponseHead out;
  out.status = head.status;
  out.content_type = "text/event-stream; charset=utf-8";
  out.passthrough = {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};
  out.passthrough.insert(out.passthrough.end(), extra_headers_.begin(), extra_headers_.end());
  client_.Begin(out);
}

bool ChatStreamSink::Write(absl::string_view data) {
  if (error_.has_value()) return false;
  absl::StatusOr<std::vector<std::string>> events = splitter_.Feed(data);
  if (!events.ok()) return Fail(BadGateway(absl::StrCat("the Gemini API stream is malformed: ", events.status().message())));
  return HandleEvents(*events);
}

bool ChatStreamSink::HandleEvents(const std::vector<std::string>& events) {
  for (const std::string& text : events) {
    const absl::StatusOr<json> parsed = openai::ParseJson(text);
    if (!parsed.ok()) {
      return Fail(BadGateway("the Gemini API sent a stream event that is not JSON"));
    }
    const json& event = *parsed;
    saw_event_ = true;
    absl::StatusOr<std::vector<json>> chunks = converter_->OnEvent(event);
    if (!chunks.ok()) {
      const bool upstream_error = (event.is_object() && event.contains("error")) ||
                                  (event.is_array() && !event.empty() && event[0].is_object() &&
                                   event[0].contains("error"));
      return Fail(upstream_error ? openai::ConvertGeminiError(0, event)
                                 : BadGateway(absl::StrCat("the Gemini API sent an unexpected stream event: ",
                                                           chunks.status().message())));
    }
    if (!Emit(*chunks)) return false;
  }
  return true;
}

bool ChatStreamSink::Emit(const std::vector<json>& chunks) {
  if (chunks.empty()) return true;
  std::string out;
  for (const json& chunk : chunks) out += SseEvent(chunk);
  return client_.Write(out);
}

bool ChatStreamSink::Fail(openai::OpenAIError error) {
  if (client_.Committed()) client_.Write(SseEvent(error.body));
  error_ = std::move(error);
  return false;
}

ForwardResult ChatStreamSink::Complete(ForwardResult result) {
  using Outcome = ForwardResult::Outcome;
  if (result.outcome == Outcome::kFailed) {
    result.failure = OpenAIUpstreamFailure(result.failure);
    return result;
  }
  if (result.outcome == Outcome::kSuccess && !error_.has_value()) {
    absl::StatusOr<std::vector<std::string>> rest = splitter_.Finish();
    if (!rest.ok()) {
      Fail(BadGateway(absl::StrCat("the Gemini API stream is malformed: ", rest.status().message())));
    } else if (HandleEvents(*rest) && !error_.has_value()) {
      if (!saw_event_) {
        error_ = BadGateway("the Gemini API ended the stream without sending any event");
      } else {
        if (!converter_->upstream_finished()) {
          GEMPOOL_LOG(WARNING) << "chat.completions stream for " << context_.model
                               << ": the Gemini stream ended without a finishReason";
        }
        std::vector<json> closing = converter_->Finish();
        std::string out;
        for (const json& chunk : closing) out += SseEvent(chunk);
        out += "data: [DONE]\n\n";
        if (!client_.Write(out)) result.outcome = Outcome::kClientGone;
        return result;
      }
    }
  }
  if (error_.has_value()) {
    if (!client_.Committed()) {
      // Nothing reached the client: answer with the error and its status.
      result.outcome = Outcome::kFailed;
      result.failure = OpenAIJsonReply(error_->body, error_->http_status);
      if (error_->retry_after_seconds.has_value()) {
        result.failure.retry_after = absl::StrCat(*error_->retry_after_seconds);
      }
      return result;
    }
    // The error event already went out; end the stream there.
    result.outcome = Outcome::kBrokenAfterCommit;
    return result;
  }
  if (result.outcome == Outcome::kBrokenAfterCommit) {
    client_.Write(SseEvent(openai::OpenAIErrorBody(
        502, "the Gemini API stream broke off before it ended; the answer is incomplete", "", "upstream_stream_broken")));
  }
  return result;
}

}  // namespace gempool::gateway
