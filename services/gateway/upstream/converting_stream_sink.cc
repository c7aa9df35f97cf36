#include "upstream/converting_stream_sink.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"
#include "gempool/openai/json_reader.h"

namespace gempool::gateway {

using nlohmann::json;

ConvertingStreamSink::ConvertingStreamSink(ResponseSink& client, HeaderList extra_headers, Heartbeat heartbeat)
    : client_(client), extra_headers_(std::move(extra_headers)), heartbeat_(std::move(heartbeat)) {}

ConvertingStreamSink::~ConvertingStreamSink() = default;

void ConvertingStreamSink::Begin(const UpstreamResponseHead& head) {
  MutexLock lock(&mu_);
  // A new attempt: whatever an earlier, uncommitted one left is void.
  splitter_.Reset();
  ResetConversion();
  saw_event_ = false;
  failure_.reset();
  UpstreamResponseHead out;
  out.status = head.status;
  out.content_type = "text/event-stream; charset=utf-8";
  out.passthrough = {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};
  out.passthrough.insert(out.passthrough.end(), extra_headers_.begin(), extra_headers_.end());
  client_.Begin(out);
  if (heartbeat_.io != nullptr && !timer_.has_value()) {
    timer_.emplace(*heartbeat_.io);
    last_write_ = std::chrono::steady_clock::now();
    ArmHeartbeatLocked(last_write_ + heartbeat_.interval);
  }
}

bool ConvertingStreamSink::Write(absl::string_view data) {
  MutexLock lock(&mu_);
  if (failure_.has_value()) return false;
  absl::StatusOr<std::vector<std::string>> events = splitter_.Feed(data);
  if (!events.ok()) {
    return Fail(BadUpstream(absl::StrCat("the Gemini API stream is malformed: ", events.status().message())));
  }
  return HandleEvents(*events);
}

bool ConvertingStreamSink::HandleEvents(const std::vector<std::string>& events) {
  for (const std::string& text : events) {
    const absl::StatusOr<json> parsed = openai::ParseJson(text);
    if (!parsed.ok()) return Fail(BadUpstream("the Gemini API sent a stream event that is not JSON"));
    const json& event = *parsed;
    saw_event_ = true;
    absl::StatusOr<std::string> converted = ConvertEvent(event);
    if (!converted.ok()) {
      const bool upstream_error = (event.is_object() && event.contains("error")) ||
                                  (event.is_array() && !event.empty() && event[0].is_object() &&
                                   event[0].contains("error"));
      return Fail(upstream_error ? UpstreamErrorEvent(event)
                                 : BadUpstream(absl::StrCat("the Gemini API sent an unexpected stream event: ",
                                                            converted.status().message())));
    }
    if (!converted->empty() && !WriteLocked(*converted)) return false;
  }
  return true;
}

bool ConvertingStreamSink::WriteLocked(const std::string& bytes) {
  last_write_ = std::chrono::steady_clock::now();
  return client_.Write(bytes);
}

bool ConvertingStreamSink::Fail(Failure failure) {
  if (client_.Committed()) WriteLocked(failure.event);
  failure_ = std::move(failure);
  return false;
}

ForwardResult ConvertingStreamSink::Complete(ForwardResult result) {
  using Outcome = ForwardResult::Outcome;
  MutexLock lock(&mu_);
  ended_ = true;
  if (timer_.has_value()) timer_->cancel();
  if (result.outcome == Outcome::kFailed && !client_.Committed()) {
    result.failure = UpstreamFailure(result.failure);
    return result;
  }
  if (result.outcome == Outcome::kSuccess && !failure_.has_value()) {
    absl::StatusOr<std::vector<std::string>> rest = splitter_.Finish();
    if (!rest.ok()) {
      Fail(BadUpstream(absl::StrCat("the Gemini API stream is malformed: ", rest.status().message())));
    } else if (HandleEvents(*rest) && !failure_.has_value()) {
      if (!saw_event_) {
        failure_ = BadUpstream("the Gemini API ended the stream without sending any event");
        if (client_.Committed()) WriteLocked(failure_->event);
      } else {
        if (!UpstreamFinished()) {
          GEMPOOL_LOG(WARNING) << OperationName() << " stream for " << ModelName()
                               << ": the Gemini stream ended without a finishReason";
        }
        const std::string closing = Closing();
        if (!closing.empty() && !WriteLocked(closing)) result.outcome = Outcome::kClientGone;
        return result;
      }
    }
  }
  if (failure_.has_value()) {
    if (!client_.Committed()) {
      // Nothing reached the client: answer with the error and its status.
      result.outcome = Outcome::kFailed;
      result.failure = failure_->reply;
      return result;
    }
    // The error event already went out; end the stream there.
    result.outcome = Outcome::kBrokenAfterCommit;
    return result;
  }
  if (result.outcome == Outcome::kBrokenAfterCommit || (result.outcome == Outcome::kFailed && client_.Committed())) {
    // Only heartbeats (or part of the answer) went out: the client learns
    // the stream is incomplete.
    WriteLocked(BrokenStreamEvent());
    result.outcome = Outcome::kBrokenAfterCommit;
  }
  return result;
}

bool ConvertingStreamSink::WriteAfterComplete(const std::string& bytes) {
  MutexLock lock(&mu_);
  return bytes.empty() || WriteLocked(bytes);
}

void ConvertingStreamSink::ArmHeartbeatLocked(std::chrono::steady_clock::time_point at) {
  timer_->expires_at(at);
  std::weak_ptr<ConvertingStreamSink> weak = weak_from_this();
  timer_->async_wait([weak](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->OnHeartbeat();
  });
}

void ConvertingStreamSink::OnHeartbeat() {
  MutexLock lock(&mu_);
  if (ended_ || failure_.has_value()) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_write_ >= heartbeat_.interval) {
    if (!WriteLocked(heartbeat_.bytes)) return;  // The client is gone; the forward learns on its next write.
  }
  ArmHeartbeatLocked(last_write_ + heartbeat_.interval);
}

}  // namespace gempool::gateway
