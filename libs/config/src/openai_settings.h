#pragma once
// Loading of Config::openai (the OpenAI-compatible API's settings) from the
// environment; called by LoadConfig. Internal to gempool_config.

#include "absl/status/status.h"
#include "gempool/common/environment.h"
#include "gempool/config/config.h"

namespace gempool::config {

// Reads SEARCH_MODELS, IMAGE_MODELS, THINKING_MODELS, THINKING_BUDGET_MAP,
// SHOW_THINKING_PROCESS, SHOW_SEARCH_LINK, SEARCH_LINK_LANGUAGE,
// SAFETY_SETTINGS, FILTERED_MODELS, CREATE_IMAGE_MODEL, TTS_MODEL,
// TTS_VOICE_NAME, TTS_SPEED, TOOLS_CODE_EXECUTION_ENABLED, URL_CONTEXT_ENABLED,
// URL_CONTEXT_MODELS and MEDIA_FETCH_ALLOW_PRIVATE into `out`; unset
// variables keep the defaults. The first bad value is an InvalidArgument
// naming the variable.
absl::Status LoadOpenAISettings(const Environment& env, OpenAISettings& out);

}  // namespace gempool::config
