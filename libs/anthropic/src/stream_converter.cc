#include "gempool/anthropic/stream_converter.h"
#include "gempool/common/status_macros.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "content_blocks.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/json_writer.h"
#include "gempool/openai/response_parts.h"

namespace gempool::anthropic {
namespace {

using internal::BlockStep;
using nlohmann::json;
using openai::Find;

StreamEvent Event(const char* name, json data) {
  data["type"] = name;
  return StreamEvent{name, std::move(data)};
}

json Delta(const char* type, const char* key, json value) {
  json delta(json::value_t::object);
  delta.emplace("type", type);
  delta.emplace(key, std::move(value));
  return delta;
}

StreamEvent StepEvent(BlockStep& step) {
  json data(json::value_t::object);
  data.emplace("index", step.index);
  switch (step.kind) {
    case BlockStep::Kind::kStart:
      data.emplace("content_block", std::move(step.value));
      return Event("content_block_start", std::move(data));
    case BlockStep::Kind::kTextDelta:
      data.emplace("delta", Delta("text_delta", "text", std::move(step.value)));
      break;
    case BlockStep::Kind::kThinkingDelta:
      data.emplace("delta", Delta("thinking_delta", "thinking", std::move(step.value)));
      break;
    case BlockStep::Kind::kSignature:
      data.emplace("delta", Delta("signature_delta", "signature", std::move(step.value)));
      break;
    case BlockStep::Kind::kInput:
      // Gemini's calls arrive whole, so the input goes out as one fragment.
      data.emplace("delta", Delta("input_json_delta", "partial_json", openai::WriteJson(step.value)));
      break;
    case BlockStep::Kind::kStop:
      return Event("content_block_stop", std::move(data));
  }
  return Event("content_block_delta", std::move(data));
}

bool HasPromptCount(const json& usage_metadata) { return Find(usage_metadata, "promptTokenCount") != nullptr; }

}  // namespace

struct MessagesStreamConverter::Impl {
  explicit Impl(ResponseContext context_in) : context(std::move(context_in)) {}

  void Append(std::vector<BlockStep>& steps, std::vector<StreamEvent>& out) {
    for (BlockStep& step : steps) out.push_back(StepEvent(step));
    steps.clear();
  }

