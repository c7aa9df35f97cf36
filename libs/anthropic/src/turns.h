#pragma once
// The Gemini contents of an Anthropic conversation while it is built: one
// Turn per run of same-role messages, and the checks that need the whole
// conversation (every call answered by the next turn, Gemini 3 signatures).
// Internal to gempool_anthropic; used by the content converter.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::anthropic::internal {

struct Call {
  std::string id;
  std::string path;  // of the tool_use block
  size_t part_index = 0;
};

struct Response {
  std::string id;
  std::string path;  // of the tool_result block
  nlohmann::json part;
};

// One Gemini content, built from one or more consecutive messages of the
// same role. User turns keep their pieces apart until FinishTurn orders them.
struct Turn {
  bool model = false;
  std::string path;                                // messages[i] of its first message
  nlohmann::json parts = nlohmann::json::array();  // model: every part, in order; user: text and media
  std::vector<Call> calls;                         // model turns
  std::vector<Response> responses;                 // user turns: functionResponse parts
  nlohmann::json result_media = nlohmann::json::array();  // user turns: media from tool results
  nlohmann::json reminders = nlohmann::json::array();     // user turns: mid-conversation system text
};

// Gemini wants the turn after a call turn to answer every call, and only
// those: a mismatch is refused with the tool_use id (as Anthropic refuses
// it) rather than left to Gemini's count error. Calls of a trailing
// assistant turn (prefill) have no results yet and are dropped with a
// warning. Responses are put in call order.
absl::Status PairCallsAndResults(std::vector<Turn>& turns, std::vector<std::string>* warnings);

// Gemini 3 refuses a call turn whose first call has no thought signature
// (anthropic.md §7.3); with fill_missing_thought_signatures such calls get
// Google's documented skip value (one warning per request).
void FillMissingSignatures(std::vector<Turn>& turns, const std::string& model,
                           const openai::ConversionOptions& options, std::vector<std::string>* warnings);

// The Gemini content of a turn; user turns put the responses first, then
// tool-result media, their own parts and the reminders.
nlohmann::json FinishTurn(Turn& turn);

}  // namespace gempool::anthropic::internal
