#include "admin/key_masks.h"

#include <utility>

#include "gempool/common/secrets.h"

namespace gempool::gateway::admin {
namespace {

// At most this many one-by-one look-ups after a batch naming a removed key.
constexpr size_t kMaxSingleLookups = 100;
// KeyAdmin.ListKeys' largest page: 100,000 keys take ten calls.
constexpr int kListPage = 10000;

void AddMasks(const v1::ExportKeysResponse& exported, std::map<int64_t, std::string>& out) {
  for (int i = 0; i < exported.ids_size() && i < exported.secrets_size(); ++i) {
    out[exported.ids(i)] = MaskKey(exported.secrets(i));
  }
}

}  // namespace

std::map<int64_t, std::string> MaskedKeys(AdminBackend& backend, const std::set<int64_t>& ids) {
  std::map<int64_t, std::string> out;
  v1::KeySelection selection;
  for (int64_t id : ids) {
    if (id > 0) selection.add_ids(id);
  }
  if (selection.ids_size() == 0) return out;
  absl::StatusOr<v1::ExportKeysResponse> exported = backend.ExportKeys(selection);
  if (exported.ok()) {
    AddMasks(*exported, out);
    return out;
  }
  if (exported.status().code() != absl::StatusCode::kNotFound) return out;
  // Some key was removed: ask for each id alone.
  size_t asked = 0;
  for (int64_t id : selection.ids()) {
    if (++asked > kMaxSingleLookups) break;
    v1::KeySelection one;
    one.add_ids(id);
    absl::StatusOr<v1::ExportKeysResponse> single = backend.ExportKeys(one);
    if (single.ok()) AddMasks(*single, out);
  }
  return out;
}

absl::StatusOr<std::vector<v1::KeyView>> ListAllKeys(AdminBackend& backend, v1::ListKeysRequest filter) {
  std::vector<v1::KeyView> keys;
  filter.set_limit(kListPage);
  for (;;) {
    filter.set_offset(static_cast<int32_t>(keys.size()));
    absl::StatusOr<v1::ListKeysResponse> page = backend.ListKeys(filter);
    if (!page.ok()) return page.status();
    const int got = page->keys_size();
    for (v1::KeyView& key : *page->mutable_keys()) keys.push_back(std::move(key));
    if (got < kListPage || static_cast<int64_t>(keys.size()) >= page->total()) break;
  }
  return keys;
}

}  // namespace gempool::gateway::admin
