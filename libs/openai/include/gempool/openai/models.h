#pragma once
// The upstream model list in OpenAI form for GET /v1/models:
// {"object":"list","data":[{"id","object":"model","created","owned_by":"google"}]}
// with ids without "models/", FILTERED_MODELS removed, and gemini-balance's
// derived ids added right after their base model: "<m>-search" for
// SEARCH_MODELS, "<m>-image" for IMAGE_MODELS, "<m>-non-thinking" for
// THINKING_MODELS (only for models the upstream actually lists), and
// "<CREATE_IMAGE_MODEL>-chat" (image_chat.h) last. Gemini has no
// creation time, so every entry carries the caller's `created`. Pure
// functions; thread-safe.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/model_id.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

// `gemini_models` is a ListModelsResponse ({"models":[...]}) or a JSON array
// of Model objects (several pages joined by the caller). Internal when it is
// neither.
absl::StatusOr<nlohmann::json> ConvertModelList(const nlohmann::json& gemini_models, const ConversionOptions& options,
                                                int64_t created_unix);

// The entry of a converted list whose id is `id` (with or without
// "models/"), for GET /v1/models/{id}; NotFound naming the id otherwise.
absl::StatusOr<nlohmann::json> FindModel(const nlohmann::json& openai_list, absl::string_view id);

// The native list (GET /v1beta/models, a ListModelsResponse page) as
// gempool serves it: FILTERED_MODELS removed, each derived model added right
// after its base model as a copy of it named "models/<id>-search" (and
// -image, -non-thinking; displayName marked too); nextPageToken and other
// fields kept. Internal when `page` is not an object with a "models" array
// (an empty object is an empty page).
absl::StatusOr<nlohmann::json> WithDerivedGeminiModels(const nlohmann::json& page, const ConversionOptions& options);

// The native Model object of `model` (resolved, derived) made from its base
// model's object `base` (GET /v1beta/models/{id}): the base unchanged for a
// plain id, else the derived copy as in the list.
nlohmann::json DerivedGeminiModel(const nlohmann::json& base, const ResolvedModel& model);

}  // namespace gempool::openai
