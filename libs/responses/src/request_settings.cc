#include "request_settings.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/schema.h"
#include "gempool/openai/stop_sequences.h"
#include "gempool/openai/thinking_levels.h"

namespace gempool::responses::internal {
namespace {

using nlohmann::json;
using openai::CheckRange;
using openai::FieldError;
using openai::Find;
using openai::JsonTypeName;
using openai::OptNumber;
using openai::OptObject;
using openai::OptString;
using openai::Path;
using openai::Preview;

absl::Status ConvertTextFormat(const json& body, const openai::ConversionOptions& options, GenerationSettings& out) {
  GEMPOOL_ASSIGN_OR_RETURN(const json* text, OptObject(body, "text", ""));
  if (text == nullptr) return absl::OkStatus();
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> verbosity, OptString(*text, "verbosity", "text"));
  if (verbosity.has_value() && *verbosity != "medium") {
    out.warnings.push_back(absl::StrCat("text.verbosity '", *verbosity, "' has no Gemini equivalent; ignored"));
  }
  GEMPOOL_ASSIGN_OR_RETURN(const json* format, OptObject(*text, "format", "text"));
  if (format == nullptr) return absl::OkStatus();
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(*format, "type", "text.format"));
  if (!type.has_value()) return FieldError("text.format.type", "is required (text, json_object or json_schema)");
  if (*type == "text") return absl::OkStatus();
  if (*type != "json_object" && *type != "json_schema") {
    return FieldError("text.format.type",
                      absl::StrCat("'", Preview(*type), "' is not a format: use text, json_object or json_schema"));
  }
  out.config["responseMimeType"] = "application/json";
  if (*type == "json_object") return absl::OkStatus();
  const json* schema = Find(*format, "schema");
  if (schema == nullptr) return FieldError("text.format.schema", "is required for type json_schema");
  GEMPOOL_ASSIGN_OR_RETURN(openai::PreparedSchema prepared,
                           openai::PrepareResponseSchema(*schema, options.schema_dialect, "text.format.schema"));
  if (prepared.schema.has_value()) out.config[prepared.field] = std::move(*prepared.schema);
  for (std::string& warning : prepared.warnings) out.warnings.push_back(std::move(warning));
  return absl::OkStatus();
}

// Whether a thinkingConfig switches thinking off (thought summaries would
// be empty, and Gemini refuses includeThoughts without thinking).
bool ThinkingOff(const json& config) {
  const json* budget = Find(config, "thinkingBudget");
  return budget != nullptr && budget->is_number_integer() && budget->get<int64_t>() == 0;
}

absl::Status ConvertReasoning(const json& body, const openai::ResolvedModel& model,
                              const openai::ConversionOptions& options, GenerationSettings& out) {
  GEMPOOL_ASSIGN_OR_RETURN(const json* reasoning, OptObject(body, "reasoning", ""));
  std::optional<std::string> effort;
  std::optional<std::string> summary;
  if (reasoning != nullptr) {
    GEMPOOL_ASSIGN_OR_RETURN(effort, OptString(*reasoning, "effort", "reasoning"));
    GEMPOOL_ASSIGN_OR_RETURN(summary, OptString(*reasoning, "summary", "reasoning"));
    if (!summary.has_value()) {
      GEMPOOL_ASSIGN_OR_RETURN(summary, OptString(*reasoning, "generate_summary", "reasoning"));
    }
  }
  const std::string& base = model.upstream;
  json thinking;
  if (effort.has_value()) {
    std::optional<json> config = openai::ThinkingConfigForEffort(*effort, base);
    if (!config.has_value()) {
      return FieldError("reasoning.effort", absl::StrCat("'", Preview(*effort),
                                                         "' is not an effort: use none, minimal, low, medium, high "
                                                         "or xhigh"));
    }
    thinking = *std::move(config);
    if (model.non_thinking) {
      out.warnings.push_back(absl::StrCat("model '", model.requested,
                                          "' turns thinking off, but reasoning.effort takes precedence"));
    }
  } else if (model.non_thinking) {
    thinking = openai::LowestThinkingConfig(base);
  } else {
    for (const auto& [name, budget] : options.thinking_budget_map) {
      if (openai::StripModelsPrefix(name) == base) {
        thinking = json{{"thinkingBudget", budget}};
        break;
      }
    }
  }
  if (summary.has_value() && *summary != "auto" && *summary != "concise" && *summary != "detailed" &&
      *summary != "none") {
    return FieldError("reasoning.summary",
                      absl::StrCat("'", Preview(*summary), "' is not a summary mode: use auto, concise or detailed"));
  }
  const bool wants_summary = summary.has_value() && *summary != "none";
  if (wants_summary && !(thinking.is_object() && ThinkingOff(thinking)) &&
      (thinking.is_object() || openai::IsThinkingModel(base, options))) {
    if (!thinking.is_object()) thinking = json::object();
    thinking["includeThoughts"] = true;
    out.reasoning_summary = true;
  }
  if (thinking.is_object()) out.config["thinkingConfig"] = std::move(thinking);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GenerationSettings> ConvertSettings(const json& body, const openai::ResolvedModel& model,
                                                   const openai::ConversionOptions& options) {
  GenerationSettings out;
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<int64_t> max_tokens,
                           openai::OptInt(body, "max_output_tokens", "", 1, INT32_MAX));
  if (max_tokens.has_value()) out.config["maxOutputTokens"] = *max_tokens;
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<double> temperature, OptNumber(body, "temperature", ""));
  GEMPOOL_RETURN_IF_ERROR(CheckRange(temperature, "temperature", 0, 2));
  if (temperature.has_value()) out.config["temperature"] = *temperature;
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<double> top_p, OptNumber(body, "top_p", ""));
  GEMPOOL_RETURN_IF_ERROR(CheckRange(top_p, "top_p", 0, 1));
  if (top_p.has_value()) out.config["topP"] = *top_p;
  // `stop` is not a Responses field, but clients moving from Chat Completions
  // send it; Gemini has the same feature, so it is honoured.
  GEMPOOL_RETURN_IF_ERROR(openai::ConvertStopSequences(body, "stop", /*allow_string=*/true, out.config));
  GEMPOOL_RETURN_IF_ERROR(ConvertTextFormat(body, options, out));
  GEMPOOL_RETURN_IF_ERROR(ConvertReasoning(body, model, options, out));
  return out;
}

}  // namespace gempool::responses::internal
