#pragma once
// Gemini :streamGenerateContent?alt=sse events → OpenAI chat.completion.chunk
// objects (protocol.md §5 "Streaming translation", §6.1-6.6). One converter
// per request: feed it each event's JSON as it arrives and write out what it
// returns at once (the caller frames "data: <json>\n\n"); at the end of the
// upstream body call Finish() and then send "data: [DONE]\n\n".
//
// What the client sees:
// - every chunk has the same id ("chatcmpl-<responseId>" of the first event,
//   else the context's fallback id) and created;
// - each choice opens with {role:"assistant", content:""};
// - thought parts → delta.reasoning_content; text, inline images and code →
//   delta.content; a text part's thought signature rides along in
//   delta.extra_content.google.thought_signature;
// - each functionCall → one tool_calls delta with a stable integer index
//   (0, 1, ... per choice across the whole stream), id, type "function", name
//   and the full arguments (Gemini sends calls whole);
// - grounding links (SHOW_SEARCH_LINK) as a content delta before the finish;
// - a separate finish chunk {delta:{}, finish_reason} — "tool_calls" whenever
//   a call was seen, also when the last event has no content (MAX_TOKENS);
// - with include_usage: "usage": null on every chunk, and Finish() adds one
//   chunk with "choices": [] and the usage of the LAST usageMetadata (Gemini's
//   counts are running totals; they are never added up).
//
// Not thread-safe; one per request.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/openai/response_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

class ChatStreamConverter {
 public:
  ChatStreamConverter(ResponseContext context, bool include_usage);

  // The chunks for one upstream event, possibly none. An in-stream
  // {"error":...} event returns a non-OK status with Google's code and
  // message; the caller then sends ConvertGeminiError(0, event).body as the
  // last SSE event. Internal for an event that is not a JSON object;
  // FailedPrecondition after Finish().
  absl::StatusOr<std::vector<nlohmann::json>> OnEvent(const nlohmann::json& event);

  // The closing chunks: finish chunks for choices the upstream never finished
  // ("stop", or "tool_calls" after a call), then the usage chunk when
  // include_usage. Returns nothing when called again.
  std::vector<nlohmann::json> Finish();

  // The completion id ("" before the first chunk).
  const std::string& id() const { return id_; }
  // Whether every choice got a finishReason from upstream (false suggests a
  // truncated upstream stream; worth logging).
  bool upstream_finished() const;

 private:
  struct ChoiceState {
    bool finished = false;
    bool wrote_content = false;  // any content/refusal delta
    int tool_calls = 0;          // next tool-call index
    // Every groundingMetadata seen, rendered as links at the finish.
    nlohmann::json grounding = nlohmann::json::array();
  };

  nlohmann::json Chunk(nlohmann::json choices) const;
  nlohmann::json ChoiceChunk(int index, nlohmann::json delta, const char* finish_reason = nullptr) const;
  ChoiceState& Open(int index, std::vector<nlohmann::json>& out);
  // Emits the links, `refusal` (when not empty) and the finish chunk.
  void Close(int index, ChoiceState& state, const char* finish_reason, const std::string& refusal,
             std::vector<nlohmann::json>& out);
  void ConvertCandidate(const nlohmann::json& candidate, std::vector<nlohmann::json>& out);

  ResponseContext context_;
  bool include_usage_;
  std::string id_;
  std::map<int, ChoiceState> choices_;
  nlohmann::json last_usage_ = nlohmann::json::object();
  bool finished_ = false;
  bool closed_by_finish_ = false;
};

}  // namespace gempool::openai
