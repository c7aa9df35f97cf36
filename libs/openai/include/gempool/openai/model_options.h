#pragma once
// The gateway's model options applied to a Gemini GenerateContentRequest:
// one set of rules for every route that sends one (the native Gemini API,
// OpenAI chat completions, ...), so a setting means the same everywhere.
// Each rule fills in only what the request leaves open:
//   - SAFETY_SETTINGS as `safetySettings` when the request has none;
//   - "<m>-image" (IMAGE_MODELS): responseModalities TEXT + IMAGE unless set;
//   - thinking, unless the request has a thinkingConfig: "<m>-non-thinking"
//     (THINKING_MODELS) the model's lowest setting (thinking off where it
//     can be), else THINKING_BUDGET_MAP's budget for the base model;
//     then SHOW_THINKING_PROCESS adds includeThoughts to a thinking model's
//     config unless the request sets includeThoughts or turns thinking off;
//   - tools: "<m>-search" (SEARCH_MODELS) googleSearch,
//     TOOLS_CODE_EXECUTION_ENABLED codeExecution (not on -search/-image
//     models, with media parts, function declarations or a JSON response
//     type), URL_CONTEXT_ENABLED urlContext for URL_CONTEXT_MODELS (not with
//     function declarations or a JSON response type); a tool already present
//     is not added twice. Gemini 2.x refuses Google Search next to function
//     declarations, so there it is left out with a warning.
// Field names are matched in both JSON spellings Google accepts
// (generationConfig / generation_config, ...); added fields use the
// spelling of the object they go into. Pure; thread-safe.

#include <string>
#include <vector>

#include "gempool/openai/model_id.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

struct AppliedModelOptions {
  // Whether `request` was changed at all (false: send the client's bytes).
  bool changed = false;
  // What was adjusted or left out, for a response header and the logs.
  std::vector<std::string> warnings;
};

// Applies the options for `model` (resolved by ResolveModel) to `request`, a
// GenerateContentRequest object. A request that is not a JSON object is left
// alone (Google answers it).
AppliedModelOptions ApplyModelOptions(const ResolvedModel& model, const ConversionOptions& options,
                                      nlohmann::json& request);

}  // namespace gempool::openai
