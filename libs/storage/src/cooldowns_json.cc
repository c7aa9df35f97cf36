#include "cooldowns_json.h"

#include <nlohmann/json.hpp>

#include "text.h"

namespace gempool::storage {
namespace {

// Column-friendly bounds for one cooldown's text fields.
constexpr size_t kMaxModelBytes = 128;
constexpr size_t kMaxReasonBytes = 512;

}  // namespace

std::string EncodeCooldowns(const ModelCooldowns& cooldowns) {
  nlohmann::json list = nlohmann::json::array();
  for (const v1::ModelCooldown& c : cooldowns) {
    list.push_back({{"model", ValidUtf8Prefix(c.model(), kMaxModelBytes)},
                    {"until_ms", c.until_ms()},
                    {"reason", ValidUtf8Prefix(c.reason(), kMaxReasonBytes)}});
  }
  return list.dump();
}

bool DecodeCooldowns(absl::string_view json, ModelCooldowns* out) {
  out->Clear();
  if (json.empty()) return true;
  nlohmann::json list = nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (!list.is_array()) return false;
  for (const nlohmann::json& item : list) {
    if (!item.is_object()) {
      out->Clear();
      return false;
    }
    v1::ModelCooldown* c = out->Add();
    auto model = item.find("model");
    auto until = item.find("until_ms");
    auto reason = item.find("reason");
    if (model == item.end() || !model->is_string() || until == item.end() || !until->is_number_integer()) {
      out->Clear();
      return false;
    }
    c->set_model(model->get<std::string>());
    c->set_until_ms(until->get<int64_t>());
    if (reason != item.end() && reason->is_string()) c->set_reason(reason->get<std::string>());
  }
  return true;
}

}  // namespace gempool::storage
