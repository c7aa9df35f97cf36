#include "openai_settings.h"

#include <cmath>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/common/status_macros.h"
#include "gempool/config/parse.h"
#include "nlohmann/json.hpp"

namespace gempool::config {
namespace {

// Thinking budgets Gemini accepts: -1 (dynamic), 0 (off), up to 32768 (2.5 Pro's maximum).
constexpr int64_t kMinThinkingBudget = -1;
constexpr int64_t kMaxThinkingBudget = 32768;

const std::set<std::string>& SafetyThresholds() {
  static const auto* const kThresholds = new std::set<std::string>{
      "HARM_BLOCK_THRESHOLD_UNSPECIFIED", "BLOCK_LOW_AND_ABOVE", "BLOCK_MEDIUM_AND_ABOVE",
      "BLOCK_ONLY_HIGH", "BLOCK_NONE", "OFF"};
  return *kThresholds;
}

absl::Status InvalidOpenAISetting(absl::string_view name, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(name, " is not valid: ", why));
}

absl::StatusOr<std::map<std::string, int>> ParseBudgetMap(absl::string_view name, absl::string_view text) {
  std::map<std::string, int> out;
  const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return InvalidOpenAISetting(name, "expected a JSON object of model to thinking budget, e.g. {\"gemini-2.5-flash\": 1024}");
  }
  for (const auto& [model, value] : parsed.items()) {
    if (model.empty()) return InvalidOpenAISetting(name, "a model name is empty");
    if (!value.is_number() || !std::isfinite(value.get<double>()) ||
        value.get<double>() != std::floor(value.get<double>())) {
      return InvalidOpenAISetting(name, absl::StrCat("the budget of \"", model, "\" is ", value.dump(),
                                        ": expected a whole number of tokens"));
    }
    const double budget = value.get<double>();
    if (budget < kMinThinkingBudget || budget > kMaxThinkingBudget) {
      return InvalidOpenAISetting(name, absl::StrCat("the budget of \"", model, "\" is ", value.dump(), ": expected ",
                                        kMinThinkingBudget, " (dynamic), 0 (off) or up to ", kMaxThinkingBudget));
    }
    out[model] = static_cast<int>(budget);
  }
  return out;
}

absl::StatusOr<std::vector<SafetySetting>> ParseSafetySettings(absl::string_view name, absl::string_view text) {
  const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_array()) {
    return InvalidOpenAISetting(name,
                   "expected a JSON list such as [{\"category\": \"HARM_CATEGORY_HARASSMENT\", \"threshold\": "
                   "\"OFF\"}] ([] sends none)");
  }
  std::vector<SafetySetting> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < parsed.size(); ++i) {
    const nlohmann::json& entry = parsed[i];
    const std::string where = absl::StrCat("entry ", i);
    if (!entry.is_object() || !entry.contains("category") || !entry.contains("threshold") ||
        !entry["category"].is_string() || !entry["threshold"].is_string() || entry.size() != 2) {
      return InvalidOpenAISetting(name, absl::StrCat(where, " is ", entry.dump(),
                                        ": expected exactly {\"category\": \"...\", \"threshold\": \"...\"}"));
    }
    SafetySetting setting{entry["category"].get<std::string>(), entry["threshold"].get<std::string>()};
    if (!absl::StartsWith(setting.category, "HARM_CATEGORY_")) {
      return InvalidOpenAISetting(name, absl::StrCat(where, ": category \"", setting.category,
                                        "\" is not a Gemini harm category (HARM_CATEGORY_HARASSMENT, "
                                        "HARM_CATEGORY_HATE_SPEECH, HARM_CATEGORY_SEXUALLY_EXPLICIT, "
                                        "HARM_CATEGORY_DANGEROUS_CONTENT, HARM_CATEGORY_CIVIC_INTEGRITY, ...)"));
    }
    if (SafetyThresholds().count(setting.threshold) == 0) {
      return InvalidOpenAISetting(name, absl::StrCat(where, ": threshold \"", setting.threshold, "\" is not one of ",
                                        absl::StrJoin(SafetyThresholds(), ", ")));
    }
    if (!seen.insert(setting.category).second) {
      return InvalidOpenAISetting(name, absl::StrCat("category \"", setting.category, "\" appears twice"));
    }
    out.push_back(std::move(setting));
  }
  return out;
}

