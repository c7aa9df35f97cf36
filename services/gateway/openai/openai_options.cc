#include "openai/openai_options.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "gempool/openai/speech.h"
#include "nlohmann/json.hpp"

namespace gempool::gateway {

std::string OpenAIUpstreamVersion(absl::string_view base_url_version) {
  return base_url_version.empty() ? "v1beta" : std::string(base_url_version);
}

absl::StatusOr<openai::ConversionOptions> MakeConversionOptions(const Config& config,
                                                                absl::string_view upstream_version) {
  const OpenAISettings& s = config.openai;
  openai::ConversionOptions o;
  o.search_models = s.search_models;
  o.image_models = s.image_models;
  o.thinking_models = s.thinking_models;
  o.thinking_budget_map = s.thinking_budget_map;
  o.show_thinking_process = s.show_thinking_process;
  o.show_search_link = s.show_search_link;
  absl::StatusOr<openai::LinkLanguage> language = openai::ParseLinkLanguage(s.search_link_language);
  if (!language.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("SEARCH_LINK_LANGUAGE '", s.search_link_language, "' is not valid: expected en or zh"));
  }
  o.link_language = *language;
  o.safety_settings = nlohmann::json::array();
  for (const SafetySetting& setting : s.safety_settings) {
    o.safety_settings.push_back({{"category", setting.category}, {"threshold", setting.threshold}});
  }
  o.filtered_models = s.filtered_models;
  o.schema_dialect =
      upstream_version == "v1" ? openai::SchemaDialect::kOpenApiSubset : openai::SchemaDialect::kJsonSchema;
  o.allow_remote_media = true;  // MediaFetcher applies the address and size rules.
  o.code_execution = s.tools_code_execution_enabled;
  o.url_context = s.url_context_enabled;
  o.url_context_models = s.url_context_models;
  o.create_image_model = s.create_image_model;
  o.tts_model = s.tts_model;
  std::string voice;
  if (!openai::IsGeminiVoice(s.tts_voice_name, &voice)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TTS_VOICE_NAME '", s.tts_voice_name,
        "' is not one of Gemini's prebuilt voices (e.g. Zephyr, Puck, Charon, Kore, Fenrir, Leda, Aoede)"));
  }
  o.tts_voice_name = voice;
  o.tts_speed = s.tts_speed;
  return o;
}

MediaFetcher::Options MediaFetchOptions(const Config& config) {
  MediaFetcher::Options options;
  options.allow_private = config.openai.media_fetch_allow_private;
  return options;
}

}  // namespace gempool::gateway
