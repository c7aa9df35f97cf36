#pragma once
// The one place that decides which Anthropic content blocks a Gemini answer
// becomes. Both the non-stream converter and the stream converter feed
// candidate 0 of each Gemini response (one, or one per SSE event) through a
// ContentBlocks and turn the steps it emits into a `content` array or into
// stream events; sharing it is what makes the two answers equal block for
// block. Internal to gempool_anthropic.
//
// Rules (response_converter.h has the user-facing summary):
// - one block is open at a time; text-like parts extend an open text block,
//   thought parts an open thinking block, anything else closes it first;
// - a thinking block is closed as soon as it gets its signature, so the
//   signature is always the last thing before its stop;
// - a call's signature goes on the open (unsigned) thinking block if there is
//   one, else on a thinking block of its own, tagged kNext;
// - a text part's signature waits until its text block closes, then becomes
//   an empty thinking block tagged kPrevious (a second signed part closes
//   the text block first, so no signature is lost);
// - thought and signature-only parts' signatures are kOwn on their block.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gempool/anthropic/response_converter.h"
#include "gempool/anthropic/thought_signature.h"
#include "gempool/openai/response_parts.h"
#include "nlohmann/json.hpp"

namespace gempool::anthropic::internal {

// One step of building the content array.
struct BlockStep {
  enum class Kind {
    kStart,          // value: the empty block ({type:text,text:""}, ...).
    kTextDelta,      // value: a string to append to `text`.
    kThinkingDelta,  // value: a string to append to `thinking`.
    kSignature,      // value: the tagged signature of the thinking block.
    kInput,          // value: the tool_use's whole `input` object.
    kStop,
  };
  Kind kind = Kind::kStart;
  int index = 0;
  nlohmann::json value;
};

// "msg_<responseId>", else the context's fallback id (else a digest of the
// model, for callers that gave none).
std::string MessageId(const nlohmann::json& response, const ResponseContext& context);

// Gemini's functionCall.id when it fits Anthropic's [A-Za-z0-9_-]+ and does
// not start with "toolu_" (the request converter reads that prefix as
// "minted by gempool"), else "toolu_" + 24 hex digits of (message id, call
// index).
std::string ToolUseId(const nlohmann::json& function_call, absl::string_view message_id, int call_index);


class ContentBlocks {
 public:
  ContentBlocks(const ResponseContext& context, std::string message_id);

  // The parts of one candidate (and its grounding metadata, kept for Close).
  void AddCandidate(const nlohmann::json& candidate, std::vector<BlockStep>& out);
  // Text of gempool's own (an explanation), as text blocks show it.
  void AddText(absl::string_view text, std::vector<BlockStep>& out);
  // Ends the content: explains a refusal that produced nothing (`candidate`
  // holds finishReason/finishMessage; may be null), appends the grounding
  // sources, closes the open block.
  void Close(absl::string_view stop_reason, const nlohmann::json* candidate, std::vector<BlockStep>& out);

  bool has_tool_use() const { return calls_ > 0; }

 private:
  enum class Open { kNone, kText, kThinking };

  void AddPart(const nlohmann::json& part, std::vector<BlockStep>& out);
  void AddCall(const nlohmann::json& call, const std::string* signature, std::vector<BlockStep>& out);
  void AddThought(absl::string_view text, const std::string* signature, std::vector<BlockStep>& out);
  void AddSignatureOnly(const std::string& signature, std::vector<BlockStep>& out);
  void StartBlock(Open kind, nlohmann::json block, std::vector<BlockStep>& out);
  // Stops the open block; a pending text signature follows as its own block.
  void CloseOpen(std::vector<BlockStep>& out);
  void SignedThinkingBlock(SignatureAnchor anchor, const std::string& signature, std::vector<BlockStep>& out);
  static void Emit(BlockStep::Kind kind, int index, nlohmann::json value, std::vector<BlockStep>& out);

  const ResponseContext& context_;
  std::string message_id_;
  Open open_ = Open::kNone;
  int open_index_ = -1;
  int next_index_ = 0;
  int calls_ = 0;
  // Whether a text or tool_use block was written (a refusal without one gets
  // an explanation).
  bool wrote_answer_ = false;
  // A text part's signature, sent as a kPrevious thinking block once the
  // text block it belongs to closes.
  std::string pending_text_signature_;
  openai::GroundingLinks links_;
};

}  // namespace gempool::anthropic::internal