// A single model id: no spaces, quotes or separators.
absl::Status ValidateModelName(absl::string_view name, absl::string_view model) {
  if (model.empty()) return InvalidOpenAISetting(name, "it is empty; name a model, e.g. imagen-3.0-generate-002");
  for (char c : model) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_' && c != '/' &&
        c != '@' && c != '+' && c != '~') {
      return InvalidOpenAISetting(name, absl::StrCat("\"", model, "\" is not a model id (letters, digits and - . _ / @ + ~)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadOpenAISettings(const Environment& env, OpenAISettings& out) {
  auto text = [&](const char* name) { return std::string(absl::StripAsciiWhitespace(env.GetOr(name, ""))); };
  auto has = [&](const char* name) { return !text(name).empty(); };
  auto list = [&](const char* name, std::vector<std::string>& field) -> absl::Status {
    if (!has(name)) return absl::OkStatus();
    GEMPOOL_ASSIGN_OR_RETURN(field, ParseStringList(name, text(name)));
    for (const std::string& model : field) GEMPOOL_RETURN_IF_ERROR(ValidateModelName(name, model));
    return absl::OkStatus();
  };
  auto flag = [&](const char* name, bool& field) -> absl::Status {
    if (!has(name)) return absl::OkStatus();
    GEMPOOL_ASSIGN_OR_RETURN(field, ParseBool(name, text(name)));
    return absl::OkStatus();
  };
  auto model = [&](const char* name, std::string& field) -> absl::Status {
    if (!has(name)) return absl::OkStatus();
    field = text(name);
    return ValidateModelName(name, field);
  };

  GEMPOOL_RETURN_IF_ERROR(list("SEARCH_MODELS", out.search_models));
  GEMPOOL_RETURN_IF_ERROR(list("IMAGE_MODELS", out.image_models));
  GEMPOOL_RETURN_IF_ERROR(list("THINKING_MODELS", out.thinking_models));
  if (has("THINKING_BUDGET_MAP")) {
    GEMPOOL_ASSIGN_OR_RETURN(out.thinking_budget_map,
                             ParseBudgetMap("THINKING_BUDGET_MAP", text("THINKING_BUDGET_MAP")));
  }
  GEMPOOL_RETURN_IF_ERROR(flag("SHOW_THINKING_PROCESS", out.show_thinking_process));
  GEMPOOL_RETURN_IF_ERROR(flag("SHOW_SEARCH_LINK", out.show_search_link));
  if (has("SEARCH_LINK_LANGUAGE")) {
    const std::string language = absl::AsciiStrToLower(text("SEARCH_LINK_LANGUAGE"));
    if (language == "en" || absl::StartsWith(language, "en-") || absl::StartsWith(language, "en_")) {
      out.search_link_language = "en";
    } else if (language == "zh" || absl::StartsWith(language, "zh-") || absl::StartsWith(language, "zh_")) {
      out.search_link_language = "zh";
    } else {
      return InvalidOpenAISetting("SEARCH_LINK_LANGUAGE",
                     absl::StrCat("\"", text("SEARCH_LINK_LANGUAGE"), "\": expected en (English) or zh (Chinese)"));
    }
  }
  if (has("SAFETY_SETTINGS")) {
    GEMPOOL_ASSIGN_OR_RETURN(out.safety_settings, ParseSafetySettings("SAFETY_SETTINGS", text("SAFETY_SETTINGS")));
  }
  GEMPOOL_RETURN_IF_ERROR(list("FILTERED_MODELS", out.filtered_models));
  GEMPOOL_RETURN_IF_ERROR(model("CREATE_IMAGE_MODEL", out.create_image_model));
  GEMPOOL_RETURN_IF_ERROR(model("TTS_MODEL", out.tts_model));
  if (has("TTS_VOICE_NAME")) {
    out.tts_voice_name = text("TTS_VOICE_NAME");
    for (char c : out.tts_voice_name) {
      if (!absl::ascii_isalpha(static_cast<unsigned char>(c))) {
        return InvalidOpenAISetting("TTS_VOICE_NAME", absl::StrCat("\"", out.tts_voice_name,
                                                      "\": expected a Gemini voice name such as Zephyr or Kore"));
      }
    }
  }
  if (has("TTS_SPEED")) {
    const std::string speed = text("TTS_SPEED");
    bool valid = speed.size() <= 32;
    for (char c : speed) valid = valid && (absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == ' ' || c == '-');
    if (!valid) {
      return InvalidOpenAISetting("TTS_SPEED", absl::StrCat("\"", speed,
                                               "\": expected a word such as slow, normal or fast (letters, "
                                               "spaces and hyphens, at most 32)"));
    }
    out.tts_speed = speed;
  }
  GEMPOOL_RETURN_IF_ERROR(flag("TOOLS_CODE_EXECUTION_ENABLED", out.tools_code_execution_enabled));
  GEMPOOL_RETURN_IF_ERROR(flag("URL_CONTEXT_ENABLED", out.url_context_enabled));
  GEMPOOL_RETURN_IF_ERROR(list("URL_CONTEXT_MODELS", out.url_context_models));
  GEMPOOL_RETURN_IF_ERROR(flag("MEDIA_FETCH_ALLOW_PRIVATE", out.media_fetch_allow_private));
  return absl::OkStatus();
}

}  // namespace gempool::config

namespace gempool {

bool operator==(const SafetySetting& a, const SafetySetting& b) {
  return a.category == b.category && a.threshold == b.threshold;
}

bool operator==(const OpenAISettings& a, const OpenAISettings& b) {
  return std::tie(a.search_models, a.image_models, a.thinking_models, a.thinking_budget_map,
                  a.show_thinking_process, a.show_search_link, a.search_link_language, a.safety_settings,
                  a.filtered_models, a.create_image_model, a.tts_model, a.tts_voice_name, a.tts_speed,
                  a.tools_code_execution_enabled, a.url_context_enabled, a.url_context_models,
                  a.media_fetch_allow_private) ==
         std::tie(b.search_models, b.image_models, b.thinking_models, b.thinking_budget_map,
                  b.show_thinking_process, b.show_search_link, b.search_link_language, b.safety_settings,
                  b.filtered_models, b.create_image_model, b.tts_model, b.tts_voice_name, b.tts_speed,
                  b.tools_code_execution_enabled, b.url_context_enabled, b.url_context_models,
                  b.media_fetch_allow_private);
}

}  // namespace gempool
