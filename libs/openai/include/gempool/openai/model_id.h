#pragma once
// What an OpenAI `model` string means upstream: the "models/" prefix is
// optional, and gemini-balance's derived ids ("<m>-search", "<m>-image",
// "<m>-non-thinking") name a base model plus the tools or settings they imply.
// A suffix is only resolved when its base model is listed in the matching
// setting, because real Google ids end in "-image" too
// ("gemini-2.5-flash-image"). Pure functions; thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/options.h"

namespace gempool::openai {

struct ResolvedModel {
  // The id as the client sent it, without a leading "models/"; echoed back in
  // responses.
  std::string requested;
  // The Gemini model to call, without "models/" (tuned models keep their
  // "tunedModels/" collection).
  std::string upstream;
  bool search = false;        // "-search": add the googleSearch tool.
  bool image = false;         // "-image": responseModalities TEXT + IMAGE.
  bool non_thinking = false;  // "-non-thinking": thinking off (or at its minimum).
};

// "models/x" → "x"; anything else unchanged.
std::string StripModelsPrefix(absl::string_view model);

// Whether `model` (with or without "models/") is listed in `list` (whose
// entries may carry "models/" too).
bool ModelListed(const std::vector<std::string>& list, absl::string_view model);

// Resolves the request's `model`. InvalidArgument for an empty id, NotFound
// for a model in FILTERED_MODELS (requested or resolved id).
absl::StatusOr<ResolvedModel> ResolveModel(absl::string_view model, const ConversionOptions& options);

// Gemini 3 models think by level (thinkingLevel) and cannot switch thinking
// off; 2.5 models think by budget.
bool IsGemini3Model(absl::string_view model);
// gemini-2.5-pro rejects thinkingBudget 0; its minimum is 128.
bool IsGemini25ProModel(absl::string_view model);
// Whether gempool may add includeThoughts on its own for `model`: listed in
// THINKING_MODELS or THINKING_BUDGET_MAP, or a 2.5/3.x/"-latest" family model
// that is not an image, TTS, audio, live or embedding model. (Explicit client
// thinking settings are forwarded for every model; this only gates defaults.)
bool IsThinkingModel(absl::string_view model, const ConversionOptions& options);

}  // namespace gempool::openai
