#include "gempool/openai/model_id.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gempool/openai/errors.h"

namespace gempool::openai {
namespace {

constexpr absl::string_view kSearchSuffix = "-search";
constexpr absl::string_view kImageSuffix = "-image";
constexpr absl::string_view kNonThinkingSuffix = "-non-thinking";

// StripModelsPrefix without the copy: these run on every request, over
// option lists whose ids are too long for std::string's inline buffer.
absl::string_view WithoutModelsPrefix(absl::string_view model) {
  absl::ConsumePrefix(&model, "models/");
  return model;
}

absl::Status FilteredError(absl::string_view model) {
  return FieldError(absl::StatusCode::kNotFound, "model",
                    absl::StrCat("'", model, "' is not available on this gateway (listed in FILTERED_MODELS)"));
}

}  // namespace

std::string StripModelsPrefix(absl::string_view model) {
  absl::ConsumePrefix(&model, "models/");
  return std::string(model);
}

bool ModelListed(const std::vector<std::string>& list, absl::string_view model) {
  const absl::string_view wanted = WithoutModelsPrefix(model);
  for (const std::string& entry : list) {
    if (WithoutModelsPrefix(entry) == wanted) return true;
  }
  return false;
}

absl::StatusOr<ResolvedModel> ResolveModel(absl::string_view model, const ConversionOptions& options) {
  ResolvedModel out;
  out.requested = StripModelsPrefix(model);
  if (out.requested.empty()) return FieldError("model", "must name a Gemini model, e.g. \"gemini-2.5-flash\"");
  if (ModelListed(options.filtered_models, out.requested)) return FilteredError(out.requested);
  out.upstream = out.requested;

  absl::string_view id = out.requested;
  if (absl::EndsWith(id, kSearchSuffix) &&
      ModelListed(options.search_models, absl::StripSuffix(id, kSearchSuffix))) {
    out.search = true;
    out.upstream = std::string(absl::StripSuffix(id, kSearchSuffix));
  } else if (absl::EndsWith(id, kImageSuffix) &&
             ModelListed(options.image_models, absl::StripSuffix(id, kImageSuffix))) {
    out.image = true;
    out.upstream = std::string(absl::StripSuffix(id, kImageSuffix));
  } else if (absl::EndsWith(id, kNonThinkingSuffix) &&
             ModelListed(options.thinking_models, absl::StripSuffix(id, kNonThinkingSuffix))) {
    out.non_thinking = true;
    out.upstream = std::string(absl::StripSuffix(id, kNonThinkingSuffix));
  }
  if (out.upstream != out.requested && ModelListed(options.filtered_models, out.upstream)) {
    return FilteredError(out.upstream);
  }
  return out;
}

bool IsGemini3Model(absl::string_view model) { return absl::StartsWith(WithoutModelsPrefix(model), "gemini-3"); }

bool IsGemini25ProModel(absl::string_view model) {
  return absl::StartsWith(WithoutModelsPrefix(model), "gemini-2.5-pro");
}

bool IsThinkingModel(absl::string_view model, const ConversionOptions& options) {
  const absl::string_view id = WithoutModelsPrefix(model);
  if (ModelListed(options.thinking_models, id)) return true;
  for (const auto& [name, budget] : options.thinking_budget_map) {
    if (WithoutModelsPrefix(name) == id) return true;
  }
  for (absl::string_view excluded : {"image", "tts", "audio", "live", "embedding"}) {
    if (absl::StrContains(id, excluded)) return false;
  }
  for (absl::string_view family : {"gemini-2.5", "gemini-3", "gemini-flash", "gemini-pro"}) {
    if (absl::StartsWith(id, family)) return true;
  }
  return absl::StrContains(id, "thinking");
}

}  // namespace gempool::openai