  ResponseContext context;
  // Built at message_start, when the message id is known.
  std::optional<internal::ContentBlocks> blocks;
  std::vector<BlockStep> steps;
  // The last usageMetadata (Gemini's counts are running totals).
  json last_usage = json::object();
  // What message_start reported, repeated at the end when Gemini never
  // reported a prompt count (the SDKs overwrite input_tokens with what
  // message_delta says).
  int64_t start_input_tokens = 0;
  int64_t start_cache_read_tokens = 0;
};

std::string FrameEvent(const StreamEvent& event) {
  return absl::StrCat("event: ", event.name, "\ndata: ", openai::WriteJson(event.data), "\n\n");
}

std::string PingFrame() { return "event: ping\ndata: {\"type\":\"ping\"}\n\n"; }

MessagesStreamConverter::MessagesStreamConverter(ResponseContext context)
    : impl_(std::make_unique<Impl>(std::move(context))) {}
MessagesStreamConverter::~MessagesStreamConverter() = default;
MessagesStreamConverter::MessagesStreamConverter(MessagesStreamConverter&&) noexcept = default;
MessagesStreamConverter& MessagesStreamConverter::operator=(MessagesStreamConverter&&) noexcept = default;

absl::StatusOr<std::vector<StreamEvent>> MessagesStreamConverter::OnEvent(const json& event) {
  if (stopped_) {
    return absl::FailedPreconditionError(
        "a Gemini stream event arrived after the Anthropic message was stopped (message_stop already sent)");
  }
  GEMPOOL_RETURN_IF_ERROR(openai::CheckGenerateContentResponse(event, "a Gemini stream event"));

  std::vector<StreamEvent> out;
  if (const json* usage = Find(event, "usageMetadata"); usage != nullptr && usage->is_object()) {
    impl_->last_usage = *usage;
  }
  if (!started_) Start(event, out);
  internal::ContentBlocks& blocks = *impl_->blocks;
  if (const json* candidate = openai::FirstCandidate(event); candidate != nullptr) {
    blocks.AddCandidate(*candidate, impl_->steps);
    impl_->Append(impl_->steps, out);
    const json* reason = Find(*candidate, "finishReason");
    if (reason != nullptr && reason->is_string() && !reason->empty()) {
      Stop(AnthropicStopReason(reason->get_ref<const std::string&>(), blocks.has_tool_use()), candidate, out);
    }
  } else if (const json* candidates = Find(event, "candidates");
             candidates == nullptr || !candidates->is_array() || candidates->empty()) {
    if (const json* feedback = Find(event, "promptFeedback");
        feedback != nullptr && Find(*feedback, "blockReason") != nullptr) {
      blocks.AddText(openai::PromptBlockedExplanation(*feedback), impl_->steps);
      Stop("refusal", nullptr, out);
    }
  }
  return out;
}

std::vector<StreamEvent> MessagesStreamConverter::Finish() {
  std::vector<StreamEvent> out;
  if (stopped_) return out;
  if (!started_) Start(json::object(), out);
  Stop(AnthropicStopReason("", impl_->blocks->has_tool_use()), nullptr, out);
  return out;
}

void MessagesStreamConverter::Start(const json& event, std::vector<StreamEvent>& out) {
  id_ = internal::MessageId(event, impl_->context);
  impl_->blocks.emplace(impl_->context, id_);
  if (HasPromptCount(impl_->last_usage)) {
    json usage = ConvertUsage(impl_->last_usage);
    impl_->start_input_tokens = usage["input_tokens"].get<int64_t>();
    impl_->start_cache_read_tokens = usage["cache_read_input_tokens"].get<int64_t>();
  } else {
    impl_->start_input_tokens = std::max<int64_t>(0, impl_->context.estimated_input_tokens);
  }
  json usage(json::value_t::object);
  usage.emplace("input_tokens", impl_->start_input_tokens);
  usage.emplace("output_tokens", 0);
  usage.emplace("cache_creation_input_tokens", 0);
  usage.emplace("cache_read_input_tokens", impl_->start_cache_read_tokens);
  json message(json::value_t::object);
  message.emplace("id", id_);
  message.emplace("type", "message");
  message.emplace("role", "assistant");
  message.emplace("model", impl_->context.model);
  message.emplace("content", json::array());
  message.emplace("stop_reason", nullptr);
  message.emplace("stop_sequence", nullptr);
  message.emplace("usage", std::move(usage));
  json data(json::value_t::object);
  data.emplace("message", std::move(message));
  out.push_back(Event("message_start", std::move(data)));
  started_ = true;
}

void MessagesStreamConverter::Stop(const char* stop_reason, const json* candidate, std::vector<StreamEvent>& out) {
  impl_->blocks->Close(stop_reason, candidate, impl_->steps);
  impl_->Append(impl_->steps, out);
  json usage = ConvertUsage(impl_->last_usage);
  if (!HasPromptCount(impl_->last_usage)) {
    usage["input_tokens"] = impl_->start_input_tokens;
    usage["cache_read_input_tokens"] = impl_->start_cache_read_tokens;
  }
  json delta(json::value_t::object);
  delta.emplace("stop_reason", stop_reason);
  delta.emplace("stop_sequence", nullptr);
  json data(json::value_t::object);
  data.emplace("delta", std::move(delta));
  data.emplace("usage", std::move(usage));
  out.push_back(Event("message_delta", std::move(data)));
  out.push_back(Event("message_stop", json::object()));
  stopped_ = true;
}

}  // namespace gempool::anthropic
