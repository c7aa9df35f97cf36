#include "gempool/anthropic/request_converter.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "content_converter.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/model_id.h"
#include "gempool/openai/schema.h"
#include "gempool/openai/stop_sequences.h"
#include "thinking_config.h"
#include "tool_converter.h"

namespace gempool::anthropic {
namespace {

using nlohmann::json;
using openai::CheckRange;
using openai::FieldError;
using openai::Find;
using openai::JsonTypeName;
using openai::OptArray;
using openai::OptNumber;
using openai::OptObject;
using openai::OptString;
using openai::Path;

// Gemini's documented limit on stop sequences.
// Output token limits (outputTokenLimit of the models API): Gemini 1.x and
// 2.0 models stop at 8192, 2.5 and later at 65536.
constexpr int64_t kLegacyOutputLimit = 8192;
constexpr int64_t kOutputLimit = 65536;

// Top-level fields converted here or in the internal converters.
constexpr absl::string_view kConverted[] = {
    "model",    "messages",       "system",      "max_tokens", "stream",   "temperature", "top_p",
    "top_k",    "stop_sequences", "tools",       "tool_choice", "thinking", "output_config", "metadata",
};
// Fields without a Gemini meaning whose absence changes nothing a client
// relies on: caching is implicit on Gemini, and Claude Code sends
// context_management on every request.
constexpr absl::string_view kSilentlyIgnored[] = {
    "cache_control", "service_tier", "context_management", "inference_geo",
};

bool In(absl::string_view key, absl::Span<const absl::string_view> list) {
  for (absl::string_view entry : list) {
    if (entry == key) return true;
  }
  return false;
}

void WarnAboutIgnoredFields(const json& body, RequestKind kind, std::vector<std::string>* warnings) {
  for (const auto& [key, value] : body.items()) {
    if (value.is_null() || In(key, kConverted) || In(key, kSilentlyIgnored)) continue;
    if (kind == RequestKind::kCountTokens) continue;
    if (key == "mcp_servers") {
      if (!(value.is_array() && value.empty())) {
        warnings->push_back("mcp_servers is not supported on Gemini; the MCP servers' tools are not available");
      }
    } else if (key == "container") {
      warnings->push_back("container (Anthropic's code execution container) is not supported on Gemini; ignored");
    } else {
      warnings->push_back(absl::StrCat("unknown field '", key, "' ignored"));
    }
  }
}

int64_t OutputLimit(absl::string_view model) {
  if (absl::StartsWith(model, "gemini-1") || absl::StartsWith(model, "gemini-2.0")) return kLegacyOutputLimit;
  return kOutputLimit;
}

absl::Status ConvertMaxTokens(const json& body, const std::string& model, json& config,
                              std::vector<std::string>* warnings) {
  if (Find(body, "max_tokens") == nullptr) {
    return FieldError("max_tokens", "is required: the most tokens to generate (e.g. 8192)");
  }
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<int64_t> max_tokens, openai::OptInt(body, "max_tokens", "", 0, INT32_MAX));
  if (*max_tokens == 0) {
    return FieldError("max_tokens",
                      "is 0, which on Anthropic only warms the prompt cache; Gemini has no such request (its "
                      "caching is implicit): send max_tokens of at least 1");
  }
  int64_t limit = OutputLimit(model);
  if (*max_tokens > limit) {
    warnings->push_back(absl::StrCat("max_tokens ", *max_tokens, " is above ", model, "'s output limit; ", limit,
                                     " was sent"));
    *max_tokens = limit;
  }
  config["maxOutputTokens"] = *max_tokens;
  return absl::OkStatus();
}

// output_config.format: structured output.
absl::Status ConvertOutputFormat(const json& body, const openai::ConversionOptions& options, json& config,
                                 std::vector<std::string>* warnings) {
  GEMPOOL_ASSIGN_OR_RETURN(const json* output_config, OptObject(body, "output_config", ""));
  if (output_config == nullptr) return absl::OkStatus();
  GEMPOOL_ASSIGN_OR_RETURN(const json* format, OptObject(*output_config, "format", "output_config"));
  if (format == nullptr) return absl::OkStatus();
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(*format, "type", "output_config.format"));
  if (type.value_or("") != "json_schema") {
    return FieldError("output_config.format.type",
                      absl::StrCat("'", openai::Preview(type.value_or("")), "' is not supported: use json_schema"));
  }
  const json* schema = Find(*format, "schema");
  if (schema == nullptr) return FieldError("output_config.format.schema", "is required for type json_schema");
  GEMPOOL_ASSIGN_OR_RETURN(openai::PreparedSchema prepared,
                           openai::PrepareResponseSchema(*schema, options.schema_dialect, "output_config.format.schema"));
  config["responseMimeType"] = "application/json";
  if (prepared.schema.has_value()) config[prepared.field] = std::move(*prepared.schema);
  for (std::string& warning : prepared.warnings) warnings->push_back(std::move(warning));
  return absl::OkStatus();
}

