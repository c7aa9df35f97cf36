#include "gempool/openai/models.h"

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/image_chat.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/model_id.h"

namespace gempool::openai {

using nlohmann::json;

absl::StatusOr<json> ConvertModelList(const json& gemini_models, const ConversionOptions& options,
                                      int64_t created_unix) {
  const json* models = nullptr;
  if (gemini_models.is_array()) {
    models = &gemini_models;
  } else if (gemini_models.is_object()) {
    models = Find(gemini_models, "models");
    if (models == nullptr) {
      static const json kEmpty = json::array();
      models = &kEmpty;  // Google omits empty lists.
    }
  }
  if (models == nullptr || !models->is_array()) {
    return absl::InternalError("Gemini's model list is neither {\"models\":[...]} nor an array of models");
  }

  json data = json::array();
  std::set<std::string> seen;
  auto add = [&](const std::string& id) {
    if (id.empty() || ModelListed(options.filtered_models, id) || !seen.insert(id).second) return;
    data.push_back(json{{"id", id}, {"object", "model"}, {"created", created_unix}, {"owned_by", "google"}});
  };
  for (const json& model : *models) {
    std::string name;
    if (model.is_object()) {
      name = StringOr(model, "name", "");
    } else if (model.is_string()) {
      name = model.get<std::string>();
    }
    std::string id = StripModelsPrefix(name);
    // An id with a '/' left ("models/models/x") names nothing a client can
    // call: requests strip one "models/" too, so it could not be found.
    if (id.empty() || absl::StrContains(id, '/') || ModelListed(options.filtered_models, id)) continue;
    add(id);
    if (ModelListed(options.search_models, id)) add(absl::StrCat(id, "-search"));
    if (ModelListed(options.image_models, id)) add(absl::StrCat(id, "-image"));
    if (ModelListed(options.thinking_models, id)) add(absl::StrCat(id, "-non-thinking"));
  }
  // gemini-balance's image chat model (image_chat.h), last as it lists it.
  if (const std::string image_chat = ImageChatModel(options); !image_chat.empty()) add(image_chat);
  return json{{"object", "list"}, {"data", std::move(data)}};
}

namespace {

// `base` renamed to the derived id `id` (suffix `suffix`, shown as `label`).
json DerivedCopy(const json& base, const std::string& id, absl::string_view label) {
  json copy = base;
  copy["name"] = absl::StrCat("models/", id);
  const std::string display = StringOr(base, "displayName", "");
  copy["displayName"] = display.empty() ? id : absl::StrCat(display, " (", label, ")");
  return copy;
}

}  // namespace

absl::StatusOr<json> WithDerivedGeminiModels(const json& page, const ConversionOptions& options) {
  if (!page.is_object()) return absl::InternalError("Gemini's model list is not a JSON object");
  const json* models = Find(page, "models");
  if (models == nullptr) return page;  // Google omits empty lists.
  if (!models->is_array()) return absl::InternalError("Gemini's model list has no \"models\" array");
  json out = page;
  json listed = json::array();
  for (const json& model : *models) {
    const std::string id = model.is_object() ? StripModelsPrefix(StringOr(model, "name", "")) : "";
    if (!id.empty() && ModelListed(options.filtered_models, id)) continue;
    listed.push_back(model);
    if (id.empty()) continue;
    auto add = [&](const char* suffix, absl::string_view label) {
      const std::string derived = absl::StrCat(id, suffix);
      if (!ModelListed(options.filtered_models, derived)) listed.push_back(DerivedCopy(model, derived, label));
    };
    if (ModelListed(options.search_models, id)) add("-search", "search");
    if (ModelListed(options.image_models, id)) add("-image", "image");
    if (ModelListed(options.thinking_models, id)) add("-non-thinking", "non-thinking");
  }
  out["models"] = std::move(listed);
  return out;
}

json DerivedGeminiModel(const json& base, const ResolvedModel& model) {
  if (model.search) return DerivedCopy(base, model.requested, "search");
  if (model.image) return DerivedCopy(base, model.requested, "image");
  if (model.non_thinking) return DerivedCopy(base, model.requested, "non-thinking");
  return base;
}

absl::StatusOr<json> FindModel(const json& openai_list, absl::string_view id) {
  std::string wanted = StripModelsPrefix(id);
  if (const json* data = Find(openai_list, "data"); data != nullptr && data->is_array()) {
    for (const json& entry : *data) {
      if (entry.is_object() && StringOr(entry, "id", "") == wanted) return entry;
    }
  }
  return FieldError(absl::StatusCode::kNotFound, "model",
                    absl::StrCat("'", wanted, "' does not exist or is not available on this gateway"));
}

}  // namespace gempool::openai
