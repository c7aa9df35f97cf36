#include "generation_config.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/schema.h"
#include "gempool/openai/stop_sequences.h"

namespace gempool::openai::internal {
namespace {

using nlohmann::json;

absl::Status ConvertResponseFormat(const json& body, const ConversionOptions& options, GenerationSettings& out) {
  GEMPOOL_ASSIGN_OR_RETURN(const json* format, OptObject(body, "response_format", ""));
  if (format == nullptr) return absl::OkStatus();
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(*format, "type", "response_format"));
  if (!type.has_value()) return FieldError("response_format.type", "is required (text, json_object or json_schema)");
  if (*type == "text") return absl::OkStatus();
  if (*type == "json_object") {
    out.config["responseMimeType"] = "application/json";
    out.json_output = true;
    return absl::OkStatus();
  }
  if (*type == "json_schema") {
    GEMPOOL_ASSIGN_OR_RETURN(const json* spec, OptObject(*format, "json_schema", "response_format"));
    if (spec == nullptr) return FieldError("response_format.json_schema", "is required for type json_schema");
    out.config["responseMimeType"] = "application/json";
    out.json_output = true;
    const json* schema = Find(*spec, "schema");
    if (schema == nullptr) {
      out.warnings.push_back("response_format.json_schema has no schema; only JSON output was requested");
      return absl::OkStatus();
    }
    GEMPOOL_ASSIGN_OR_RETURN(PreparedSchema prepared, PrepareResponseSchema(*schema, options.schema_dialect,
                                                                            "response_format.json_schema.schema"));
    if (prepared.schema.has_value()) out.config[prepared.field] = std::move(*prepared.schema);
    for (std::string& warning : prepared.warnings) out.warnings.push_back(std::move(warning));
    return absl::OkStatus();
  }
  return FieldError("response_format.type",
                    absl::StrCat("'", *type, "' is not supported: use text, json_object or json_schema"));
}

absl::Status ConvertModalities(const json& body, json& config) {
  // A derived "-image" model's modalities are ApplyModelOptions' part.
  bool image = false;
  GEMPOOL_ASSIGN_OR_RETURN(const json* modalities, OptArray(body, "modalities", ""));
  if (modalities != nullptr) {
    for (size_t i = 0; i < modalities->size(); ++i) {
      const json& modality = (*modalities)[i];
      std::string value = modality.is_string() ? absl::AsciiStrToLower(modality.get<std::string>()) : "";
      if (value == "text") continue;
      if (value == "image") {
        image = true;
        continue;
      }
      if (value == "audio") {
        return FieldError(Path("modalities", i),
                          "'audio' output is not supported on chat completions: use POST /v1/audio/speech");
      }
      return FieldError(Path("modalities", i), absl::StrCat("'", Preview(modality), "' is not text or image"));
    }
  }
  if (image) config["responseModalities"] = json::array({"TEXT", "IMAGE"});
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GenerationSettings> ConvertGenerationConfig(const json& body, const ConversionOptions& options) {
  GenerationSettings out;
  json& config = out.config;
  if (Find(body, "audio") != nullptr) {
    return FieldError("audio", "output is not supported on chat completions: use POST /v1/audio/speech");
  }

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<double> temperature, OptNumber(body, "temperature", ""));
  GEMPOOL_RETURN_IF_ERROR(CheckRange(temperature, "temperature", 0, 2));
  if (temperature.has_value()) config["temperature"] = *temperature;

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<double> top_p, OptNumber(body, "top_p", ""));
  GEMPOOL_RETURN_IF_ERROR(CheckRange(top_p, "top_p", 0, 1));
  if (top_p.has_value()) config["topP"] = *top_p;

  // Not OpenAI, but sent by gemini-balance users and some UIs.
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<int64_t> top_k, OptInt(body, "top_k", "", 1, 1'000'000));
  if (top_k.has_value()) config["topK"] = *top_k;

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<int64_t> max_completion,
                           OptInt(body, "max_completion_tokens", "", 1, INT32_MAX));
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<int64_t> max_tokens, OptInt(body, "max_tokens", "", 1, INT32_MAX));
  if (max_completion.has_value()) {
    config["maxOutputTokens"] = *max_completion;
  } else if (max_tokens.has_value()) {
    config["maxOutputTokens"] = *max_tokens;
  }

  GEMPOOL_RETURN_IF_ERROR(ConvertStopSequences(body, "stop", /*allow_string=*/true, config));

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<int64_t> n, OptInt(body, "n", "", 1, 8));
  if (n.has_value()) config["candidateCount"] = *n;

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<int64_t> seed, OptInt(body, "seed", "", INT32_MIN, INT32_MAX));
  if (seed.has_value()) config["seed"] = *seed;

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<double> presence, OptNumber(body, "presence_penalty", ""));
  GEMPOOL_RETURN_IF_ERROR(CheckRange(presence, "presence_penalty", -2, 2));
  if (presence.has_value()) config["presencePenalty"] = *presence;
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<double> frequency, OptNumber(body, "frequency_penalty", ""));
  GEMPOOL_RETURN_IF_ERROR(CheckRange(frequency, "frequency_penalty", -2, 2));
  if (frequency.has_value()) config["frequencyPenalty"] = *frequency;

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<bool> logprobs, OptBool(body, "logprobs", ""));
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<int64_t> top_logprobs, OptInt(body, "top_logprobs", "", 0, 20));
  if (top_logprobs.has_value() && !logprobs.value_or(false)) {
    return FieldError("top_logprobs", "requires logprobs: true");
  }
  if (logprobs.value_or(false)) {
    config["responseLogprobs"] = true;
    if (top_logprobs.has_value() && *top_logprobs > 0) config["logprobs"] = *top_logprobs;
  }

  GEMPOOL_RETURN_IF_ERROR(ConvertResponseFormat(body, options, out));
  GEMPOOL_RETURN_IF_ERROR(ConvertModalities(body, config));
  return out;
}

}  // namespace gempool::openai::internal
