#include "input_converter.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/json_reader.h"
#include "gempool/openai/model_id.h"
#include "gempool/responses/reasoning_content.h"
#include "function_names.h"
#include "input_parts.h"

namespace gempool::responses::internal {
namespace {

using nlohmann::json;
using openai::FieldError;
using openai::Find;
using openai::JsonTypeName;
using openai::OneMember;
using openai::OptString;
using openai::Path;
using openai::Preview;

// Google's documented value for function calls whose real signature is lost.
constexpr char kSkipThoughtSignature[] = "skip_thought_signature_validator";

// History of OpenAI's hosted tools: nothing Gemini can replay, and nothing
// the model needs to act on (their results are in the messages around them).
bool IsHostedToolHistory(absl::string_view type) {
  static constexpr absl::string_view kTypes[] = {
      "web_search_call",  "file_search_call",  "computer_call",    "computer_call_output", "image_generation_call",
      "code_interpreter_call", "local_shell_call", "local_shell_call_output", "mcp_list_tools", "mcp_call",
      "mcp_approval_request",  "mcp_approval_response", "tool_search_call", "tool_search_output"};
  return std::find(std::begin(kTypes), std::end(kTypes), type) != std::end(kTypes);
}

struct Call {
  std::string call_id;
  std::string path;
  size_t part_index = 0;
  size_t item_index = 0;  // in ConvertInput's `items`
};

struct Output {
  std::string call_id;
  std::string path;
  json part;
};

// One Gemini content, built from consecutive items of the same side.
struct Turn {
  bool model = false;
  json parts = json::array();
  std::vector<Call> calls;       // model turns
  std::vector<Output> outputs;   // user turns: functionResponse parts
  json output_media = json::array();  // user turns: media of function_call_output arrays
};

absl::StatusOr<std::string> RequiredString(const json& object, absl::string_view key, const std::string& path) {
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> value, OptString(object, key, path));
  if (!value.has_value()) return FieldError(Path(path, key), "is required");
  if (value->empty()) return FieldError(Path(path, key), "must not be empty");
  return *std::move(value);
}

// A tool's text output as Gemini's functionResponse.response, which must be
// an object: a JSON object is sent as is, anything else as {"output": text}.
json ResponseValue(const std::string& text) {
  if (!text.empty() && text.front() == '{') {
    absl::StatusOr<json> parsed = openai::ParseJson(text);
    if (parsed.ok() && parsed->is_object()) return *std::move(parsed);
  }
  return OneMember("output", text);
}

class InputConverter {
 public:
  InputConverter(const std::string& model, const openai::ConversionOptions& options)
      : model_(model), options_(options), parts_{options, out_.fetches} {}

  absl::StatusOr<ConvertedInput> Run(const std::string& instructions, const json& items,
                                     const std::vector<std::string>& paths, size_t stored_items) {
    if (!instructions.empty()) system_parts_.push_back(OneMember("text", instructions));
    stored_items_ = stored_items;
    for (size_t i = 0; i < items.size(); ++i) {
      item_index_ = i;
      GEMPOOL_RETURN_IF_ERROR(ConvertItem(items[i], i < paths.size() ? paths[i] : Path("input", i)));
    }
    GEMPOOL_RETURN_IF_ERROR(PairCallsAndOutputs());
    FillMissingSignatures();
    for (Turn& turn : turns_) out_.contents.push_back(FinishTurn(turn));
    if (!system_parts_.empty()) {
      if (out_.contents.empty()) {
        // Gemini rejects a request without contents: the instructions become
        // the user turn.
        out_.contents.push_back(json{{"role", "user"}, {"parts", std::move(system_parts_)}});
        out_.warnings.push_back("the request has only instructions; they were sent as the user turn, since Gemini "
                                "needs one");
      } else {
        out_.system_instruction = OneMember("parts", std::move(system_parts_));
      }
    }
    if (out_.contents.empty()) return FieldError("input", "contains no content to send (every item is empty)");
    FinishFetches(out_.contents, out_.fetches);
    return std::move(out_);
  }

