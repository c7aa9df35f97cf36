#include "admin/keys_list_api.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "admin/key_masks.h"
#include "gempool/keypool/proto_convert.h"

namespace gempool::gateway::admin {
namespace {

bool WantsFullKeys(const std::map<std::string, std::string>& query) {
  auto it = query.find("full");
  if (it == query.end()) return false;
  const std::string v = absl::AsciiStrToLower(it->second);
  return v == "true" || v == "1" || v == "yes";
}

}  // namespace

ApiResult KeysListApi::Handle(const std::map<std::string, std::string>& query) {
  v1::ListKeysRequest filter;
  filter.set_pool(v1::POOL_GEMINI);
  absl::StatusOr<std::vector<v1::KeyView>> pool_keys = ListAllKeys(backend_, filter);
  if (!pool_keys.ok()) return ErrorResult(pool_keys.status());
  const std::vector<v1::KeyView>& keys = *pool_keys;

  std::unordered_map<int64_t, std::string> secrets;
  if (WantsFullKeys(query) && !keys.empty()) {
    v1::KeySelection all;
    all.set_all(true);
    all.set_pool(v1::POOL_GEMINI);
    absl::StatusOr<v1::ExportKeysResponse> exported = backend_.ExportKeys(all);
    if (!exported.ok()) return ErrorResult(exported.status());
    for (int i = 0; i < exported->ids_size() && i < exported->secrets_size(); ++i) {
      secrets[exported->ids(i)] = exported->secrets(i);
    }
  }

  nlohmann::json valid = nlohmann::json::object();
  nlohmann::json invalid = nlohmann::json::object();
  nlohmann::json listed = nlohmann::json::array();
  for (const v1::KeyView& k : keys) {
    auto secret = secrets.find(k.id());
    std::string shown = secret != secrets.end() ? secret->second : k.masked();
    nlohmann::json& bucket = k.state() == v1::KEY_STATE_DISABLED ? invalid : valid;
    if (valid.contains(shown) || invalid.contains(shown)) absl::StrAppend(&shown, " #", k.id());
    bucket[shown] = k.failure_count();
    listed.push_back({{"id", k.id()}, {"key", shown}, {"state", keypool::KeyStateName(k.state())}, {"fail_count", k.failure_count()}});
  }
  ApiResult result;
  result.body = {{"status", "success"},
                 {"data", {{"valid_keys", valid}, {"invalid_keys", invalid}}},
                 {"total", keys.size()},
                 {"keys", listed}};
  return result;
}

}  // namespace gempool::gateway::admin
