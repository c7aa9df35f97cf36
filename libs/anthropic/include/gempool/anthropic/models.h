#pragma once
// GET /v1/models for Anthropic clients (a request carrying
// anthropic-version): {"data":[ModelInfo…],"first_id","last_id","has_more"}
// with ModelInfo = {"type":"model","id","display_name","created_at"
// (RFC 3339),"max_input_tokens","max_tokens"}. The entries are the exact
// (wildcard-free) names of ANTHROPIC_MODEL_MAP first (Claude Code's model
// discovery keeps only ids containing "claude"), then the upstream Gemini
// models without FILTERED_MODELS. Paged with `limit` (1–1000, default 20),
// `after_id` and `before_id` like Anthropic's list (`has_more` in the
// direction paged; an id that is not in the list is InvalidArgument naming
// the parameter). Map names whose target is in FILTERED_MODELS are hidden.
// Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/anthropic/model_map.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::anthropic {

struct ModelPage {
  int limit = 20;
  std::string after_id;
  std::string before_id;
};

// The query of GET /v1/models (raw, undecoded). InvalidArgument naming the
// parameter for a bad limit.
absl::StatusOr<ModelPage> ParseModelPage(absl::string_view raw_query);

// `gemini_models` is a JSON array of Gemini Model objects; `fetched_unix`
// their fetch time (the `created_at` of every entry). Internal when it is
// not an array.
absl::StatusOr<nlohmann::json> ConvertModelList(const nlohmann::json& gemini_models, const ModelMap& models,
                                                const openai::ConversionOptions& options, int64_t fetched_unix,
                                                const ModelPage& page);

// The ModelInfo of `id` (GET /v1/models/{id}); NotFound naming it.
absl::StatusOr<nlohmann::json> FindModel(const nlohmann::json& gemini_models, const ModelMap& models,
                                         const openai::ConversionOptions& options, int64_t fetched_unix,
                                         absl::string_view id);

}  // namespace gempool::anthropic
