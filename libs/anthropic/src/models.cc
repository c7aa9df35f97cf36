#include "gempool/anthropic/models.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gempool/gemini/url.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/model_id.h"

namespace gempool::anthropic {
namespace {

using nlohmann::json;
using openai::Find;

constexpr int kMaxLimit = 1000;

bool IsExactPattern(absl::string_view pattern) {
  return !pattern.empty() && pattern.find_first_of("*?") == absl::string_view::npos;
}

// A positive token limit of a Gemini Model, else null (Anthropic's
// ModelInfo allows null for unknown limits).
json TokenLimit(const json* model, absl::string_view key) {
  if (model == nullptr) return nullptr;
  const json* value = Find(*model, key);
  if (value == nullptr || !value->is_number_integer() || value->get<int64_t>() <= 0) return nullptr;
  return value->get<int64_t>();
}

json ModelInfo(std::string id, std::string display_name, const std::string& created_at, const json* gemini_model) {
  json info(json::value_t::object);
  info.emplace("type", "model");
  info.emplace("id", std::move(id));
  info.emplace("display_name", std::move(display_name));
  info.emplace("created_at", created_at);
  info.emplace("max_input_tokens", TokenLimit(gemini_model, "inputTokenLimit"));
  info.emplace("max_tokens", TokenLimit(gemini_model, "outputTokenLimit"));
  return info;
}

// Every entry, unpaged, in list order.
absl::StatusOr<std::vector<json>> AllModels(const json& gemini_models, const ModelMap& models,
                                            const openai::ConversionOptions& options, int64_t fetched_unix) {
  const json* list = &gemini_models;
  if (gemini_models.is_object()) {
    static const json kEmpty = json::array();
    list = Find(gemini_models, "models");  // A ListModelsResponse; Google omits empty lists.
    if (list == nullptr) list = &kEmpty;
  }
  if (!list->is_array()) {
    return absl::InternalError("Gemini's model list is neither an array of models nor {\"models\":[...]}");
  }
  const std::string created_at =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(fetched_unix), absl::UTCTimeZone());

  std::vector<std::pair<std::string, const json*>> upstream;  // id, Model
  for (const json& model : *list) {
    if (!model.is_object()) continue;
    std::string id = openai::StripModelsPrefix(openai::StringOr(model, "name", ""));
    if (!id.empty()) upstream.emplace_back(std::move(id), &model);
  }
  auto upstream_model = [&](absl::string_view id) -> const json* {
    for (const auto& [upstream_id, model] : upstream) {
      if (upstream_id == id) return model;
    }
    return nullptr;
  };

  std::vector<json> out;
  std::set<std::string> seen;
  // The map's exact names first: they are the ids Claude Code's model
  // discovery keeps ("claude" in the id).
  for (const ModelMap::Entry& entry : models.entries()) {
    if (!IsExactPattern(entry.pattern) || openai::ModelListed(options.filtered_models, entry.model) ||
        openai::ModelListed(options.filtered_models, entry.pattern) || !seen.insert(entry.pattern).second) {
      continue;
    }
    out.push_back(ModelInfo(entry.pattern, absl::StrCat(entry.pattern, " → ", entry.model), created_at,
                            upstream_model(openai::StripModelsPrefix(entry.model))));
  }
  for (const auto& [id, model] : upstream) {
    if (openai::ModelListed(options.filtered_models, id) || !seen.insert(id).second) continue;
    std::string display_name = openai::StringOr(*model, "displayName", "");
    out.push_back(ModelInfo(id, display_name.empty() ? id : std::move(display_name), created_at, model));
  }
  return out;
}

absl::StatusOr<size_t> Position(const std::vector<json>& all, absl::string_view parameter, const std::string& id) {
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i]["id"].get_ref<const std::string&>() == id) return i;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(parameter, " '", id, "' is not the id of a model in this list (GET /v1/models shows them)"));
}

}  // namespace

absl::StatusOr<ModelPage> ParseModelPage(absl::string_view raw_query) {
  ModelPage page;
  if (std::optional<std::string> limit = gemini::QueryParam(raw_query, "limit"); limit.has_value()) {
    int value = 0;
    if (!absl::SimpleAtoi(*limit, &value) || value < 1 || value > kMaxLimit) {
      return absl::InvalidArgumentError(
          absl::StrCat("limit must be an integer from 1 to ", kMaxLimit, ", got '", *limit, "'"));
    }
    page.limit = value;
  }
  page.after_id = gemini::QueryParam(raw_query, "after_id").value_or("");
  page.before_id = gemini::QueryParam(raw_query, "before_id").value_or("");
  return page;
}

absl::StatusOr<json> ConvertModelList(const json& gemini_models, const ModelMap& models,
                                      const openai::ConversionOptions& options, int64_t fetched_unix,
                                      const ModelPage& page) {
  absl::StatusOr<std::vector<json>> all = AllModels(gemini_models, models, options, fetched_unix);
  if (!all.ok()) return all.status();
  // The window between the cursors (exclusive); after_id pages forward from
  // it, before_id alone pages backward (the `limit` entries just before it).
  size_t begin = 0;
  size_t end = all->size();
  if (!page.after_id.empty()) {
    absl::StatusOr<size_t> at = Position(*all, "after_id", page.after_id);
    if (!at.ok()) return at.status();
    begin = *at + 1;
  }
  if (!page.before_id.empty()) {
    absl::StatusOr<size_t> at = Position(*all, "before_id", page.before_id);
    if (!at.ok()) return at.status();
    end = std::max(begin, *at);
  }
  const size_t limit = static_cast<size_t>(std::clamp(page.limit, 1, kMaxLimit));
  size_t first = begin;
  size_t last = std::min(end, begin + limit);
  bool has_more = last < end;
  if (!page.before_id.empty() && page.after_id.empty()) {
    first = end - std::min(end - begin, limit);
    last = end;
    has_more = first > begin;
  }

  json data = json::array();
  for (size_t i = first; i < last; ++i) data.push_back(std::move((*all)[i]));
  json out(json::value_t::object);
  out.emplace("first_id", data.empty() ? json(nullptr) : data.front()["id"]);
  out.emplace("last_id", data.empty() ? json(nullptr) : data.back()["id"]);
  out.emplace("has_more", has_more);
  out.emplace("data", std::move(data));
  return out;
}

absl::StatusOr<json> FindModel(const json& gemini_models, const ModelMap& models,
                               const openai::ConversionOptions& options, int64_t fetched_unix,
                               absl::string_view id) {
  absl::StatusOr<std::vector<json>> all = AllModels(gemini_models, models, options, fetched_unix);
  if (!all.ok()) return all.status();
  const std::string wanted(id);
  const std::string stripped = openai::StripModelsPrefix(id);
  for (json& entry : *all) {
    const std::string& entry_id = entry["id"].get_ref<const std::string&>();
    if (entry_id == wanted || entry_id == stripped) return std::move(entry);
  }
  return absl::NotFoundError(
      absl::StrCat("model '", wanted, "' is not served by this gateway (GET /v1/models lists the ids it serves)"));
}

}  // namespace gempool::anthropic
