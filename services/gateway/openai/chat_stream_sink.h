#pragma once
// The stream of POST /v1/chat/completions: Gemini's SSE events turned into
// chat.completion.chunk objects (openai::ChatStreamConverter), written as
// "data: {json}\n\n" the moment they convert; the closing chunks and
// "data: [DONE]\n\n" at the end. Upstream errors in OpenAI's shape: before
// the first chunk as the HTTP answer (status kept), after it as a final
// "data: {"error":...}" event. The streaming mechanics (attempts, errors,
// commit) are ConvertingStreamSink's. One per request.

#include <optional>
#include <string>

#include "upstream/converting_stream_sink.h"
#include "gempool/openai/response_converter.h"
#include "gempool/openai/stream_converter.h"

namespace gempool::gateway {

class ChatStreamSink final : public ConvertingStreamSink {
 public:
  // `client` receives the OpenAI stream; `extra_headers` go on its response
  // head (e.g. x-gempool-warnings).
  ChatStreamSink(ResponseSink& client, openai::ResponseContext context, bool include_usage,
                 HeaderList extra_headers);

 private:
  void ResetConversion() override;
  absl::StatusOr<std::string> ConvertEvent(const nlohmann::json& event) override;
  std::string Closing() override;
  Failure UpstreamErrorEvent(const nlohmann::json& event) override;
  Failure BadUpstream(absl::string_view message) override;
  std::string BrokenStreamEvent() override;
  HttpReply UpstreamFailure(const HttpReply& gemini_failure) override;
  bool UpstreamFinished() const override { return converter_.has_value() && converter_->upstream_finished(); }
  const char* OperationName() const override { return "chat.completions"; }
  const std::string& ModelName() const override { return context_.model; }

  const openai::ResponseContext context_;
  const bool include_usage_;
  std::optional<openai::ChatStreamConverter> converter_;
};

}  // namespace gempool::gateway
