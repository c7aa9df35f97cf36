#pragma once
// The upstream model list in OpenAI form for GET /v1/models:
// {"object":"list","data":[{"id","object":"model","created","owned_by":"google"}]}
// with ids without "models/", FILTERED_MODELS removed, and gemini-balance's
// derived ids added right after their base model: "<m>-search" for
// SEARCH_MODELS, "<m>-image" for IMAGE_MODELS, "<m>-non-thinking" for
// THINKING_MODELS (only for models the upstream actually lists). Gemini has no
// creation time, so every entry carries the caller's `created`. Pure
// functions; thread-safe.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
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

}  // namespace gempool::openai
