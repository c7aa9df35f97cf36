#pragma once
// The stream of POST /v1/responses: Gemini's SSE events turned into the
// Responses API's events (responses::ResponsesStreamConverter), each written
// as "event: <type>\ndata: {json}\n\n" the moment it converts. Errors before
// the first byte are the HTTP answer in OpenAI's shape; after it, a
// response.failed event.
//
// A response to be stored (store: true) holds back its closing event
// (response.completed / response.incomplete) until the stored copy is
// written: a client that sends previous_response_id right after reading it
// must find it, on any gateway. Release() sends what was held back.
//
// The streaming mechanics are ConvertingStreamSink's. One per request, owned
// by a shared_ptr.

#include <optional>
#include <string>

#include "gempool/responses/stream_converter.h"
#include "upstream/converting_stream_sink.h"

namespace gempool::gateway {

class ResponsesStreamSink final : public ConvertingStreamSink {
 public:
  // `hold_closing`: the response will be stored (see above).
  ResponsesStreamSink(ResponseSink& client, responses::ResponseContext context, HeaderList extra_headers,
                      bool hold_closing);

  // After Complete(): the final Response with every encrypted_content, for
  // storing; null unless the response closed completed or incomplete.
  nlohmann::json Stored() const;
  // Writes the held-back closing events (none when nothing was held).
  void Release();

 private:
  void ResetConversion() override;
  absl::StatusOr<std::string> ConvertEvent(const nlohmann::json& event) override;
  std::string Closing() override;
  Failure UpstreamErrorEvent(const nlohmann::json& event) override;
  Failure BadUpstream(absl::string_view message) override;
  std::string BrokenStreamEvent() override;
  HttpReply UpstreamFailure(const HttpReply& gemini_failure) override;
  bool UpstreamFinished() const override { return converter_.has_value() && converter_->closed(); }
  const char* OperationName() const override { return "responses"; }
  const std::string& ModelName() const override { return context_.model; }

  // Frames `events`; once the response has closed and `hold_closing_`, the
  // rest goes to `held_` instead.
  std::string Frame(const std::vector<responses::StreamEvent>& events);
  // response.failed for `error`, or its JSON error when nothing went out.
  Failure FailWith(const openai::OpenAIError& error);

  const responses::ResponseContext context_;
  const bool hold_closing_;
  std::optional<responses::ResponsesStreamConverter> converter_;
  std::string held_;
};

}  // namespace gempool::gateway
