#include "gempool/openai/thinking_levels.h"

#include "absl/strings/match.h"
#include "gempool/openai/model_id.h"

namespace gempool::openai {
namespace {

using nlohmann::json;

// gemini-2.5-pro cannot switch thinking off; 128 is its smallest budget.
constexpr int kGemini25ProMinBudget = 128;
// Upper bounds of the budget → level rule (Google's 2.5 budgets for the
// low and medium efforts).
constexpr int64_t kLowLevelMaxBudget = 1024;
constexpr int64_t kMediumLevelMaxBudget = 8192;

const char* LowestLevel(absl::string_view model) { return IsGemini3ProModel(model) ? "LOW" : "MINIMAL"; }

}  // namespace

bool IsGemini3ProModel(absl::string_view model) { return IsGemini3Model(model) && absl::StrContains(model, "pro"); }

json LowestThinkingConfig(absl::string_view model) {
  if (IsGemini3Model(model)) return json{{"thinkingLevel", LowestLevel(model)}};
  if (IsGemini25ProModel(model)) return json{{"thinkingBudget", kGemini25ProMinBudget}};
  return json{{"thinkingBudget", 0}};
}

std::optional<json> ThinkingConfigForEffort(absl::string_view effort, absl::string_view model) {
  if (effort == "none") return LowestThinkingConfig(model);
  if (IsGemini3Model(model)) {
    if (effort == "minimal") return json{{"thinkingLevel", LowestLevel(model)}};
    if (effort == "low") return json{{"thinkingLevel", "LOW"}};
    if (effort == "medium") return json{{"thinkingLevel", "MEDIUM"}};
    if (effort == "high" || effort == "xhigh" || effort == "max") return json{{"thinkingLevel", "HIGH"}};
    return std::nullopt;
  }
  // Google's table for Gemini 2.5 budgets.
  if (effort == "minimal" || effort == "low") return json{{"thinkingBudget", 1024}};
  if (effort == "medium") return json{{"thinkingBudget", 8192}};
  if (effort == "high") return json{{"thinkingBudget", 24576}};
  if (effort == "xhigh" || effort == "max") {
    return json{{"thinkingBudget", IsGemini25ProModel(model) ? 32768 : 24576}};
  }
  return std::nullopt;
}

const char* ThinkingLevelForBudget(int64_t budget, absl::string_view model) {
  if (budget <= 0) return LowestLevel(model);
  if (budget <= kLowLevelMaxBudget) return "LOW";
  if (budget <= kMediumLevelMaxBudget) return "MEDIUM";
  return "HIGH";
}

}  // namespace gempool::openai
