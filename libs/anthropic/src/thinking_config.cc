#include "thinking_config.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/thinking_levels.h"

namespace gempool::anthropic::internal {
namespace {

using nlohmann::json;
using openai::FieldError;
using openai::OptInt;
using openai::OptObject;
using openai::OptString;
using openai::Preview;

// Gemini 2.5 budget ranges (protocol.md §1.3): Pro 128–32768, Flash and
// Flash-Lite up to 24576.
constexpr int64_t kGemini25ProMinBudget = 128;
constexpr int64_t kGemini25ProMaxBudget = 32768;
constexpr int64_t kGemini25MaxBudget = 24576;

// The effort for adaptive thinking; validated whenever it is sent.
absl::StatusOr<std::optional<std::string>> ReadEffort(const json& body) {
  GEMPOOL_ASSIGN_OR_RETURN(const json* output_config, OptObject(body, "output_config", ""));
  if (output_config == nullptr) return std::optional<std::string>();
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> effort, OptString(*output_config, "effort", "output_config"));
  if (effort.has_value() && !openai::ThinkingConfigForEffort(*effort, "gemini-3").has_value()) {
    return FieldError("output_config.effort",
                      absl::StrCat("'", Preview(*effort), "' is not an effort: use low, medium, high, xhigh or max"));
  }
  return effort;
}

json BudgetConfig(int64_t budget, const std::string& model, std::vector<std::string>* warnings) {
  if (openai::IsGemini3Model(model)) return json{{"thinkingLevel", openai::ThinkingLevelForBudget(budget, model)}};
  const bool pro = openai::IsGemini25ProModel(model);
  const int64_t max = pro ? kGemini25ProMaxBudget : kGemini25MaxBudget;
  if (pro && budget < kGemini25ProMinBudget) {
    warnings->push_back(absl::StrCat("thinking.budget_tokens ", budget, " is below ", model, "'s minimum; ",
                                     kGemini25ProMinBudget, " was sent"));
    budget = kGemini25ProMinBudget;
  } else if (budget > max) {
    warnings->push_back(absl::StrCat("thinking.budget_tokens ", budget, " is above ", model, "'s maximum; ", max,
                                     " was sent"));
    budget = max;
  }
  return json{{"thinkingBudget", budget}};
}

}  // namespace

absl::StatusOr<ThinkingSettings> ResolveThinking(const json& body, const openai::ResolvedModel& model,
                                                 const openai::ConversionOptions& options,
                                                 std::vector<std::string>* warnings) {
  ThinkingSettings out;
  const std::string& base = model.upstream;
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> effort, ReadEffort(body));
  GEMPOOL_ASSIGN_OR_RETURN(const json* thinking, OptObject(body, "thinking", ""));
  if (thinking == nullptr) {
    if (model.non_thinking) {
      out.config = openai::LowestThinkingConfig(base);
      return out;
    }
    for (const auto& [name, budget] : options.thinking_budget_map) {
      if (openai::StripModelsPrefix(name) == base) {
        out.config = json{{"thinkingBudget", budget}};
        break;
      }
    }
    return out;
  }

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(*thinking, "type", "thinking"));
  if (!type.has_value()) return FieldError("thinking.type", "is required (enabled, adaptive or disabled)");
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> display, OptString(*thinking, "display", "thinking"));
  if (display.has_value() && *display != "summarized" && *display != "omitted") {
    return FieldError("thinking.display",
                      absl::StrCat("'", Preview(*display), "' is not a display mode: use summarized or omitted"));
  }
  if (model.non_thinking && *type != "disabled") {
    warnings->push_back(absl::StrCat("model '", model.requested,
                                     "' turns thinking off, but the request's thinking takes precedence"));
  }

  if (*type == "disabled") {
    out.config = openai::LowestThinkingConfig(base);
    if (openai::IsGemini3Model(base) || openai::IsGemini25ProModel(base)) {
      warnings->push_back(absl::StrCat("thinking disabled: ", base, " cannot switch thinking off; its lowest setting ",
                                       out.config.dump(), " was used"));
    }
    return out;
  }
  if (*type == "enabled") {
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<int64_t> budget,
                             OptInt(*thinking, "budget_tokens", "thinking", 1, INT32_MAX));
    if (!budget.has_value()) return FieldError("thinking.budget_tokens", "is required for type 'enabled'");
    out.config = BudgetConfig(*budget, base, warnings);
  } else if (*type == "adaptive") {
    if (openai::IsGemini3Model(base)) {
      out.config = *openai::ThinkingConfigForEffort(effort.value_or("high"), base);
    } else {
      out.config = json{{"thinkingBudget", -1}};
    }
  } else {
    return FieldError("thinking.type",
                      absl::StrCat("'", Preview(*type), "' is not a thinking type: use enabled, adaptive or disabled"));
  }
  out.thinking = true;
  out.show_thinking = display.value_or("summarized") != "omitted";
  out.config["includeThoughts"] = out.show_thinking;
  return out;
}

}  // namespace gempool::anthropic::internal
