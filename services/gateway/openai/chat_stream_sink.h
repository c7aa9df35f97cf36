#pragma once
// The ResponseSink between the Forwarder and a streaming OpenAI client: reads
// Gemini's :streamGenerateContent?alt=sse body as it arrives (events may be
// cut anywhere by the network), turns each event into chat.completion.chunk
// objects (openai::ChatStreamConverter) and writes them to the client as
// "data: {json}\n\n" at once, never collected; Complete() adds the closing
// chunks and "data: [DONE]\n\n". Nothing reaches the client before the first
// converted chunk, so an attempt that fails before that is still retried with
// another key. Upstream errors become OpenAI errors: before the first chunk
// as the HTTP answer (status kept), after it as a final "data: {"error":...}"
// event. Not thread-safe; one per request, fed by the Forwarder's callbacks
// one at a time.

#include <optional>
#include <string>
#include <vector>

#include "upstream/forwarder.h"
#include "gempool/gemini/sse_splitter.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/response_converter.h"
#include "gempool/openai/stream_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::gateway {

class ChatStreamSink final : public ResponseSink {
 public:
  // `client` receives the OpenAI stream; `extra_headers` go on its response
  // head (e.g. x-gempool-warnings).
  ChatStreamSink(ResponseSink& client, openai::ResponseContext context, bool include_usage,
                 HeaderList extra_headers);

  // ResponseSink, fed by the Forwarder.
  void Begin(const UpstreamResponseHead& head) override;
  bool Write(absl::string_view data) override;
  bool Committed() const override { return client_.Committed(); }
  bool PauseUntilDrained(std::function<void()> resume) override {
    return client_.PauseUntilDrained(std::move(resume));
  }

  // After Forwarder::Forward() returned `result`: ends the client's stream as
  // the result requires and returns what the client got (a kFailed result's
  // failure is an OpenAI error reply).
  ForwardResult Complete(ForwardResult result);

 private:
  // Converts and writes the events; false to stop the upstream read.
  bool HandleEvents(const std::vector<std::string>& events);
  bool Emit(const std::vector<nlohmann::json>& chunks);
  // Records `error`; once the stream is committed it also goes out as the
  // last event. Returns false (stop reading upstream).
  bool Fail(openai::OpenAIError error);

  ResponseSink& client_;
  const openai::ResponseContext context_;
  const bool include_usage_;
  const HeaderList extra_headers_;
  gemini::SseSplitter splitter_;
  std::optional<openai::ChatStreamConverter> converter_;
  bool saw_event_ = false;
  std::optional<openai::OpenAIError> error_;
};

}  // namespace gempool::gateway
