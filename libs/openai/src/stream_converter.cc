#include "gempool/common/status_macros.h"
#include "gempool/openai/stream_converter.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/openai/json_fields.h"
#include "response_parts.h"

namespace gempool::openai {

using nlohmann::json;

ChatStreamConverter::ChatStreamConverter(ResponseContext context, bool include_usage)
    : context_(std::move(context)), include_usage_(include_usage) {}

bool ChatStreamConverter::upstream_finished() const {
  if (choices_.empty() || closed_by_finish_) return false;
  for (const auto& [index, state] : choices_) {
    if (!state.finished) return false;
  }
  return true;
}

json ChatStreamConverter::Chunk(json choices) const {
  json chunk = json{{"id", id_},
                    {"object", "chat.completion.chunk"},
                    {"created", context_.created},
                    {"model", context_.model},
                    {"choices", std::move(choices)}};
  if (include_usage_) chunk["usage"] = nullptr;
  return chunk;
}

json ChatStreamConverter::ChoiceChunk(int index, json delta, const char* finish_reason) const {
  json choice = json{{"index", index},
                     {"delta", std::move(delta)},
                     {"logprobs", nullptr},
                     {"finish_reason", finish_reason == nullptr ? json(nullptr) : json(finish_reason)}};
  return Chunk(json::array({std::move(choice)}));
}

ChatStreamConverter::ChoiceState& ChatStreamConverter::Open(int index, std::vector<json>& out) {
  auto [it, inserted] = choices_.try_emplace(index);
  if (inserted) out.push_back(ChoiceChunk(index, json{{"role", "assistant"}, {"content", ""}}));
  return it->second;
}

void ChatStreamConverter::Close(int index, ChoiceState& state, const char* finish_reason,
                                const std::string& refusal, std::vector<json>& out) {
  if (context_.show_search_link && !state.grounding.empty()) {
    GroundingLinks links;
    for (const json& metadata : state.grounding) links.Add(metadata);
    std::string markdown = links.Markdown(context_.link_language);
    if (!markdown.empty()) out.push_back(ChoiceChunk(index, json{{"content", markdown}}));
  }
  if (!refusal.empty()) out.push_back(ChoiceChunk(index, json{{"refusal", refusal}}));
  out.push_back(ChoiceChunk(index, json::object(), finish_reason));
  state.finished = true;
}

void ChatStreamConverter::ConvertCandidate(const json& candidate, std::vector<json>& out) {
  int index = 0;
  if (const json* found = Find(candidate, "index"); found != nullptr && found->is_number_integer()) {
    index = found->get<int>();
  }
  ChoiceState& state = Open(index, out);
  if (state.finished) return;  // Nothing may follow a finish chunk.
  const size_t first_chunk = out.size();

  // Consecutive parts of one kind share a delta; kinds keep their order.
  enum class Kind { kNone, kContent, kReasoning, kTools };
  Kind kind = Kind::kNone;
  json delta = json::object();
  auto flush = [&]() {
    if (kind != Kind::kNone) out.push_back(ChoiceChunk(index, std::move(delta)));
    delta = json::object();
    kind = Kind::kNone;
  };
  auto switch_to = [&](Kind next) {
    if (kind != next) flush();
    kind = next;
  };

  const json* parts = nullptr;
  if (const json* content = Find(candidate, "content"); content != nullptr) parts = Find(*content, "parts");
  if (parts != nullptr && parts->is_array()) {
    for (const json& part : *parts) {
      if (!part.is_object()) continue;
      if (RunnableCall(part) != nullptr) {
        switch_to(Kind::kTools);
        if (!delta.contains("tool_calls")) delta["tool_calls"] = json::array();
        delta["tool_calls"].push_back(internal::ToolCall(part, id_, index, state.tool_calls++));
        continue;
      }
      const json* text = Find(part, "text");
      const json* signature = Find(part, "thoughtSignature");
      if (text != nullptr && text->is_string()) {
        if (text->get<std::string>().empty() && signature == nullptr) continue;
        const bool thought = BoolOr(part, "thought", false);
        const char* key = thought ? "reasoning_content" : "content";
        switch_to(thought ? Kind::kReasoning : Kind::kContent);
        delta[key] = delta.value(key, std::string()) + text->get<std::string>();
        if (!thought && !text->get<std::string>().empty()) state.wrote_content = true;
      } else {
        std::string rendered = RenderOtherPart(part);
        if (rendered.empty()) continue;
        switch_to(Kind::kContent);
        delta["content"] = delta.value("content", std::string()) + rendered;
        state.wrote_content = true;
      }
      if (signature != nullptr && signature->is_string()) {
        delta["extra_content"] = json{{"google", {{"thought_signature", *signature}}}};
      }
    }
  }
  flush();

  json logprobs = internal::ConvertLogprobs(candidate);
  if (!logprobs.is_null() && out.size() > first_chunk) out.back()["choices"][0]["logprobs"] = std::move(logprobs);
  if (const json* grounding = Find(candidate, "groundingMetadata"); grounding != nullptr) {
    state.grounding.push_back(*grounding);
  }
  const json* reason = Find(candidate, "finishReason");
  if (reason != nullptr && reason->is_string() && !reason->get<std::string>().empty()) {
    const char* finish = OpenAIFinishReason(reason->get<std::string>(), state.tool_calls > 0);
    std::string refusal;
    if (std::string(finish) == "content_filter" && !state.wrote_content && state.tool_calls == 0) {
      refusal = StoppedExplanation(candidate);
    }
    Close(index, state, finish, refusal, out);
  }
}

absl::StatusOr<std::vector<json>> ChatStreamConverter::OnEvent(const json& event) {
  if (finished_) return absl::FailedPreconditionError("the stream was already finished");
  GEMPOOL_RETURN_IF_ERROR(CheckGenerateContentResponse(event, "a Gemini stream event"));
  if (id_.empty()) id_ = internal::CompletionId(event, context_);

  std::vector<json> out;
  if (const json* usage = Find(event, "usageMetadata"); usage != nullptr && usage->is_object()) last_usage_ = *usage;
  const json* candidates = Find(event, "candidates");
  if (candidates != nullptr && candidates->is_array() && !candidates->empty()) {
    for (const json& candidate : *candidates) {
      if (candidate.is_object()) ConvertCandidate(candidate, out);
    }
  } else if (const json* feedback = Find(event, "promptFeedback");
             feedback != nullptr && Find(*feedback, "blockReason") != nullptr) {
    ChoiceState& state = Open(0, out);
    if (!state.finished) Close(0, state, "content_filter", PromptBlockedExplanation(*feedback), out);
  }
  return out;
}

std::vector<json> ChatStreamConverter::Finish() {
  std::vector<json> out;
  if (finished_) return out;
  if (id_.empty()) id_ = internal::CompletionId(json::object(), context_);
  if (choices_.empty()) Open(0, out);
  for (auto& [index, state] : choices_) {
    if (state.finished) continue;
    closed_by_finish_ = true;
    Close(index, state, state.tool_calls > 0 ? "tool_calls" : "stop", "", out);
  }
  if (include_usage_) {
    json chunk = Chunk(json::array());
    chunk["usage"] = ConvertUsage(last_usage_);
    out.push_back(std::move(chunk));
  }
  finished_ = true;
  return out;
}

}  // namespace gempool::openai
