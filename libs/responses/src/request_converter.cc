#include "gempool/responses/request_converter.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/model_id.h"
#include "gempool/responses/errors.h"
#include "gempool/responses/storage.h"
#include "input_converter.h"
#include "request_settings.h"
#include "tool_converter.h"

namespace gempool::responses {
namespace {

using nlohmann::json;
using openai::FieldError;
using openai::Find;
using openai::JsonTypeName;
using openai::OptArray;
using openai::OptBool;
using openai::OptString;
using openai::Path;

constexpr char kEncryptedReasoning[] = "reasoning.encrypted_content";

// Top-level fields converted here or in the internal converters.
constexpr absl::string_view kConverted[] = {
    "model",  "input", "instructions", "tools", "tool_choice", "parallel_tool_calls", "text",
    "reasoning", "max_output_tokens", "temperature", "top_p", "stop", "stream", "store",
    "previous_response_id", "include", "metadata", "user", "background"};
// Identifiers and hints without a Gemini meaning that change nothing a
// client relies on (Codex sends prompt_cache_key on every request).
constexpr absl::string_view kSilentlyIgnored[] = {
    "safety_identifier", "prompt_cache_key", "prompt_cache_retention", "service_tier", "truncation",
    "stream_options", "client_metadata"};

bool In(absl::string_view key, absl::Span<const absl::string_view> list) {
  for (absl::string_view entry : list) {
    if (entry == key) return true;
  }
  return false;
}

absl::Status CheckUnsupported(const json& body, std::vector<std::string>* warnings) {
  for (const auto& [key, value] : body.items()) {
    if (value.is_null() || In(key, kConverted) || In(key, kSilentlyIgnored)) continue;
    if (key == "conversation") {
      return FieldError("conversation", "is not supported: continue a conversation with previous_response_id");
    }
    if (key == "prompt") {
      return FieldError("prompt", "(a stored prompt template) is not supported: send instructions and input");
    }
    warnings->push_back(absl::StrCat("unknown or unsupported field '", key, "' ignored"));
  }
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<bool> background, OptBool(body, "background", ""));
  if (background.value_or(false)) {
    return FieldError("background", "is not supported: gempool answers every response in the request itself");
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> ReadInclude(const json& body, std::vector<std::string>* warnings) {
  GEMPOOL_ASSIGN_OR_RETURN(const json* include, OptArray(body, "include", ""));
  bool encrypted = false;
  if (include == nullptr) return encrypted;
  for (size_t i = 0; i < include->size(); ++i) {
    const json& entry = (*include)[i];
    if (!entry.is_string()) {
      return FieldError(Path("include", i), absl::StrCat("must be a string, got ", JsonTypeName(entry)));
    }
    if (entry == kEncryptedReasoning) {
      encrypted = true;
    } else {
      warnings->push_back(absl::StrCat("include '", entry.get<std::string>(), "' has no Gemini equivalent; ignored"));
    }
  }
  return encrypted;
}

// The request's input as items: a string is one user message.
absl::StatusOr<json> InputItems(const json& body) {
  const json* input = Find(body, "input");
  if (input == nullptr) return FieldError("input", "is required (a string or an array of input items)");
  if (input->is_string()) {
    json part(json::value_t::object);
    part["type"] = "input_text";
    part["text"] = *input;
    json message(json::value_t::object);
    message["type"] = "message";
    message["role"] = "user";
    message["content"] = json::array({std::move(part)});
    return json::array({std::move(message)});
  }
  if (input->is_array()) return *input;
  return FieldError("input", absl::StrCat("must be a string or an array of input items, got ", JsonTypeName(*input)));
}

json ValueOr(const json& body, absl::string_view key, json fallback) {
  const json* value = Find(body, key);
  return value != nullptr ? *value : fallback;
}

// What the Response object echoes, with the API's defaults for what the
// request left out (the SDK's Response type requires these fields).
json Echo(const json& body) {
  json echo(json::value_t::object);
  echo["tools"] = ValueOr(body, "tools", json::array());
  echo["tool_choice"] = ValueOr(body, "tool_choice", "auto");
  echo["parallel_tool_calls"] = ValueOr(body, "parallel_tool_calls", true);
  echo["temperature"] = ValueOr(body, "temperature", 1.0);
  echo["top_p"] = ValueOr(body, "top_p", 1.0);
  echo["max_output_tokens"] = ValueOr(body, "max_output_tokens", nullptr);
  json reasoning(json::value_t::object);
  const json* sent = Find(body, "reasoning");
  reasoning["effort"] = sent != nullptr ? ValueOr(*sent, "effort", nullptr) : json(nullptr);
  reasoning["summary"] = sent != nullptr ? ValueOr(*sent, "summary", nullptr) : json(nullptr);
  echo["reasoning"] = std::move(reasoning);
  json text(json::value_t::object);
  const json* sent_text = Find(body, "text");
  text["format"] = sent_text != nullptr ? ValueOr(*sent_text, "format", json{{"type", "text"}})
                                        : json{{"type", "text"}};
  text["verbosity"] = sent_text != nullptr ? ValueOr(*sent_text, "verbosity", "medium") : json("medium");
  echo["text"] = std::move(text);
  echo["metadata"] = ValueOr(body, "metadata", json::object());
  echo["user"] = ValueOr(body, "user", nullptr);
  echo["truncation"] = "disabled";
  echo["service_tier"] = "default";
  echo["background"] = false;
  echo["top_logprobs"] = 0;
  echo["max_tool_calls"] = nullptr;
  return echo;
}

}  // namespace

absl::StatusOr<ResponsesRequest> ConvertResponsesRequest(const json& body, const openai::ConversionOptions& options,
                                                         const json* previous) {
  if (!body.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request body must be a JSON object, got ", JsonTypeName(body)));
  }
  ResponsesRequest out;
  openai::GeminiRequest& gemini = out.gemini;
  std::vector<std::string> warnings;
  GEMPOOL_RETURN_IF_ERROR(CheckUnsupported(body, &warnings));

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> model, OptString(body, "model", ""));
  if (!model.has_value() || model->empty()) {
    return FieldError("model", "is required (a Gemini model id such as \"gemini-2.5-flash\")");
  }
  GEMPOOL_ASSIGN_OR_RETURN(gemini.model, openai::ResolveModel(*model, options));
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<bool> stream, OptBool(body, "stream", ""));
  gemini.stream = stream.value_or(false);
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<bool> store, OptBool(body, "store", ""));
  out.store = store.value_or(true);
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> previous_id, OptString(body, "previous_response_id", ""));
  out.previous_response_id = previous_id.value_or("");
  GEMPOOL_ASSIGN_OR_RETURN(out.include_encrypted_reasoning, ReadInclude(body, &warnings));
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> instructions, OptString(body, "instructions", ""));
  out.instructions = instructions.value_or("");
  GEMPOOL_ASSIGN_OR_RETURN(const json* metadata, openai::OptObject(body, "metadata", ""));
  (void)metadata;
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> user, OptString(body, "user", ""));
  (void)user;

  // The conversation: the stored items first, then this request's input.
  std::vector<std::string> paths;
  if (!out.previous_response_id.empty()) {
    if (previous == nullptr) return UnknownPreviousResponse(out.previous_response_id);
    absl::StatusOr<json> items = ConversationItems(*previous);
    if (!items.ok()) return UnknownPreviousResponse(out.previous_response_id);
    for (size_t i = 0; i < items->size(); ++i) {
      out.input_items.push_back(std::move((*items)[i]));
      paths.push_back(absl::StrCat("previous_response_id (stored item ", i, ")"));
    }
  }
  const size_t stored_items = out.input_items.size();
  GEMPOOL_ASSIGN_OR_RETURN(json input, InputItems(body));
  for (size_t i = 0; i < input.size(); ++i) {
    out.input_items.push_back(std::move(input[i]));
    paths.push_back(Path("input", i));
  }

  const std::string& upstream = gemini.model.upstream;
  GEMPOOL_ASSIGN_OR_RETURN(internal::ConvertedInput converted,
                           internal::ConvertInput(out.instructions, out.input_items, paths, stored_items, upstream,
                                                  options));
  // Erased back to front, so the indices still point at their items.
  for (auto dropped = converted.dropped_items.rbegin(); dropped != converted.dropped_items.rend(); ++dropped) {
    out.input_items.erase(out.input_items.begin() + static_cast<std::ptrdiff_t>(*dropped));
  }
  GEMPOOL_ASSIGN_OR_RETURN(internal::ConvertedTools tools, internal::ConvertTools(body, gemini.model, options));
  GEMPOOL_ASSIGN_OR_RETURN(internal::GenerationSettings settings,
                           internal::ConvertSettings(body, gemini.model, options));
  out.reasoning_summary = settings.reasoning_summary;
  if (gemini.model.image) {
    settings.config["responseModalities"] = json::array({"TEXT", "IMAGE"});
  }

  json request = json::object();
  request["contents"] = std::move(converted.contents);
  if (!converted.system_instruction.is_null()) request["systemInstruction"] = std::move(converted.system_instruction);
  if (!tools.tools.empty()) request["tools"] = std::move(tools.tools);
  if (!tools.tool_config.is_null()) request["toolConfig"] = std::move(tools.tool_config);
  if (options.safety_settings.is_array() && !options.safety_settings.empty()) {
    request["safetySettings"] = options.safety_settings;
  }
  if (!settings.config.empty()) request["generationConfig"] = std::move(settings.config);
  gemini.body = std::move(request);
  gemini.fetches = std::move(converted.fetches);
  out.echo = Echo(body);

  for (std::string& warning : converted.warnings) gemini.warnings.push_back(std::move(warning));
  for (std::string& warning : tools.warnings) gemini.warnings.push_back(std::move(warning));
  for (std::string& warning : settings.warnings) gemini.warnings.push_back(std::move(warning));
  for (std::string& warning : warnings) gemini.warnings.push_back(std::move(warning));
  return out;
}

}  // namespace gempool::responses
