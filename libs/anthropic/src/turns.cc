#include "turns.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/model_id.h"

namespace gempool::anthropic::internal {
namespace {

using nlohmann::json;
using openai::FieldError;
using openai::Path;
using openai::Preview;

// Google's documented value for function calls whose real signature is lost.
constexpr char kSkipThoughtSignature[] = "skip_thought_signature_validator";

void DropTrailingCalls(std::vector<Turn>& turns, std::vector<std::string>* warnings) {
  Turn& turn = turns.back();
  std::vector<std::string> ids;
  std::set<size_t> drop;
  for (const Call& call : turn.calls) {
    ids.push_back(call.id);
    drop.insert(call.part_index);
  }
  json kept = json::array();
  for (size_t p = 0; p < turn.parts.size(); ++p) {
    if (drop.count(p) == 0) kept.push_back(std::move(turn.parts[p]));
  }
  turn.parts = std::move(kept);
  turn.calls.clear();
  warnings->push_back(absl::StrCat("the last assistant message ends with tool_use blocks without results (",
                                   absl::StrJoin(ids, ", "),
                                   "); they were dropped, since Gemini cannot continue unanswered calls"));
  if (turn.parts.empty()) turns.pop_back();
}

absl::Status CheckAnswered(const Turn& turn, const Turn* next) {
  std::set<std::string> answered;
  if (next != nullptr) {
    for (const Response& response : next->responses) answered.insert(response.id);
  }
  for (const Call& call : turn.calls) {
    if (answered.count(call.id) == 0) {
      return FieldError(call.path, absl::StrCat("is a tool_use (id '", Preview(call.id),
                                                "') without a tool_result block in the next user message: each "
                                                "tool_use must be answered right after it"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckAndOrderResponses(Turn& turn, const Turn* previous) {
  std::map<std::string, size_t> order;
  if (previous != nullptr) {
    for (size_t k = 0; k < previous->calls.size(); ++k) order.emplace(previous->calls[k].id, k);
  }
  std::set<std::string> seen;
  for (const Response& response : turn.responses) {
    if (order.count(response.id) == 0) {
      return FieldError(Path(response.path, "tool_use_id"),
                        absl::StrCat("'", Preview(response.id),
                                     "' answers no tool_use of the assistant message right before it: a "
                                     "tool_result must follow its tool_use directly"));
    }
    if (!seen.insert(response.id).second) {
      return FieldError(Path(response.path, "tool_use_id"),
                        absl::StrCat("'", Preview(response.id), "' is answered twice: send one tool_result per "
                                                                "tool_use"));
    }
  }
  std::stable_sort(turn.responses.begin(), turn.responses.end(),
                   [&](const Response& a, const Response& b) { return order[a.id] < order[b.id]; });
  return absl::OkStatus();
}

}  // namespace

absl::Status PairCallsAndResults(std::vector<Turn>& turns, std::vector<std::string>* warnings) {
  if (!turns.empty() && turns.back().model && !turns.back().calls.empty()) DropTrailingCalls(turns, warnings);
  for (size_t t = 0; t < turns.size(); ++t) {
    Turn& turn = turns[t];
    if (turn.model && !turn.calls.empty()) {
      absl::Status status = CheckAnswered(turn, t + 1 < turns.size() ? &turns[t + 1] : nullptr);
      if (!status.ok()) return status;
    } else if (!turn.model && !turn.responses.empty()) {
      absl::Status status = CheckAndOrderResponses(turn, t > 0 && turns[t - 1].model ? &turns[t - 1] : nullptr);
      if (!status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

void FillMissingSignatures(std::vector<Turn>& turns, const std::string& model,
                           const openai::ConversionOptions& options, std::vector<std::string>* warnings) {
  if (!options.fill_missing_thought_signatures || !openai::IsGemini3Model(model)) return;
  bool warned = false;
  for (Turn& turn : turns) {
    if (!turn.model || turn.calls.empty()) continue;
    json& first = turn.parts[turn.calls.front().part_index];
    if (first.contains("thoughtSignature")) continue;
    first["thoughtSignature"] = kSkipThoughtSignature;
    if (!warned) {
      warnings->push_back(absl::StrCat(
          turn.calls.front().path,
          " has no gempool thinking block with its thought signature before it; Gemini 3 needs one, so the "
          "validator skip value was sent (send back the thinking blocks gempool returns to keep the model's "
          "reasoning)"));
      warned = true;
    }
  }
}

json FinishTurn(Turn& turn) {
  json parts = json::array();
  for (Response& response : turn.responses) parts.push_back(std::move(response.part));
  for (json& part : turn.result_media) parts.push_back(std::move(part));
  for (json& part : turn.parts) parts.push_back(std::move(part));
  for (json& part : turn.reminders) parts.push_back(std::move(part));
  json content(json::value_t::object);
  content["role"] = turn.model ? "model" : "user";
  content["parts"] = std::move(parts);
  return content;
}

}  // namespace gempool::anthropic::internal
