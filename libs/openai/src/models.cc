#include "gempool/openai/models.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gempool/openai/errors.h"
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
    if (id.empty() || ModelListed(options.filtered_models, id)) continue;
    add(id);
    if (ModelListed(options.search_models, id)) add(absl::StrCat(id, "-search"));
    if (ModelListed(options.image_models, id)) add(absl::StrCat(id, "-image"));
    if (ModelListed(options.thinking_models, id)) add(absl::StrCat(id, "-non-thinking"));
  }
  return json{{"object", "list"}, {"data", std::move(data)}};
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
