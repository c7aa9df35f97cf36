#pragma once
// Gemini :streamGenerateContent?alt=sse events → Responses API stream
// events, converted as they arrive. One converter per request: feed each
// Gemini event's JSON to OnEvent and write what it returns at once, framed
// with FrameEvent; at the end of the upstream body call Finish(); on an
// upstream or gateway error call Fail().
//
// The sequence (every event has a `sequence_number`, 0, 1, 2 …):
// - response.created, then response.in_progress (status "in_progress",
//   output []), with the first event;
// - per output item, one open at a time, output_index 0, 1, 2 …:
//   response.output_item.added (the empty item), then
//   · message: response.content_part.added, response.output_text.delta …,
//     response.output_text.annotation.added (grounding links),
//     response.output_text.done, response.content_part.done;
//   · reasoning: response.reasoning_summary_part.added,
//     response.reasoning_summary_text.delta …, .text.done, .part.done (only
//     when a summary is shown);
//   · function_call: response.function_call_arguments.delta (the whole
//     arguments: Gemini sends calls whole), .arguments.done;
//   then response.output_item.done with the finished item;
// - at the finishReason (or Finish() when none came): response.completed,
//   or response.incomplete with incomplete_details, carrying the whole
//   Response (the same as ConvertResponsesResponse gives for the joined
//   events); Fail(): response.failed with `error`.
// Nothing follows the closing event.
//
// Not thread-safe; one per request.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gempool/openai/errors.h"
#include "gempool/responses/response_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::responses {

struct StreamEvent {
  std::string type;     // "response.created", "response.output_text.delta", ...
  nlohmann::json data;  // Its payload; data["type"] == type.
};

// "event: <type>\ndata: <compact json>\n\n".
std::string FrameEvent(const StreamEvent& event);

class ResponsesStreamConverter {
 public:
  explicit ResponsesStreamConverter(ResponseContext context);
  ~ResponsesStreamConverter();
  ResponsesStreamConverter(ResponsesStreamConverter&&) noexcept;
  ResponsesStreamConverter& operator=(ResponsesStreamConverter&&) noexcept;

  // The events for one upstream event, possibly none. An in-stream
  // {"error":...} event returns a non-OK status with Google's code and
  // message: then call Fail(openai::ConvertGeminiError(0, event)). Internal
  // for an event that is not a JSON object; FailedPrecondition after the
  // closing event.
  absl::StatusOr<std::vector<StreamEvent>> OnEvent(const nlohmann::json& event);
  // The closing events when the upstream ended without a finishReason;
  // nothing when the response already closed.
  std::vector<StreamEvent> Finish();
  // response.failed with `error` from `error` (and the created events when
  // nothing was sent yet); nothing when the response already closed.
  std::vector<StreamEvent> Fail(const openai::OpenAIError& error);

  // Whether the closing event went out.
  bool closed() const { return closed_; }
  // The final Response with every encrypted_content (for
  // BuildStoredResponse); null until a completed/incomplete close.
  const nlohmann::json& stored() const;
  const std::string& id() const;

 private:
  // The item builder (src/output_items.h, shared with the non-stream
  // converter), the accumulated output and the usage seen so far.
  struct Impl;

  void Start(const nlohmann::json& event, std::vector<StreamEvent>& out);
  // `blocked`: Gemini blocked the prompt (no candidates).
  void Close(const nlohmann::json* candidate, bool blocked, std::vector<StreamEvent>& out);

  std::unique_ptr<Impl> impl_;
  bool started_ = false;
  bool closed_ = false;
};

}  // namespace gempool::responses
