#pragma once
// Gemini :streamGenerateContent?alt=sse events → Anthropic stream events
// (anthropic.md §3, §7.4), converted as they arrive. One converter per
// request: feed each Gemini event's JSON to OnEvent and write what it
// returns at once, framed with Frame(); at the end of the upstream body call
// Finish().
//
// What the client sees, in this order:
// - message_start once, with the first event (id "msg_<responseId>" or the
//   fallback, the requested model, content [], stop_reason null, usage with
//   the real input tokens of the first usageMetadata, else the context's
//   estimate, and output_tokens 0);
// - one open block at a time: thought text → `thinking` block with
//   thinking_delta (empty thinking when !show_thinking); text → `text`
//   block with text_delta; each functionCall → its own `tool_use` block
//   (content_block_start with input {}, one input_json_delta holding the
//   serialised args, content_block_stop); signatures as in
//   response_converter.h, sent as one signature_delta just before the
//   thinking block's content_block_stop (a call's signature closes the
//   open thinking block, or gets a thinking block of its own);
// - block indexes 0, 1, 2 … in order; never a delta for a block that is not
//   open, never a block stopped twice;
// - at the finishReason (or Finish() when none came): the open block
//   stopped, message_delta {stop_reason, stop_sequence: null} with the
//   cumulative usage of the last usageMetadata, then message_stop.
// The same content, ids and stop reason as ConvertMessagesResponse gives for
// the joined events (both build blocks with src/content_blocks.h). A Gemini
// event may carry several parts; only candidate 0 is used (gempool asks for
// one). usageMetadata is a running total: the last one is reported.
//
// Not thread-safe; one per request.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/anthropic/response_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::anthropic {

struct StreamEvent {
  std::string name;  // "message_start", "content_block_delta", "ping", ...
  nlohmann::json data;  // Its payload; data["type"] == name.
};

// "event: <name>\ndata: <json>\n\n".
std::string FrameEvent(const StreamEvent& event);
// The framed {"type":"ping"} event.
std::string PingFrame();

class MessagesStreamConverter {
 public:
  explicit MessagesStreamConverter(ResponseContext context);
  ~MessagesStreamConverter();
  MessagesStreamConverter(MessagesStreamConverter&&) noexcept;
  MessagesStreamConverter& operator=(MessagesStreamConverter&&) noexcept;

  // The events for one upstream event, possibly none. An in-stream
  // {"error":...} event returns a non-OK status with Google's code and
  // message; the caller then sends ConvertGeminiError(0, event)'s stream
  // event. Internal for an event that is not a JSON object;
  // FailedPrecondition after the message has stopped.
  absl::StatusOr<std::vector<StreamEvent>> OnEvent(const nlohmann::json& event);
  // The closing events when the upstream ended without a finishReason (the
  // open block stopped, message_delta, message_stop); nothing when the
  // message already stopped. message_start too when no event came at all.
  std::vector<StreamEvent> Finish();

  // Whether message_start went out.
  bool started() const { return started_; }
  // Whether message_stop went out (the upstream sent its finishReason).
  bool stopped() const { return stopped_; }
  // The message id ("" before message_start).
  const std::string& id() const { return id_; }

 private:
  // The block state (content_blocks.h, shared with the non-stream
  // converter) and the usage seen so far.
  struct Impl;

  void Start(const nlohmann::json& event, std::vector<StreamEvent>& out);
  void Stop(const char* stop_reason, const nlohmann::json* candidate, std::vector<StreamEvent>& out);

  std::unique_ptr<Impl> impl_;
  bool started_ = false;
  bool stopped_ = false;
  std::string id_;
};

}  // namespace gempool::anthropic
