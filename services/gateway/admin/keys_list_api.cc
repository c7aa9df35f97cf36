#include "admin/keys_list_api.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace gempool::gateway::admin {
namespace {

constexpr int kPage = 10000;  // KeyAdmin.ListKeys' largest page.

std::string StateName(v1::KeyState state) {
  switch (state) {
    case v1::KEY_STATE_ACTIVE: return "active";
    case v1::KEY_STATE_COOLING: return "cooling";
    case v1::KEY_STATE_FAILING: return "failing";
    case v1::KEY_STATE_DISABLED: return "disabled";
    case v1::KEY_STATE_PAUSED: return "paused";
    default: return "unknown";
  }
}

bool WantsFullKeys(const std::map<std::string, std::string>& query) {
  auto it = query.find("full");
  if (it == query.end()) return false;
  const std::string v = absl::AsciiStrToLower(it->second);
  return v == "true" || v == "1" || v == "yes";
}

}  // namespace

ApiResult KeysListApi::Handle(const std::map<std::string, std::string>& query) {
  std::vector<v1::KeyView> keys;
  for (int offset = 0;; offset += kPage) {
    v1::ListKeysRequest request;
    request.set_limit(kPage);
    request.set_offset(offset);
    request.set_pool(v1::POOL_GEMINI);
    absl::StatusOr<v1::ListKeysResponse> page = backend_.ListKeys(request);
    if (!page.ok()) return ErrorResult(page.status());
    for (v1::KeyView& k : *page->mutable_keys()) keys.push_back(std::move(k));
    if (page->keys_size() < kPage || offset + kPage >= page->total()) break;
  }

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
    listed.push_back({{"id", k.id()}, {"key", shown}, {"state", StateName(k.state())}, {"fail_count", k.failure_count()}});
  }
  ApiResult result;
  result.body = {{"status", "success"},
                 {"data", {{"valid_keys", valid}, {"invalid_keys", invalid}}},
                 {"total", keys.size()},
                 {"keys", listed}};
  return result;
}

}  // namespace gempool::gateway::admin