// Sampling and output fields → generationConfig (Messages requests only).
absl::Status ConvertGenerationConfig(const json& body, const std::string& model,
                                     const openai::ConversionOptions& options, json& config,
                                     std::vector<std::string>* warnings) {
  GEMPOOL_RETURN_IF_ERROR(ConvertMaxTokens(body, model, config, warnings));
  // Anthropic allows 0–1; Gemini's range is 0–2, and a higher value is the
  // client's choice to make.
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<double> temperature, OptNumber(body, "temperature", ""));
  GEMPOOL_RETURN_IF_ERROR(CheckRange(temperature, "temperature", 0, 2));
  if (temperature.has_value()) config["temperature"] = *temperature;
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<double> top_p, OptNumber(body, "top_p", ""));
  GEMPOOL_RETURN_IF_ERROR(CheckRange(top_p, "top_p", 0, 1));
  if (top_p.has_value()) config["topP"] = *top_p;
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<int64_t> top_k, openai::OptInt(body, "top_k", "", 1, 1'000'000));
  if (top_k.has_value()) config["topK"] = *top_k;
  GEMPOOL_RETURN_IF_ERROR(openai::ConvertStopSequences(body, "stop_sequences", /*allow_string=*/false, config));
  return ConvertOutputFormat(body, options, config, warnings);
}

// The client's id and the Gemini model that serves it.
absl::StatusOr<openai::ResolvedModel> ResolveModel(const json& body, const openai::ConversionOptions& options,
                                                   const ModelMap& models) {
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> model, OptString(body, "model", ""));
  if (!model.has_value() || model->empty()) {
    return FieldError("model", "is required (a Claude model id such as \"claude-sonnet-4-6\", or a Gemini id)");
  }
  std::string requested = openai::StripModelsPrefix(*model);
  std::optional<std::string> mapped = models.Map(requested);
  GEMPOOL_ASSIGN_OR_RETURN(openai::ResolvedModel resolved, openai::ResolveModel(mapped.value_or(requested), options));
  resolved.requested = std::move(requested);
  return resolved;
}

}  // namespace

absl::StatusOr<MessagesRequest> ConvertMessagesRequest(const json& body, RequestKind kind,
                                                       const openai::ConversionOptions& options,
                                                       const ModelMap& models) {
  if (!body.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request body must be a JSON object, got ", JsonTypeName(body)));
  }
  MessagesRequest out;
  openai::GeminiRequest& gemini = out.gemini;
  GEMPOOL_ASSIGN_OR_RETURN(gemini.model, ResolveModel(body, options, models));
  const std::string& upstream = gemini.model.upstream;
  if (kind == RequestKind::kMessages) {
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<bool> stream, openai::OptBool(body, "stream", ""));
    gemini.stream = stream.value_or(false);
  }

  GEMPOOL_ASSIGN_OR_RETURN(internal::ConvertedConversation conversation,
                           internal::ConvertConversation(Find(body, "system"), Find(body, "messages"), upstream,
                                                         options));
  GEMPOOL_ASSIGN_OR_RETURN(internal::ConvertedTools tools, internal::ConvertTools(body, gemini.model, options));
  std::vector<std::string> warnings;
  GEMPOOL_ASSIGN_OR_RETURN(internal::ThinkingSettings thinking,
                           internal::ResolveThinking(body, gemini.model, options, &warnings));
  out.thinking = thinking.thinking;
  out.show_thinking = thinking.show_thinking;

  json config = json::object();
  if (kind == RequestKind::kMessages) {
    GEMPOOL_RETURN_IF_ERROR(ConvertGenerationConfig(body, upstream, options, config, &warnings));
  }
  if (!thinking.config.is_null()) config["thinkingConfig"] = std::move(thinking.config);

  GEMPOOL_ASSIGN_OR_RETURN(const json* metadata, OptObject(body, "metadata", ""));
  if (metadata != nullptr) {
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> user_id, OptString(*metadata, "user_id", "metadata"));
    out.user_id = user_id.value_or("");
  }

  json request = json::object();
  request["contents"] = std::move(conversation.contents);
  if (!conversation.system_instruction.is_null()) {
    request["systemInstruction"] = std::move(conversation.system_instruction);
  }
  if (!tools.tools.empty()) request["tools"] = std::move(tools.tools);
  if (!tools.tool_config.is_null()) request["toolConfig"] = std::move(tools.tool_config);
  if (options.safety_settings.is_array() && !options.safety_settings.empty()) {
    request["safetySettings"] = options.safety_settings;
  }
  if (!config.empty()) request["generationConfig"] = std::move(config);
  gemini.body = std::move(request);
  gemini.fetches = std::move(conversation.fetches);
  out.text_bytes = conversation.text_bytes + tools.text_bytes;

  for (std::string& warning : conversation.warnings) gemini.warnings.push_back(std::move(warning));
  for (std::string& warning : tools.warnings) gemini.warnings.push_back(std::move(warning));
  for (std::string& warning : warnings) gemini.warnings.push_back(std::move(warning));
  WarnAboutIgnoredFields(body, kind, &gemini.warnings);
  return out;
}

json CountTokensBody(const MessagesRequest& request) { return openai::CountTokensBody(request.gemini); }

}  // namespace gempool::anthropic
