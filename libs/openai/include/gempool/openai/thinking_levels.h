#pragma once
// The thinkingConfig values each Gemini family accepts, and the tables that
// turn client-side thinking settings (an effort name, a token budget) into
// them. Shared by the OpenAI route (reasoning_effort) and the Anthropic route
// (thinking.budget_tokens, output_config.effort). Pure functions;
// thread-safe.
//
// Gemini 2.5 thinks by budget (thinkingBudget; 0 off, -1 dynamic; 2.5 Pro
// cannot go below 128). Gemini 3 thinks by level (thinkingLevel) and cannot
// switch thinking off: 3 Flash goes down to MINIMAL, 3 Pro to LOW.

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

// Gemini 3 Pro models (no MINIMAL level).
bool IsGemini3ProModel(absl::string_view model);

// The lowest thinking setting `model` accepts: {"thinkingLevel":"MINIMAL"}
// (3 Flash), {"thinkingLevel":"LOW"} (3 Pro), {"thinkingBudget":128} (2.5
// Pro), {"thinkingBudget":0} (others: thinking off).
nlohmann::json LowestThinkingConfig(absl::string_view model);

// Google's effort table: "none" → LowestThinkingConfig; on Gemini 3
// minimal/low/medium/high → that level (minimal is LOW on 3 Pro), xhigh and
// max → HIGH; on other models budgets minimal/low 1024, medium 8192, high
// 24576, xhigh/max 24576 (32768 on 2.5 Pro). nullopt for any other effort.
std::optional<nlohmann::json> ThinkingConfigForEffort(absl::string_view effort, absl::string_view model);

// The Gemini 3 level nearest to a token budget, for clients that speak in
// budgets: ≤ 0 (off) → the lowest level (MINIMAL on 3 Flash, LOW on 3 Pro);
// 1–1024 → LOW; 1025–8192 → MEDIUM; larger → HIGH. The bounds are the
// budgets Google's effort table gives low and medium on Gemini 2.5.
const char* ThinkingLevelForBudget(int64_t budget, absl::string_view model);

}  // namespace gempool::openai
