#include "content_blocks.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/openai/json_fields.h"

namespace gempool::anthropic::internal {
namespace {

using nlohmann::json;
using openai::Find;

bool IsAnthropicId(absl::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

json EmptyBlock(absl::string_view type) {
  json block(json::value_t::object);
  block.emplace("type", type);
  if (type == "text") block.emplace("text", "");
  if (type == "thinking") {
    block.emplace("thinking", "");
    block.emplace("signature", "");
  }
  return block;
}

}  // namespace

std::string MessageId(const json& response, const ResponseContext& context) {
  if (const json* id = Find(response, "responseId"); id != nullptr && id->is_string() && !id->empty()) {
    return absl::StrCat("msg_", id->get_ref<const std::string&>());
  }
  if (!context.fallback_id.empty()) return context.fallback_id;
  return absl::StrCat("msg_", openai::StableHexDigest(context.model, 24));
}

std::string ToolUseId(const json& function_call, absl::string_view message_id, int call_index) {
  if (const json* id = Find(function_call, "id"); id != nullptr && id->is_string()) {
    const std::string& gemini_id = id->get_ref<const std::string&>();
    if (IsAnthropicId(gemini_id) && !absl::StartsWith(gemini_id, "toolu_")) return gemini_id;
  }
  return absl::StrCat("toolu_", openai::StableHexDigest(absl::StrCat(message_id, ":", call_index), 24));
}

ContentBlocks::ContentBlocks(const ResponseContext& context, std::string message_id)
    : context_(context), message_id_(std::move(message_id)) {}

void ContentBlocks::AddCandidate(const json& candidate, std::vector<BlockStep>& out) {
  openai::ForEachCandidatePart(candidate, [&](const json& part) { AddPart(part, out); });
  if (const json* grounding = Find(candidate, "groundingMetadata"); grounding != nullptr) links_.Add(*grounding);
}

void ContentBlocks::AddPart(const json& part, std::vector<BlockStep>& out) {
  openai::GeminiPart view = openai::ReadGeminiPart(part);
  const std::string* signature = view.signature;
  if (view.kind == openai::GeminiPart::Kind::kCall) {
    AddCall(*view.call, signature, out);
    return;
  }
  std::string body = std::move(view.text);
  if (view.kind == openai::GeminiPart::Kind::kThought) {
    // Gemini may send thought summaries the client did not ask for; they
    // (and their signatures) are dropped then.
    if (context_.thinking) AddThought(body, signature, out);
    return;
  }
  if (body.empty()) {
    if (signature != nullptr && context_.thinking) AddSignatureOnly(*signature, out);
    return;
  }
  if (open_ == Open::kText && signature != nullptr && context_.thinking && !pending_text_signature_.empty()) {
    CloseOpen(out);  // Two signed parts: each keeps its own signature.
  }
  if (open_ != Open::kText) {
    CloseOpen(out);
    StartBlock(Open::kText, EmptyBlock("text"), out);
  }
  Emit(BlockStep::Kind::kTextDelta, open_index_, std::move(body), out);
  wrote_answer_ = true;
  if (signature != nullptr && context_.thinking) pending_text_signature_ = *signature;
}

void ContentBlocks::AddCall(const json& call, const std::string* signature, std::vector<BlockStep>& out) {
  if (signature != nullptr) {
    // Always sent (even without thinking): Gemini 3 refuses a replayed call
    // that lost its signature.
    if (open_ == Open::kThinking) {
      Emit(BlockStep::Kind::kSignature, open_index_, TagSignature(SignatureAnchor::kNext, *signature), out);
      CloseOpen(out);
    } else {
      CloseOpen(out);
      SignedThinkingBlock(SignatureAnchor::kNext, *signature, out);
    }
  } else {
    CloseOpen(out);
  }
  json block(json::value_t::object);
  block.emplace("type", "tool_use");
  block.emplace("id", ToolUseId(call, message_id_, calls_++));
  block.emplace("name", openai::StringOr(call, "name", ""));
  block.emplace("input", json::object());
  json input = json::object();
  if (const json* args = Find(call, "args"); args != nullptr && args->is_object()) input = *args;
  const int index = next_index_++;
  Emit(BlockStep::Kind::kStart, index, std::move(block), out);
  Emit(BlockStep::Kind::kInput, index, std::move(input), out);
  Emit(BlockStep::Kind::kStop, index, nullptr, out);
  wrote_answer_ = true;
}

void ContentBlocks::AddThought(absl::string_view text, const std::string* signature, std::vector<BlockStep>& out) {
  if (text.empty() && signature == nullptr) return;
  if (open_ != Open::kThinking) {
    CloseOpen(out);
    StartBlock(Open::kThinking, EmptyBlock("thinking"), out);
  }
  // Hidden thought text leaves the block empty, as Anthropic's
  // display:"omitted" does.
  if (context_.show_thinking && !text.empty()) {
    Emit(BlockStep::Kind::kThinkingDelta, open_index_, std::string(text), out);
  }
  if (signature != nullptr) {
    Emit(BlockStep::Kind::kSignature, open_index_, TagSignature(SignatureAnchor::kOwn, *signature), out);
    CloseOpen(out);
  }
}

void ContentBlocks::AddSignatureOnly(const std::string& signature, std::vector<BlockStep>& out) {
  CloseOpen(out);
  SignedThinkingBlock(SignatureAnchor::kOwn, signature, out);
}

void ContentBlocks::AddText(absl::string_view text, std::vector<BlockStep>& out) {
  if (text.empty()) return;
  if (open_ != Open::kText) {
    CloseOpen(out);
    StartBlock(Open::kText, EmptyBlock("text"), out);
  }
  Emit(BlockStep::Kind::kTextDelta, open_index_, std::string(text), out);
  wrote_answer_ = true;
}

void ContentBlocks::Close(absl::string_view stop_reason, const json* candidate, std::vector<BlockStep>& out) {
  if (stop_reason == "refusal" && !wrote_answer_ && candidate != nullptr) {
    AddText(openai::StoppedExplanation(*candidate), out);
  }
  if (context_.show_search_link && !links_.empty()) AddText(links_.Markdown(context_.link_language), out);
  CloseOpen(out);
}

void ContentBlocks::StartBlock(Open kind, json block, std::vector<BlockStep>& out) {
  open_ = kind;
  open_index_ = next_index_++;
  Emit(BlockStep::Kind::kStart, open_index_, std::move(block), out);
}

void ContentBlocks::CloseOpen(std::vector<BlockStep>& out) {
  if (open_ == Open::kNone) return;
  Emit(BlockStep::Kind::kStop, open_index_, nullptr, out);
  const bool was_text = open_ == Open::kText;
  open_ = Open::kNone;
  open_index_ = -1;
  if (was_text && !pending_text_signature_.empty()) {
    std::string signature = std::move(pending_text_signature_);
    pending_text_signature_.clear();
    SignedThinkingBlock(SignatureAnchor::kPrevious, signature, out);
  }
}

void ContentBlocks::SignedThinkingBlock(SignatureAnchor anchor, const std::string& signature,
                                        std::vector<BlockStep>& out) {
  const int index = next_index_++;
  Emit(BlockStep::Kind::kStart, index, EmptyBlock("thinking"), out);
  Emit(BlockStep::Kind::kSignature, index, TagSignature(anchor, signature), out);
  Emit(BlockStep::Kind::kStop, index, nullptr, out);
}

void ContentBlocks::Emit(BlockStep::Kind kind, int index, json value, std::vector<BlockStep>& out) {
  BlockStep step;
  step.kind = kind;
  step.index = index;
  step.value = std::move(value);
  out.push_back(std::move(step));
}

}  // namespace gempool::anthropic::internal
