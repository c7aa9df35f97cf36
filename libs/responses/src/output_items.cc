#include "output_items.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gempool/openai/json_fields.h"
#include "function_names.h"
#include "gempool/openai/json_writer.h"

namespace gempool::responses::internal {
namespace {

using nlohmann::json;
using openai::Find;

// OpenAI's annotation offsets count characters; UTF-8 continuation bytes
// are not characters.
size_t CodePoints(absl::string_view text) {
  size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

// The url_citation annotations of the links in GroundingLinks::Markdown's
// text ("N. [title](uri)" lines), offset by `base` characters.
std::vector<json> LinkAnnotations(absl::string_view markdown, size_t base) {
  std::vector<json> out;
  size_t line_start = 0;
  for (absl::string_view line : absl::StrSplit(markdown, '\n')) {
    const size_t start = line.find(". [");
    const size_t here = line_start;
    line_start += line.size() + 1;
    if (start == absl::string_view::npos || line.empty() || line.back() != ')') continue;
    const size_t open = start + 2;
    // The first "](" that is not an escaped bracket of the title.
    size_t close = line.find("](", open);
    while (close != absl::string_view::npos && close > 0 && line[close - 1] == '\\') close = line.find("](", close + 1);
    if (close == absl::string_view::npos) continue;
    absl::string_view title = line.substr(open + 1, close - open - 1);
    absl::string_view url = line.substr(close + 2, line.size() - close - 3);
    json annotation(json::value_t::object);
    annotation["type"] = "url_citation";
    annotation["start_index"] = base + CodePoints(markdown.substr(0, here + open));
    annotation["end_index"] = base + CodePoints(markdown.substr(0, here + line.size()));
    annotation["title"] = absl::StrReplaceAll(title, {{"\\[", "["}, {"\\]", "]"}});
    annotation["url"] = std::string(url);
    out.push_back(std::move(annotation));
  }
  return out;
}

}  // namespace

std::string ResponseId(const json& response, const ResponseContext& context) {
  if (!context.response_id.empty()) return context.response_id;
  if (const json* id = Find(response, "responseId"); id != nullptr && id->is_string() && !id->empty()) {
    return absl::StrCat("resp_", id->get_ref<const std::string&>());
  }
  return absl::StrCat("resp_", openai::StableHexDigest(absl::StrCat(context.model, context.created_at), 32));
}

bool IsRefusalReason(absl::string_view reason) {
  static constexpr absl::string_view kRefusals[] = {"SAFETY", "RECITATION", "BLOCKLIST",
                                                    "PROHIBITED_CONTENT", "SPII", "LANGUAGE"};
  for (absl::string_view refusal : kRefusals) {
    if (reason == refusal) return true;
  }
  return absl::StartsWith(reason, "IMAGE_");
}

Outcome OutcomeFor(absl::string_view gemini_reason, bool has_calls, bool blocked) {
  if (blocked || IsRefusalReason(gemini_reason)) return Outcome{"incomplete", "content_filter"};
  // Gemini's calls arrive whole, so a call is runnable even when the answer
  // then hit MAX_TOKENS; the client must run it.
  if (has_calls) return Outcome{};
  if (gemini_reason == "MAX_TOKENS") return Outcome{"incomplete", "max_output_tokens"};
  return Outcome{};
}

void ApplySteps(std::vector<ItemStep>& steps, json& output) {
  for (ItemStep& step : steps) {
    if (step.kind == ItemStep::Kind::kAdded) {
      output.push_back(std::move(step.value));
      continue;
    }
    json& item = output[static_cast<size_t>(step.index)];
    switch (step.kind) {
      case ItemStep::Kind::kAdded:
        break;
      case ItemStep::Kind::kTextPartAdded:
        item["content"].push_back(json{{"type", "output_text"}, {"text", ""}, {"annotations", json::array()}});
        break;
      case ItemStep::Kind::kTextDelta:
        item["content"][0]["text"].get_ref<std::string&>() += step.value.get_ref<const std::string&>();
        break;
      case ItemStep::Kind::kAnnotation:
        item["content"][0]["annotations"].push_back(std::move(step.value));
        break;
      case ItemStep::Kind::kSummaryPartAdded:
        item["summary"].push_back(json{{"type", "summary_text"}, {"text", ""}});
        break;
      case ItemStep::Kind::kSummaryDelta:
        item["summary"][0]["text"].get_ref<std::string&>() += step.value.get_ref<const std::string&>();
        break;
      case ItemStep::Kind::kArguments:
        item["arguments"] = std::move(step.value);
        break;
      case ItemStep::Kind::kEncrypted:
        item["encrypted_content"] = std::move(step.value);
        break;
      case ItemStep::Kind::kDone:
        if (step.value.is_string()) item["status"] = std::move(step.value);
        break;
    }
  }
  steps.clear();
}

json PresentItem(const json& item, const ResponseContext& context) {
  if (context.include_encrypted_reasoning || !item.contains("encrypted_content")) return item;
  json copy = item;
  copy.erase("encrypted_content");
  return copy;
}

json ResponseObject(const ResponseContext& context, const std::string& id, const Outcome& outcome, const char* status,
                    json output, json usage, json error) {
  json response = context.echo.is_object() ? context.echo : json::object();
  response["id"] = id;
  response["object"] = "response";
  response["created_at"] = context.created_at;
  response["status"] = status;
  const bool finished = absl::string_view(status) == "completed";
  response["completed_at"] = finished ? json(context.created_at) : json(nullptr);
  response["error"] = std::move(error);
  response["incomplete_details"] =
      absl::string_view(status) == "incomplete" ? json{{"reason", outcome.incomplete_reason}} : json(nullptr);
  response["instructions"] = context.instructions.empty() ? json(nullptr) : json(context.instructions);
  response["model"] = context.model;
  response["output"] = std::move(output);
  response["previous_response_id"] =
      context.previous_response_id.empty() ? json(nullptr) : json(context.previous_response_id);
  response["store"] = context.store;
  response["usage"] = std::move(usage);
  return response;
}

OutputItems::OutputItems(const ResponseContext& context, std::string response_id)
    : context_(context), response_id_(std::move(response_id)) {}

void OutputItems::AddCandidate(const json& candidate, std::vector<ItemStep>& out) {
  openai::ForEachCandidatePart(candidate, [&](const json& part) { AddPart(part, out); });
  if (const json* grounding = Find(candidate, "groundingMetadata"); grounding != nullptr) links_.Add(*grounding);
}

void OutputItems::AddPart(const json& part, std::vector<ItemStep>& out) {
  openai::GeminiPart view = openai::ReadGeminiPart(part);
  const std::string* signature = view.signature;
  if (view.kind == openai::GeminiPart::Kind::kCall) {
    AddCall(*view.call, signature, out);
    return;
  }
  std::string body = std::move(view.text);
  if (view.kind == openai::GeminiPart::Kind::kThought) {
    AddThought(body, signature, out);
    return;
  }
  if (body.empty()) {
    if (signature != nullptr) {
      CloseOpen("completed", out);
      SignedReasoningItem(SignatureAnchor::kOwn, *signature, out);
    }
    return;
  }
  if (open_ == Open::kMessage && signature != nullptr && !pending_text_signature_.empty()) {
    CloseOpen("completed", out);  // Two signed parts: each keeps its own signature.
  }
  AddText(body, out);
  if (signature != nullptr) pending_text_signature_ = *signature;
}

void OutputItems::AddText(absl::string_view text, std::vector<ItemStep>& out) {
  if (text.empty()) return;
  if (open_ != Open::kMessage) {
    CloseOpen("completed", out);
    StartItem(Open::kMessage, out);
  }
  Emit(ItemStep::Kind::kTextDelta, open_index_, std::string(text), out);
  message_chars_ += CodePoints(text);
  wrote_answer_ = true;
}

void OutputItems::AddCall(const json& call, const std::string* signature, std::vector<ItemStep>& out) {
  if (signature != nullptr && open_ == Open::kReasoning) {
    Emit(ItemStep::Kind::kEncrypted, open_index_, EncodeReasoningContent(SignatureAnchor::kNext, *signature), out);
    CloseOpen("completed", out);
  } else {
    CloseOpen("completed", out);
    if (signature != nullptr) SignedReasoningItem(SignatureAnchor::kNext, *signature, out);
  }
  const int index = next_index_++;
  std::string call_id;
  if (const json* id = Find(call, "id"); id != nullptr && id->is_string() && !id->empty()) {
    call_id = id->get<std::string>();
  } else {
    call_id = absl::StrCat("call_", openai::StableHexDigest(absl::StrCat(response_id_, ":call:", calls_), 24));
  }
  ++calls_;
  json item(json::value_t::object);
  item["id"] = ItemId("fc_", index);
  item["type"] = "function_call";
  item["status"] = "in_progress";
  item["call_id"] = std::move(call_id);
  auto [space, name] = SplitFunctionName(openai::StringOr(call, "name", ""));
  item["name"] = std::move(name);
  if (!space.empty()) item["namespace"] = std::move(space);
  item["arguments"] = "";
  json args = json::object();
  if (const json* found = Find(call, "args"); found != nullptr && found->is_object()) args = *found;
  Emit(ItemStep::Kind::kAdded, index, std::move(item), out);
  Emit(ItemStep::Kind::kArguments, index, openai::WriteJson(args), out);
  Emit(ItemStep::Kind::kDone, index, "completed", out);
  wrote_answer_ = true;
}

void OutputItems::AddThought(absl::string_view text, const std::string* signature, std::vector<ItemStep>& out) {
  const bool show = context_.reasoning_summary && !text.empty();
  if (!show && signature == nullptr) return;
  if (open_ != Open::kReasoning) {
    CloseOpen("completed", out);
    StartItem(Open::kReasoning, out);
  }
  if (show) {
    if (!summary_started_) {
      Emit(ItemStep::Kind::kSummaryPartAdded, open_index_, nullptr, out);
      summary_started_ = true;
    }
    Emit(ItemStep::Kind::kSummaryDelta, open_index_, std::string(text), out);
  }
  if (signature != nullptr) {
    Emit(ItemStep::Kind::kEncrypted, open_index_, EncodeReasoningContent(SignatureAnchor::kOwn, *signature), out);
    CloseOpen("completed", out);
  }
}

void OutputItems::Close(const Outcome& outcome, const json* candidate, std::vector<ItemStep>& out) {
  if (absl::string_view(outcome.incomplete_reason) == "content_filter" && !wrote_answer_ && candidate != nullptr) {
    AddText(openai::StoppedExplanation(*candidate), out);
  }
  if (context_.show_search_link && !links_.empty()) AddLinks(out);
  CloseOpen(outcome.status, out);
}

void OutputItems::AddLinks(std::vector<ItemStep>& out) {
  const std::string markdown = links_.Markdown(context_.link_language);
  if (open_ != Open::kMessage) {
    CloseOpen("completed", out);
    StartItem(Open::kMessage, out);
  }
  const size_t base = message_chars_;
  AddText(markdown, out);
  for (json& annotation : LinkAnnotations(markdown, base)) {
    Emit(ItemStep::Kind::kAnnotation, open_index_, std::move(annotation), out);
  }
}

void OutputItems::StartItem(Open kind, std::vector<ItemStep>& out) {
  open_ = kind;
  open_index_ = next_index_++;
  json item(json::value_t::object);
  if (kind == Open::kMessage) {
    item["id"] = ItemId("msg_", open_index_);
    item["type"] = "message";
    item["status"] = "in_progress";
    item["role"] = "assistant";
    item["content"] = json::array();
    Emit(ItemStep::Kind::kAdded, open_index_, std::move(item), out);
    Emit(ItemStep::Kind::kTextPartAdded, open_index_, nullptr, out);
    message_chars_ = 0;
  } else {
    item["id"] = ItemId("rs_", open_index_);
    item["type"] = "reasoning";
    item["summary"] = json::array();
    Emit(ItemStep::Kind::kAdded, open_index_, std::move(item), out);
    summary_started_ = false;
  }
}

void OutputItems::CloseOpen(const char* status, std::vector<ItemStep>& out) {
  if (open_ == Open::kNone) return;
  const bool was_message = open_ == Open::kMessage;
  Emit(ItemStep::Kind::kDone, open_index_, was_message ? json(status) : json(nullptr), out);
  open_ = Open::kNone;
  open_index_ = -1;
  if (was_message && !pending_text_signature_.empty()) {
    std::string signature = std::move(pending_text_signature_);
    pending_text_signature_.clear();
    SignedReasoningItem(SignatureAnchor::kPrevious, signature, out);
  }
}

void OutputItems::SignedReasoningItem(SignatureAnchor anchor, const std::string& signature,
                                      std::vector<ItemStep>& out) {
  StartItem(Open::kReasoning, out);
  Emit(ItemStep::Kind::kEncrypted, open_index_, EncodeReasoningContent(anchor, signature), out);
  CloseOpen("completed", out);
}

std::string OutputItems::ItemId(const char* prefix, int index) const {
  return absl::StrCat(prefix, openai::StableHexDigest(absl::StrCat(response_id_, ":", index), 32));
}

void OutputItems::Emit(ItemStep::Kind kind, int index, json value, std::vector<ItemStep>& out) {
  ItemStep step;
  step.kind = kind;
  step.index = index;
  step.value = std::move(value);
  out.push_back(std::move(step));
}

}  // namespace gempool::responses::internal