 private:
  absl::Status ConvertItem(const json& item, const std::string& path) {
    if (!item.is_object()) {
      return FieldError(path, absl::StrCat("must be an input item object, got ", JsonTypeName(item)));
    }
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(item, "type", path));
    if (!type.has_value() || *type == "message") return ConvertMessage(item, path);
    if (*type == "function_call") return ConvertFunctionCall(item, path);
    if (*type == "function_call_output") return ConvertFunctionCallOutput(item, path);
    if (*type == "reasoning") return ConvertReasoning(item, path);
    if (*type == "item_reference") {
      return FieldError(Path(path, "type"), "'item_reference' is not supported: send the item itself, or continue "
                                            "with previous_response_id");
    }
    if (IsHostedToolHistory(*type)) {
      out_.warnings.push_back(absl::StrCat(path, " ('", *type,
                                           "', history of an OpenAI hosted tool) was dropped: Gemini cannot "
                                           "replay it"));
      return absl::OkStatus();
    }
    return FieldError(Path(path, "type"),
                      absl::StrCat("'", Preview(*type), "' is not supported: use message, function_call, "
                                                        "function_call_output or reasoning items"));
  }

  // --- messages ---

  absl::Status ConvertMessage(const json& item, const std::string& path) {
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> role, OptString(item, "role", path));
    if (!role.has_value()) return FieldError(Path(path, "role"), "is required (user, assistant, system or developer)");
    PartRole part_role = PartRole::kUser;
    if (*role == "assistant") {
      part_role = PartRole::kAssistant;
    } else if (*role != "user" && *role != "system" && *role != "developer") {
      return FieldError(Path(path, "role"), absl::StrCat("'", Preview(*role),
                                                         "' is not a role: use user, assistant, system or developer"));
    }
    const json* content = Find(item, "content");
    std::string content_path = Path(path, "content");
    if (content == nullptr) return FieldError(content_path, "is required");
    json parts = json::array();
    if (content->is_string()) {
      if (!content->get_ref<const std::string&>().empty()) parts.push_back(OneMember("text", *content));
    } else if (content->is_array()) {
      for (size_t j = 0; j < content->size(); ++j) {
        GEMPOOL_RETURN_IF_ERROR(ConvertContentPart((*content)[j], Path(content_path, j), part_role, parts_, parts));
      }
    } else {
      return FieldError(content_path,
                        absl::StrCat("must be a string or an array of content parts, got ", JsonTypeName(*content)));
    }
    if (*role == "system" || *role == "developer") return AddSystemParts(parts, content_path);
    if (parts.empty()) return absl::OkStatus();
    if (part_role == PartRole::kAssistant) {
      Turn& turn = TurnFor(true);
      for (json& part : parts) AddModelPart(turn, std::move(part));
    } else {
      Turn& turn = TurnFor(false);
      for (json& part : parts) turn.parts.push_back(std::move(part));
    }
    return absl::OkStatus();
  }

  // System and developer messages join systemInstruction wherever they are:
  // Gemini has no mid-conversation system turn.
  absl::Status AddSystemParts(json& parts, const std::string& path) {
    for (json& part : parts) {
      if (!part.contains("text")) {
        return FieldError(path, "of a system or developer message may hold only text (input_text)");
      }
      system_parts_.push_back(std::move(part));
    }
    return absl::OkStatus();
  }

  // --- calls and outputs ---

  absl::Status ConvertFunctionCall(const json& item, const std::string& path) {
    GEMPOOL_ASSIGN_OR_RETURN(std::string call_id, RequiredString(item, "call_id", path));
    GEMPOOL_ASSIGN_OR_RETURN(std::string bare_name, RequiredString(item, "name", path));
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> space, OptString(item, "namespace", path));
    std::string name = QualifiedFunctionName(space.value_or(""), bare_name);
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> arguments, OptString(item, "arguments", path));
    json args = json::object();
    if (arguments.has_value() && !arguments->empty()) {
      absl::StatusOr<json> parsed = openai::ParseJson(*arguments);
      if (!parsed.ok() || !parsed->is_object()) {
        return FieldError(Path(path, "arguments"), "must be the JSON text of an object (the function's arguments)");
      }
      args = *std::move(parsed);
    }
    if (!call_names_.emplace(call_id, name).second) {
      return FieldError(Path(path, "call_id"), absl::StrCat("'", Preview(call_id), "' is used by two function calls"));
    }
    json call(json::value_t::object);
    call["name"] = std::move(name);
    call["args"] = std::move(args);
    Turn& turn = TurnFor(true);
    turn.calls.push_back(Call{call_id, path, turn.parts.size(), item_index_});
    AddModelPart(turn, OneMember("functionCall", std::move(call)));
    return absl::OkStatus();
  }

  absl::Status ConvertFunctionCallOutput(const json& item, const std::string& path) {
    GEMPOOL_ASSIGN_OR_RETURN(std::string call_id, RequiredString(item, "call_id", path));
    auto name = call_names_.find(call_id);
    if (name == call_names_.end()) {
      return FieldError(Path(path, "call_id"),
                        absl::StrCat("'", Preview(call_id), "' matches no function_call item before it"));
    }
    const json* output = Find(item, "output");
    std::string output_path = Path(path, "output");
    std::string text;
    json media = json::array();
    if (output == nullptr) {
      return FieldError(output_path, "is required");
    } else if (output->is_string()) {
      text = output->get<std::string>();
    } else if (output->is_array()) {
      std::vector<std::string> texts;
      for (size_t k = 0; k < output->size(); ++k) {
        json parts = json::array();
        GEMPOOL_RETURN_IF_ERROR(
            ConvertContentPart((*output)[k], Path(output_path, k), PartRole::kToolOutput, parts_, parts));
        for (json& part : parts) {
          if (part.contains("text")) {
            texts.push_back(part["text"].get<std::string>());
          } else {
            media.push_back(std::move(part));
          }
        }
      }
      text = absl::StrJoin(texts, "\n");
    } else {
      return FieldError(output_path,
                        absl::StrCat("must be a string or an array of content parts, got ", JsonTypeName(*output)));
    }
    json response(json::value_t::object);
    response["name"] = name->second;
    response["response"] = ResponseValue(text);
    Turn& turn = TurnFor(false);
    turn.outputs.push_back(Output{call_id, path, OneMember("functionResponse", std::move(response))});
    for (json& part : media) turn.output_media.push_back(std::move(part));
    return absl::OkStatus();
  }

  // --- reasoning ---

  absl::Status ConvertReasoning(const json& item, const std::string& path) {
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> encrypted, OptString(item, "encrypted_content", path));
    std::optional<TaggedSignature> tagged =
        encrypted.has_value() ? DecodeReasoningContent(*encrypted) : std::nullopt;
    // Without gempool's tag: OpenAI's own encrypted reasoning, or none at
    // all; Gemini can use neither.
    if (!tagged.has_value() || tagged->gemini_signature.empty()) return absl::OkStatus();
    switch (tagged->anchor) {
      case SignatureAnchor::kNext:
        next_signature_ = std::move(tagged->gemini_signature);
        break;
      case SignatureAnchor::kPrevious:
        if (!turns_.empty() && turns_.back().model && !turns_.back().parts.empty()) {
          turns_.back().parts.back()["thoughtSignature"] = std::move(tagged->gemini_signature);
        }
        break;
      case SignatureAnchor::kOwn: {
        std::vector<std::string> texts;
        if (const json* summary = Find(item, "summary"); summary != nullptr && summary->is_array()) {
          for (const json& entry : *summary) {
            std::string text = openai::StringOr(entry, "text", "");
            if (!text.empty()) texts.push_back(std::move(text));
          }
        }
        json part(json::value_t::object);
        part["text"] = absl::StrJoin(texts, "\n\n");
        part["thought"] = true;
        part["thoughtSignature"] = std::move(tagged->gemini_signature);
        TurnFor(true).parts.push_back(std::move(part));
        break;
      }
    }
    return absl::OkStatus();
  }

  // --- turns ---

  Turn& TurnFor(bool model) {
    if (turns_.empty() || turns_.back().model != model) {
      // A signature waiting for its part is lost when the model turn ends.
      if (!model) next_signature_.reset();
      turns_.emplace_back();
      turns_.back().model = model;
    }
    return turns_.back();
  }

  void AddModelPart(Turn& turn, json part) {
    if (next_signature_.has_value()) {
      part["thoughtSignature"] = *std::move(next_signature_);
      next_signature_.reset();
    }
    turn.parts.push_back(std::move(part));
  }

  // Gemini wants the turn after a call turn to answer every call, and only
  // those; a mismatch is refused naming the item rather than left to
  // Gemini's count error. Calls of a trailing model turn have no outputs
  // yet: the client's own are dropped with a warning, but a call of the
  // stored conversation is refused, as OpenAI does, since continuing a
  // response that asked for a tool without its output loses the call.
  absl::Status PairCallsAndOutputs() {
    if (!turns_.empty() && turns_.back().model && !turns_.back().calls.empty()) {
      for (const Call& call : turns_.back().calls) {
        if (call.item_index < stored_items_) {
          return UnansweredCall(call, "send its function_call_output in input to continue the previous response");
        }
      }
      DropTrailingCalls();
    }
    for (size_t t = 0; t < turns_.size(); ++t) {
      Turn& turn = turns_[t];
      if (turn.model && !turn.calls.empty()) {
        std::set<std::string> answered;
        if (t + 1 < turns_.size()) {
          for (const Output& output : turns_[t + 1].outputs) answered.insert(output.call_id);
        }
        for (const Call& call : turn.calls) {
          if (answered.count(call.call_id) == 0) {
            return UnansweredCall(call, "answer every call before the next message");
          }
        }
      } else if (!turn.model && !turn.outputs.empty()) {
        std::map<std::string, size_t> order;
        if (t > 0 && turns_[t - 1].model) {
          for (size_t k = 0; k < turns_[t - 1].calls.size(); ++k) order.emplace(turns_[t - 1].calls[k].call_id, k);
        }
        std::set<std::string> seen;
        for (const Output& output : turn.outputs) {
          if (order.count(output.call_id) == 0) {
            return FieldError(Path(output.path, "call_id"),
                              absl::StrCat("'", Preview(output.call_id),
                                           "' answers no function_call of the model turn right before it"));
          }
          if (!seen.insert(output.call_id).second) {
            return FieldError(Path(output.path, "call_id"),
                              absl::StrCat("'", Preview(output.call_id), "' is answered twice"));
          }
        }
        std::stable_sort(turn.outputs.begin(), turn.outputs.end(),
                         [&](const Output& a, const Output& b) { return order[a.call_id] < order[b.call_id]; });
      }
    }
    return absl::OkStatus();
  }

  static absl::Status UnansweredCall(const Call& call, absl::string_view advice) {
    return FieldError(call.path, absl::StrCat("is a function_call (call_id '", Preview(call.call_id),
                                              "') without a function_call_output right after it: ", advice));
  }

  // The dropped items also leave ConvertedInput's conversation, so that a
  // stored response continues without them.
  void DropTrailingCalls() {
    Turn& turn = turns_.back();
    std::vector<std::string> ids;
    std::set<size_t> drop;
    for (const Call& call : turn.calls) {
      ids.push_back(call.call_id);
      drop.insert(call.part_index);
      out_.dropped_items.push_back(call.item_index);
    }
    json kept = json::array();
    for (size_t p = 0; p < turn.parts.size(); ++p) {
      if (drop.count(p) == 0) kept.push_back(std::move(turn.parts[p]));
    }
    turn.parts = std::move(kept);
    turn.calls.clear();
    out_.warnings.push_back(absl::StrCat("the input ends with function calls without outputs (",
                                         absl::StrJoin(ids, ", "),
                                         "); they were dropped, since Gemini cannot continue unanswered calls"));
    if (turn.parts.empty()) turns_.pop_back();
  }

  // Gemini 3 refuses a call turn whose first call has no thought signature;
  // with fill_missing_thought_signatures such calls get Google's documented
  // skip value (one warning per request).
  void FillMissingSignatures() {
    if (!options_.fill_missing_thought_signatures || !openai::IsGemini3Model(model_)) return;
    bool warned = false;
    for (Turn& turn : turns_) {
      if (!turn.model || turn.calls.empty()) continue;
      json& first = turn.parts[turn.calls.front().part_index];
      if (first.contains("thoughtSignature")) continue;
      first["thoughtSignature"] = kSkipThoughtSignature;
      if (!warned) {
        out_.warnings.push_back(absl::StrCat(
            turn.calls.front().path,
            " has no reasoning item with gempool's encrypted_content before it; Gemini 3 needs its thought "
            "signature, so the validator skip value was sent (ask for include: [\"reasoning.encrypted_content\"] "
            "and send the reasoning items back to keep the model's reasoning)"));
        warned = true;
      }
    }
  }

  static json FinishTurn(Turn& turn) {
    json parts = json::array();
    for (Output& output : turn.outputs) parts.push_back(std::move(output.part));
    for (json& part : turn.output_media) parts.push_back(std::move(part));
    for (json& part : turn.parts) parts.push_back(std::move(part));
    json content(json::value_t::object);
    content["role"] = turn.model ? "model" : "user";
    content["parts"] = std::move(parts);
    return content;
  }

  const std::string& model_;
  const openai::ConversionOptions& options_;
  ConvertedInput out_;
  PartContext parts_;
  json system_parts_ = json::array();
  std::vector<Turn> turns_;
  size_t stored_items_ = 0;  // items before this index come from previous_response_id
  size_t item_index_ = 0;    // the item being converted
  std::map<std::string, std::string> call_names_;
  // A signature tagged 'next' waiting for the next model part.
  std::optional<std::string> next_signature_;
};

}  // namespace

absl::StatusOr<ConvertedInput> ConvertInput(const std::string& instructions, const json& items,
                                            const std::vector<std::string>& paths, size_t stored_items,
                                            const std::string& upstream_model,
                                            const openai::ConversionOptions& options) {
  InputConverter converter(upstream_model, options);
  return converter.Run(instructions, items, paths, stored_items);
}

}  // namespace gempool::responses::internal
