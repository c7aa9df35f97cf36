#include "gempool/common/status_macros.h"
#include "gempool/responses/stream_converter.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/json_writer.h"
#include "gempool/openai/response_parts.h"
#include "gempool/responses/errors.h"
#include "output_items.h"

namespace gempool::responses {
namespace {

using internal::ItemStep;
using nlohmann::json;
using openai::Find;

}  // namespace

struct ResponsesStreamConverter::Impl {
  explicit Impl(ResponseContext context_in) : context(std::move(context_in)) {}

  void Emit(const char* type, json data, std::vector<StreamEvent>& out) {
    data["type"] = type;
    data["sequence_number"] = sequence++;
    out.push_back(StreamEvent{type, std::move(data)});
  }

  // Event fields naming an item: item_id and output_index.
  json ItemFields(int index) const {
    json data(json::value_t::object);
    data["item_id"] = output[static_cast<size_t>(index)]["id"];
    data["output_index"] = index;
    return data;
  }

  // Applies the steps to `output` and sends the events they make.
  void Append(std::vector<ItemStep>& steps, std::vector<StreamEvent>& out) {
    for (ItemStep& step : steps) {
      std::vector<ItemStep> one;
      const ItemStep::Kind kind = step.kind;
      const int index = step.index;
      json value = step.value;
      one.push_back(std::move(step));
      internal::ApplySteps(one, output);
      const json& item = output[static_cast<size_t>(index)];
      json data = ItemFields(index);
      switch (kind) {
        case ItemStep::Kind::kAdded:
          data.erase("item_id");
          data["item"] = internal::PresentItem(item, context);
          Emit("response.output_item.added", std::move(data), out);
          break;
        case ItemStep::Kind::kTextPartAdded:
          data["content_index"] = 0;
          data["part"] = item["content"][0];
          Emit("response.content_part.added", std::move(data), out);
          break;
        case ItemStep::Kind::kTextDelta:
          data["content_index"] = 0;
          data["delta"] = std::move(value);
          data["logprobs"] = json::array();
          Emit("response.output_text.delta", std::move(data), out);
          break;
        case ItemStep::Kind::kAnnotation:
          data["content_index"] = 0;
          data["annotation_index"] = item["content"][0]["annotations"].size() - 1;
          data["annotation"] = std::move(value);
          Emit("response.output_text.annotation.added", std::move(data), out);
          break;
        case ItemStep::Kind::kSummaryPartAdded:
          data["summary_index"] = 0;
          data["part"] = item["summary"][0];
          Emit("response.reasoning_summary_part.added", std::move(data), out);
          break;
        case ItemStep::Kind::kSummaryDelta:
          data["summary_index"] = 0;
          data["delta"] = std::move(value);
          Emit("response.reasoning_summary_text.delta", std::move(data), out);
          break;
        case ItemStep::Kind::kArguments:
          data["delta"] = std::move(value);
          Emit("response.function_call_arguments.delta", std::move(data), out);
          break;
        case ItemStep::Kind::kEncrypted:
          break;  // Sent with the finished item.
        case ItemStep::Kind::kDone:
          ItemDone(index, out);
          break;
      }
    }
    steps.clear();
  }

  void ItemDone(int index, std::vector<StreamEvent>& out) {
    const json& item = output[static_cast<size_t>(index)];
    const std::string type = openai::StringOr(item, "type", "");
    if (type == "message") {
      const json& part = item["content"][0];
      json text = ItemFields(index);
      text["content_index"] = 0;
      text["text"] = part["text"];
      text["logprobs"] = json::array();
      Emit("response.output_text.done", std::move(text), out);
      json part_done = ItemFields(index);
      part_done["content_index"] = 0;
      part_done["part"] = part;
      Emit("response.content_part.done", std::move(part_done), out);
    } else if (type == "reasoning" && !item["summary"].empty()) {
      json text = ItemFields(index);
      text["summary_index"] = 0;
      text["text"] = item["summary"][0]["text"];
      Emit("response.reasoning_summary_text.done", std::move(text), out);
      json part_done = ItemFields(index);
      part_done["summary_index"] = 0;
      part_done["part"] = item["summary"][0];
      Emit("response.reasoning_summary_part.done", std::move(part_done), out);
    } else if (type == "function_call") {
      json done = ItemFields(index);
      done["name"] = item["name"];
      done["arguments"] = item["arguments"];
      Emit("response.function_call_arguments.done", std::move(done), out);
    }
    json data(json::value_t::object);
    data["output_index"] = index;
    data["item"] = internal::PresentItem(item, context);
    Emit("response.output_item.done", std::move(data), out);
  }

  json Presented() const {
    json presented = json::array();
    for (const json& item : output) presented.push_back(internal::PresentItem(item, context));
    return presented;
  }

