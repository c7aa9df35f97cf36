#pragma once
// The one place that decides which Responses output items a Gemini answer
// becomes. The non-stream converter and the stream converter feed candidate
// 0 of each Gemini response (one, or one per SSE event) through an
// OutputItems and apply the steps it emits to an `output` array (the stream
// converter also turns each step into stream events); sharing it is what
// makes the two answers equal item for item. Internal to gempool_responses.
//
// Rules (response_converter.h has the user-facing summary):
// - one item is open at a time; text-like parts extend an open message,
//   thought parts an open reasoning item, anything else closes it first;
// - a reasoning item is closed as soon as it gets a signature;
// - a call's signature goes on the open (unsigned) reasoning item if there
//   is one, else on a reasoning item of its own, tagged kNext;
// - a text part's signature waits until its message closes, then becomes a
//   reasoning item tagged kPrevious (a second signed part closes the
//   message first, so no signature is lost);
// - thought and signature-only parts' signatures are kOwn on their item;
// - thought text shows in the summary only when the client asked for one;
//   hidden thoughts without a signature make no item.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gempool/openai/response_parts.h"
#include "gempool/responses/reasoning_content.h"
#include "gempool/responses/response_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::responses::internal {

// One step of building the output array.
struct ItemStep {
  enum class Kind {
    kAdded,             // value: the empty item.
    kTextPartAdded,     // the message's output_text part (content_index 0).
    kTextDelta,         // value: text to append to the part.
    kAnnotation,        // value: a url_citation for the part.
    kSummaryPartAdded,  // the reasoning item's summary_text part (summary_index 0).
    kSummaryDelta,      // value: text to append to the summary part.
    kArguments,         // value: the function call's whole arguments text.
    kEncrypted,         // value: the reasoning item's encrypted_content.
    kDone,              // value: the item's final status (null: no status).
  };
  Kind kind = Kind::kAdded;
  int index = 0;
  nlohmann::json value;
};

// context.response_id, else "resp_<responseId>", else a digest of the model.
std::string ResponseId(const nlohmann::json& response, const ResponseContext& context);

// SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, LANGUAGE and
// IMAGE_* other than NO_IMAGE.
bool IsRefusalReason(absl::string_view gemini_reason);

// How the response ended: `status` "completed" or "incomplete", and the
// incomplete_details reason ("" when complete).
struct Outcome {
  const char* status = "completed";
  const char* incomplete_reason = "";
};
// `blocked`: the prompt was blocked (no candidates).
Outcome OutcomeFor(absl::string_view gemini_reason, bool has_calls, bool blocked);

// Applies `steps` to `output` the way a client accumulates the same steps
// sent as stream events, and clears them.
void ApplySteps(std::vector<ItemStep>& steps, nlohmann::json& output);

// `item` as the client sees it: without encrypted_content unless the
// context includes it.
nlohmann::json PresentItem(const nlohmann::json& item, const ResponseContext& context);

// The Response object: `status` "in_progress", "completed", "incomplete"
// or "failed"; `output` as the client sees it; `usage` null while in
// progress; `error` null unless failed.
nlohmann::json ResponseObject(const ResponseContext& context, const std::string& id, const Outcome& outcome,
                              const char* status, nlohmann::json output, nlohmann::json usage, nlohmann::json error);

class OutputItems {
 public:
  OutputItems(const ResponseContext& context, std::string response_id);

  // The parts of one candidate (and its grounding metadata, kept for Close).
  void AddCandidate(const nlohmann::json& candidate, std::vector<ItemStep>& out);
  // Text of gempool's own (an explanation), as a message shows it.
  void AddText(absl::string_view text, std::vector<ItemStep>& out);
  // Ends the output: explains a refusal that produced nothing (`candidate`
  // holds finishReason/finishMessage; may be null), appends the grounding
  // sources with their annotations, closes the open item with
  // `outcome.status`.
  void Close(const Outcome& outcome, const nlohmann::json* candidate, std::vector<ItemStep>& out);

  bool has_calls() const { return calls_ > 0; }

 private:
  enum class Open { kNone, kMessage, kReasoning };

  void AddPart(const nlohmann::json& part, std::vector<ItemStep>& out);
  void AddCall(const nlohmann::json& call, const std::string* signature, std::vector<ItemStep>& out);
  void AddThought(absl::string_view text, const std::string* signature, std::vector<ItemStep>& out);
  void StartItem(Open kind, std::vector<ItemStep>& out);
  // Closes the open item; a pending text signature follows as its own item.
  void CloseOpen(const char* status, std::vector<ItemStep>& out);
  void SignedReasoningItem(SignatureAnchor anchor, const std::string& signature, std::vector<ItemStep>& out);
  void AddLinks(std::vector<ItemStep>& out);
  std::string ItemId(const char* prefix, int index) const;
  static void Emit(ItemStep::Kind kind, int index, nlohmann::json value, std::vector<ItemStep>& out);

  const ResponseContext& context_;
  std::string response_id_;
  Open open_ = Open::kNone;
  int open_index_ = -1;
  int next_index_ = 0;
  int calls_ = 0;
  // Whether the open reasoning item has its summary part.
  bool summary_started_ = false;
  // Characters (code points) of the open message's text, for annotation
  // offsets.
  size_t message_chars_ = 0;
  // Whether a message or call was written (a refusal without one gets an
  // explanation).
  bool wrote_answer_ = false;
  std::string pending_text_signature_;
  openai::GroundingLinks links_;
};

}  // namespace gempool::responses::internal
