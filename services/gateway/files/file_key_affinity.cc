#include "files/file_key_affinity.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "files/file_not_found.h"
#include "gempool/gemini/file_refs.h"
#include "upstream/forwarder.h"

namespace gempool::gateway {
namespace {

// Names per GetFileRecords call (persistence takes at most 1000).
constexpr size_t kLookupBatch = 1000;

}  // namespace

bool FileKeyAffinity::MayApply(const ForwardRequest& request) const {
  // A call already pinned (the Files API routes' own) needs no lookup.
  return request.pinned_key_id == 0 && gemini::MayReferToFiles(request.body);
}

absl::StatusOr<absl::flat_hash_map<std::string, FileKeyAffinity::Cached>> FileKeyAffinity::Lookup(
    const std::vector<std::string>& names) {
  const int64_t now = clock_.NowUnixMs();
  absl::flat_hash_map<std::string, Cached> found;
  std::vector<std::string> missing;
  {
    MutexLock lock(&mu_);
    for (const std::string& name : names) {
      auto it = cache_.find(name);
      if (it != cache_.end() && it->second.expires_at_ms > now) {
        found.emplace(name, it->second);
      } else {
        if (it != cache_.end()) cache_.erase(it);
        missing.push_back(name);
      }
    }
  }
  // No lock held over the RPC.
  for (size_t start = 0; start < missing.size(); start += kLookupBatch) {
    const std::vector<std::string> batch(missing.begin() + start,
                                         missing.begin() + std::min(missing.size(), start + kLookupBatch));
    absl::StatusOr<std::vector<v1::FileRecord>> records = records_.GetFileRecords(batch);
    if (!records.ok()) {
      return absl::UnavailableError(absl::StrCat("could not look up which key owns the files this request uses: ",
                                                 records.status().message()));
    }
    MutexLock lock(&mu_);
    for (const v1::FileRecord& r : *records) {
      Cached entry{r.key_id(), r.owner(), r.expires_at_ms()};
      found.emplace(r.name(), entry);
      if (cache_.size() >= kMaxCached) cache_.clear();
      cache_[r.name()] = std::move(entry);
    }
  }
  return found;
}

absl::StatusOr<int64_t> FileKeyAffinity::Resolve(const ForwardRequest& request) {
  const std::vector<std::string> names = gemini::ReferencedFileNames(request.body);
  if (names.empty()) return 0;
  absl::StatusOr<absl::flat_hash_map<std::string, Cached>> known = Lookup(names);
  if (!known.ok()) return known.status();
  // FILES_USER_ISOLATION_ENABLED of the client request's snapshot (on for
  // a call without one).
  const bool isolation = request.settings == nullptr || request.settings->files_user_isolation;
  std::map<int64_t, std::vector<std::string>> by_key;
  for (const std::string& name : names) {  // Sorted: messages list files in order.
    auto it = known->find(name);
    if (it == known->end()) continue;  // Unknown to gempool: any key may try.
    if (isolation && it->second.owner != request.client_token_id) return FileNotFound(name);
    by_key[it->second.key_id].push_back(name);
  }
  if (by_key.empty()) return 0;
  if (by_key.size() == 1) return by_key.begin()->first;
  std::vector<std::string> groups;
  for (const auto& [key_id, files] : by_key) groups.push_back(absl::StrJoin(files, ", "));
  return absl::InvalidArgumentError(absl::StrCat(
      "this request uses files that were uploaded with different API keys of the pool (",
      absl::StrJoin(groups, "; "),
      "), and Google lets a file be used only with the key that uploaded it. Send files of different uploads "
      "in separate requests"));
}

void FileKeyAffinity::Forget(const std::string& name) {
  MutexLock lock(&mu_);
  cache_.erase(name);
}

}  // namespace gempool::gateway
