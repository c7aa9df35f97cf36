#pragma once
// The settings that steer OpenAI ⇄ Gemini conversion, filled once by the
// gateway from its configuration (gemini-balance names in the comments) and
// passed by const reference to every conversion call. Plain data; safe to
// share between threads once built.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

// The language of the headings gempool adds to answers (grounding links).
enum class LinkLanguage { kEnglish, kChinese };

// Parses "en" / "zh" (also "en-US", "zh-CN", any case).
absl::StatusOr<LinkLanguage> ParseLinkLanguage(absl::string_view text);

// How JSON Schemas from OpenAI clients (tool parameters, response_format) are
// sent to Gemini.
enum class SchemaDialect {
  // As JSON Schema in `parametersJsonSchema` / `responseJsonSchema` (v1beta),
  // lightly normalised: nothing that carries meaning is dropped. The default.
  kJsonSchema,
  // Translated to the OpenAPI subset of `parameters` / `responseSchema`, for
  // upstreams without the JSON Schema fields (the v1 API, older proxies).
  // Lossy: keywords Gemini's Schema lacks are removed (and reported).
  kOpenApiSubset,
};

struct ConversionOptions {
  // SEARCH_MODELS: "<model>-search" adds the Google Search tool.
  std::vector<std::string> search_models;
  // IMAGE_MODELS: "<model>-image" asks for text and image output.
  std::vector<std::string> image_models;
  // THINKING_MODELS: "<model>-non-thinking" turns thinking off.
  std::vector<std::string> thinking_models;
  // THINKING_BUDGET_MAP: base model id → thinkingBudget, used when the client
  // asked for no thinking setting of its own.
  std::map<std::string, int> thinking_budget_map;
  // SHOW_THINKING_PROCESS: ask thinking models for thought summaries
  // (includeThoughts), returned as reasoning_content.
  bool show_thinking_process = true;
  // SHOW_SEARCH_LINK: append grounding sources to the answer as Markdown.
  bool show_search_link = true;
  // SAFETY_SETTINGS: a JSON array of {category, threshold}, sent only when the
  // client set none. Empty array: send none.
  nlohmann::json safety_settings = nlohmann::json::array();
  // FILTERED_MODELS: hidden from lists and refused.
  std::vector<std::string> filtered_models;
  // Language of the grounding-links heading.
  LinkLanguage link_language = LinkLanguage::kEnglish;
  SchemaDialect schema_dialect = SchemaDialect::kJsonSchema;
  // Whether http(s) image URLs are accepted (the caller fetches them). When
  // false they are refused with a 400 naming the field.
  bool allow_remote_media = true;
  // TOOLS_CODE_EXECUTION_ENABLED: add the codeExecution tool where it can work.
  bool code_execution = false;
  // URL_CONTEXT_ENABLED + URL_CONTEXT_MODELS: add the urlContext tool.
  bool url_context = false;
  std::vector<std::string> url_context_models;
  // Gemini 3 rejects a tool-call history whose first call carries no thought
  // signature (clients that drop `extra_content` do that). When true, such
  // calls get Google's documented "skip_thought_signature_validator" value
  // (with a warning) instead of failing with a 400.
  bool fill_missing_thought_signatures = true;
  // Prefix that turns a Files API name ("files/abc") into the fileUri Gemini
  // expects.
  std::string files_uri_base = "https://generativelanguage.googleapis.com/v1beta/";

  // --- /v1/images/generations ---
  // CREATE_IMAGE_MODEL: used when the client names no Imagen/Gemini model.
  std::string create_image_model = "imagen-3.0-generate-002";

  // --- /v1/audio/speech ---
  // TTS_MODEL: used when the client names no Gemini TTS model.
  std::string tts_model = "gemini-2.5-flash-preview-tts";
  // TTS_VOICE_NAME: used when the requested voice is not a Gemini voice.
  std::string tts_voice_name = "Zephyr";
  // TTS_SPEED: "normal" (or empty) leaves the text alone; any other word
  // ("slow", "fast") is asked for in the prompt, as gemini-balance does.
  std::string tts_speed = "normal";
};

}  // namespace gempool::openai
