#pragma once
// The stream of POST /v1/messages: Gemini's SSE events turned into
// Anthropic's named events (anthropic::MessagesStreamConverter) and written
// as "event: <name>\ndata: {json}\n\n" the moment they convert; a `ping`
// event whenever the stream has been quiet for `ping_interval` after the
// upstream answered (a thinking model can be silent for minutes, and Claude
// Code gives up after five). Errors in Anthropic's shape: before the first
// byte as the HTTP answer (status mapped, 503 → 529), after it as an `error`
// event. The streaming mechanics are ConvertingStreamSink's. One per
// request, owned by a shared_ptr.

#include <chrono>
#include <optional>
#include <string>

#include "gempool/anthropic/response_converter.h"
#include "gempool/anthropic/stream_converter.h"
#include "upstream/converting_stream_sink.h"

namespace gempool::gateway {

class MessagesStreamSink final : public ConvertingStreamSink {
 public:
  // `io` runs the ping timer (nullptr: no pings).
  MessagesStreamSink(ResponseSink& client, anthropic::ResponseContext context, HeaderList extra_headers,
                     boost::asio::io_context* io, std::chrono::milliseconds ping_interval);

 private:
  void ResetConversion() override;
  absl::StatusOr<std::string> ConvertEvent(const nlohmann::json& event) override;
  std::string Closing() override;
  Failure UpstreamErrorEvent(const nlohmann::json& event) override;
  Failure BadUpstream(absl::string_view message) override;
  std::string BrokenStreamEvent() override;
  HttpReply UpstreamFailure(const HttpReply& gemini_failure) override;
  bool UpstreamFinished() const override { return converter_.has_value() && converter_->stopped(); }
  const char* OperationName() const override { return "messages"; }
  const std::string& ModelName() const override { return context_.model; }

  const anthropic::ResponseContext context_;
  std::optional<anthropic::MessagesStreamConverter> converter_;
};

}  // namespace gempool::gateway
