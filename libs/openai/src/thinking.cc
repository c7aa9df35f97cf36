#include "thinking.h"

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/thinking_levels.h"

namespace gempool::openai::internal {
namespace {

using nlohmann::json;

absl::StatusOr<json> FromEffort(const std::string& effort, const std::string& model,
                                std::vector<std::string>* warnings) {
  std::optional<json> config = ThinkingConfigForEffort(effort, model);
  if (!config.has_value()) {
    return FieldError("reasoning_effort", absl::StrCat("'", effort,
                                                       "' is not a reasoning effort: use none, minimal, low, "
                                                       "medium, high, xhigh or max"));
  }
  if (effort == "none" && (IsGemini3Model(model) || IsGemini25ProModel(model))) {
    warnings->push_back(absl::StrCat("reasoning_effort 'none': ", model,
                                     " cannot switch thinking off; its lowest setting ", config->dump(),
                                     " was used"));
  }
  return *std::move(config);
}

absl::StatusOr<json> FromThinkingConfig(const json& config, const std::string& path) {
  json out = json::object();
  for (const auto& [key, value] : config.items()) {
    std::string field = Path(path, key);
    if (value.is_null()) continue;
    if (key == "thinking_budget" || key == "thinkingBudget") {
      GEMPOOL_ASSIGN_OR_RETURN(std::optional<int64_t> budget, OptInt(config, key, path, -1, 1'000'000));
      out["thinkingBudget"] = *budget;
    } else if (key == "thinking_level" || key == "thinkingLevel") {
      if (!value.is_string()) return FieldError(field, "must be a string: minimal, low, medium or high");
      std::string level = absl::AsciiStrToUpper(value.get<std::string>());
      if (level != "MINIMAL" && level != "LOW" && level != "MEDIUM" && level != "HIGH") {
        return FieldError(field, absl::StrCat("'", value.get<std::string>(),
                                              "' is not a thinking level: use minimal, low, medium or high"));
      }
      out["thinkingLevel"] = level;
    } else if (key == "include_thoughts" || key == "includeThoughts") {
      if (!value.is_boolean()) return FieldError(field, "must be a boolean");
      out["includeThoughts"] = value.get<bool>();
    } else {
      return FieldError(field, "is not a thinking_config field: use thinking_budget, thinking_level or "
                               "include_thoughts");
    }
  }
  if (out.contains("thinkingBudget") && out.contains("thinkingLevel")) {
    return FieldError(path, "sets both thinking_budget and thinking_level; Gemini accepts only one of them");
  }
  return out;
}

}  // namespace

absl::StatusOr<json> ResolveThinking(const json& body, const json* google_thinking_config,
                                     const std::string& config_path, const ResolvedModel& model,
                                     bool show_thinking_process, std::vector<std::string>* warnings) {
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> effort, OptString(body, "reasoning_effort", ""));
  if (effort.has_value() && google_thinking_config != nullptr) {
    return FieldError("reasoning_effort",
                      absl::StrCat("cannot be combined with ", config_path,
                                   ": Gemini takes one thinking setting (Google's own endpoint answers 400 \"found "
                                   "both\"); send only one of them"));
  }
  const std::string& base = model.upstream;
  json config;
  if (google_thinking_config != nullptr) {
    GEMPOOL_ASSIGN_OR_RETURN(config, FromThinkingConfig(*google_thinking_config, config_path));
  } else if (effort.has_value()) {
    GEMPOOL_ASSIGN_OR_RETURN(config, FromEffort(*effort, base, warnings));
  }
  // No setting of the client's own: the defaults (-non-thinking,
  // THINKING_BUDGET_MAP, includeThoughts) are ApplyModelOptions' part,
  // shared with the native API.
  if (!config.is_object() || config.empty()) return json(nullptr);
  // An OpenAI client cannot ask for thought summaries in Gemini's terms; the
  // gateway shows them as reasoning_content when SHOW_THINKING_PROCESS says
  // so, unless the client's thinking_config says otherwise.
  const bool thinking_off = config.contains("thinkingBudget") && config["thinkingBudget"].get<int64_t>() == 0;
  if (!config.contains("includeThoughts") && show_thinking_process && !thinking_off) {
    config["includeThoughts"] = true;
  }
  return config;
}

}  // namespace gempool::openai::internal