  ResponseContext context;
  std::string id;
  // Built at the start, when the response id is known.
  std::optional<internal::OutputItems> items;
  std::vector<ItemStep> steps;
  // Every item so far, encrypted_content kept.
  json output = json::array();
  // The last usageMetadata (Gemini's counts are running totals).
  json last_usage = json::object();
  int64_t sequence = 0;
  json stored;
};

std::string FrameEvent(const StreamEvent& event) {
  return absl::StrCat("event: ", event.type, "\ndata: ", openai::WriteJson(event.data), "\n\n");
}

ResponsesStreamConverter::ResponsesStreamConverter(ResponseContext context)
    : impl_(std::make_unique<Impl>(std::move(context))) {}
ResponsesStreamConverter::~ResponsesStreamConverter() = default;
ResponsesStreamConverter::ResponsesStreamConverter(ResponsesStreamConverter&&) noexcept = default;
ResponsesStreamConverter& ResponsesStreamConverter::operator=(ResponsesStreamConverter&&) noexcept = default;

const json& ResponsesStreamConverter::stored() const { return impl_->stored; }
const std::string& ResponsesStreamConverter::id() const { return impl_->id; }

absl::StatusOr<std::vector<StreamEvent>> ResponsesStreamConverter::OnEvent(const json& event) {
  if (closed_) {
    return absl::FailedPreconditionError(
        "a Gemini stream event arrived after the response was closed (response.completed already sent)");
  }
  GEMPOOL_RETURN_IF_ERROR(openai::CheckGenerateContentResponse(event, "a Gemini stream event"));

  std::vector<StreamEvent> out;
  if (const json* usage = Find(event, "usageMetadata"); usage != nullptr && usage->is_object()) {
    impl_->last_usage = *usage;
  }
  if (!started_) Start(event, out);
  internal::OutputItems& items = *impl_->items;
  if (const json* candidate = openai::FirstCandidate(event); candidate != nullptr) {
    items.AddCandidate(*candidate, impl_->steps);
    impl_->Append(impl_->steps, out);
    const json* reason = Find(*candidate, "finishReason");
    if (reason != nullptr && reason->is_string() && !reason->empty()) Close(candidate, false, out);
  } else if (const json* candidates = Find(event, "candidates");
             candidates == nullptr || !candidates->is_array() || candidates->empty()) {
    if (const json* feedback = Find(event, "promptFeedback");
        feedback != nullptr && Find(*feedback, "blockReason") != nullptr) {
      items.AddText(openai::PromptBlockedExplanation(*feedback), impl_->steps);
      Close(nullptr, true, out);
    }
  }
  return out;
}

std::vector<StreamEvent> ResponsesStreamConverter::Finish() {
  std::vector<StreamEvent> out;
  if (closed_) return out;
  if (!started_) Start(json::object(), out);
  Close(nullptr, false, out);
  return out;
}

std::vector<StreamEvent> ResponsesStreamConverter::Fail(const openai::OpenAIError& error) {
  std::vector<StreamEvent> out;
  if (closed_) return out;
  if (!started_) Start(json::object(), out);
  json data(json::value_t::object);
  data["response"] = internal::ResponseObject(impl_->context, impl_->id, internal::Outcome{}, "failed",
                                              impl_->Presented(), nullptr, ResponseErrorObject(error));
  impl_->Emit("response.failed", std::move(data), out);
  closed_ = true;
  return out;
}

void ResponsesStreamConverter::Start(const json& event, std::vector<StreamEvent>& out) {
  impl_->id = internal::ResponseId(event, impl_->context);
  impl_->items.emplace(impl_->context, impl_->id);
  for (const char* type : {"response.created", "response.in_progress"}) {
    json data(json::value_t::object);
    data["response"] = internal::ResponseObject(impl_->context, impl_->id, internal::Outcome{}, "in_progress",
                                                json::array(), nullptr, nullptr);
    impl_->Emit(type, std::move(data), out);
  }
  started_ = true;
}

void ResponsesStreamConverter::Close(const json* candidate, bool blocked, std::vector<StreamEvent>& out) {
  internal::OutputItems& items = *impl_->items;
  const internal::Outcome outcome = internal::OutcomeFor(
      candidate != nullptr ? openai::StringOr(*candidate, "finishReason", "") : "", items.has_calls(), blocked);
  items.Close(outcome, candidate, impl_->steps);
  impl_->Append(impl_->steps, out);
  json usage = ConvertUsage(impl_->last_usage);
  json response = internal::ResponseObject(impl_->context, impl_->id, outcome, outcome.status, impl_->Presented(),
                                           usage, nullptr);
  impl_->stored = response;
  impl_->stored["output"] = impl_->output;
  json data(json::value_t::object);
  data["response"] = std::move(response);
  impl_->Emit(absl::string_view(outcome.status) == "completed" ? "response.completed" : "response.incomplete",
              std::move(data), out);
  closed_ = true;
}

}  // namespace gempool::responses
