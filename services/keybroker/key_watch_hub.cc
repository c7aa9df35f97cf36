#include "key_watch_hub.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "gempool/common/memory.h"
#include "gempool/keypool/proto_convert.h"

namespace gempool::keybroker {
namespace {

// Updates of at most kSnapshotPageSize keys each, carrying `changed` and then
// `removed`.
std::vector<v1::KeyPoolUpdate> Paginate(const std::vector<keypool::KeyInfo>& changed,
                                        const std::vector<int64_t>& removed, size_t page_size) {
  std::vector<v1::KeyPoolUpdate> pages;
  pages.emplace_back();
  for (const keypool::KeyInfo& key : changed) {
    if (static_cast<size_t>(pages.back().keys_size()) >= page_size) pages.emplace_back();
    *pages.back().add_keys() = keypool::ToRecord(key);
  }
  for (int64_t id : removed) pages.back().add_removed_key_ids(id);
  return pages;
}

// What gateways' replicas take from the settings.
v1::PoolSettings PoolSettingsOf(const BrokerSettings& settings) {
  v1::PoolSettings out;
  out.set_max_failures(settings.max_failures);
  for (const std::string& proxy : settings.proxies) out.add_proxies(proxy);
  out.set_proxies_random(!settings.proxies_consistent_hash);
  for (const std::string& proxy : settings.dead_proxies) out.add_dead_proxies(proxy);
  out.set_paid_key(settings.paid_key);
  return out;
}

}  // namespace

KeyWatchHub::KeyWatchHub(keypool::KeyPools& pools, const BrokerSettingsHolder& settings)
    : WatchHub(kPollIntervalMs, "the key pool"),
      pools_(pools),
      settings_(settings),
      settings_generation_(settings.generation()),
      proxy_health_generation_(settings.proxy_health_generation()) {}

KeyWatchHub::~KeyWatchHub() { Stop(); }

void KeyWatchHub::DrainOnce() {
  const uint64_t generation = settings_.generation();
  const uint64_t proxy_health_generation = settings_.proxy_health_generation();
  // Taken even without watchers, so the feed never grows unread.
  keypool::KeyChanges changes;
  for (keypool::Pool pool : keypool::kAllPools) {
    keypool::KeyChanges taken = pools_.Get(pool).TakeChanges();
    if (changes.changed.empty() && changes.removed.empty()) {
      changes = std::move(taken);
      continue;
    }
    std::move(taken.changed.begin(), taken.changed.end(), std::back_inserter(changes.changed));
    changes.removed.insert(changes.removed.end(), taken.removed.begin(), taken.removed.end());
  }
  const bool watched = watcher_count() > 0;
  std::vector<v1::KeyPoolUpdate> updates;
  // A watcher that registers meanwhile takes a snapshot, which has these.
  if (watched && (!changes.changed.empty() || !changes.removed.empty())) {
    updates = Paginate(changes.changed, changes.removed, kSnapshotPageSize);
  }
  if (watched && proxy_health_generation != proxy_health_generation_) {
    // Only the proxies' health (a proxy check's verdict): the settings alone,
    // which replicas apply to their proxy choice, keeping their keys.
    v1::KeyPoolUpdate settings_only;
    *settings_only.mutable_settings() = PoolSettingsOf(*settings_.Get());
    updates.insert(updates.begin(), std::move(settings_only));
  }
  proxy_health_generation_ = proxy_health_generation;
  // New PROXIES, PAID_KEY or MAX_FAILURES: replicas start over with them.
  const bool resync_all = generation != settings_generation_;
  settings_generation_ = generation;
  UpdateWatchers([&](std::vector<std::shared_ptr<Watcher>>& watchers) {
    for (const auto& watcher : watchers) {
      if (resync_all) watcher->resync = true;
      if (watcher->resync || updates.empty()) continue;
      if (watcher->pending.size() + updates.size() > static_cast<size_t>(kMaxQueuedUpdates)) {
        // Too far behind: a snapshot is smaller than the backlog would grow.
        watcher->pending.clear();
        watcher->resync = true;
        continue;
      }
      watcher->pending.insert(watcher->pending.end(), updates.begin(), updates.end());
    }
  });
}

bool KeyWatchHub::WriteSnapshot(grpc::ServerWriterInterface<v1::KeyPoolUpdate>* writer) {
  const bool written = WriteSnapshotPages(writer);
  // The pages' buffers, freed by now, are the size of the pool: give their
  // memory back rather than keep it resident while idle.
  ReleaseFreeMemory();
  return written;
}

bool KeyWatchHub::WriteSnapshotPages(grpc::ServerWriterInterface<v1::KeyPoolUpdate>* writer) const {
  // Each page is sent once the next one is known, so the last carries
  // snapshot_complete; an empty pool is one page with the settings alone.
  v1::KeyPoolUpdate pending;
  pending.set_snapshot(true);
  *pending.mutable_settings() = PoolSettingsOf(*settings_.Get());
  pending.set_snapshot_size(static_cast<int64_t>(pools_.size()));
  bool first = true;
  for (keypool::Pool pool : keypool::kAllPools) {
    size_t cursor = 0;
    while (true) {
      const std::vector<keypool::KeyInfo> keys = pools_.Get(pool).ListPage(&cursor, kSnapshotPageSize);
      if (keys.empty()) break;
      if (!first) {
        if (!writer->Write(pending)) return false;
        pending = v1::KeyPoolUpdate();
        pending.set_snapshot(true);
      }
      first = false;
      for (const keypool::KeyInfo& key : keys) *pending.add_keys() = keypool::ToRecord(key);
    }
  }
  pending.set_snapshot_complete(true);
  return writer->Write(pending);
}

bool KeyWatchHub::WritePending(grpc::ServerWriterInterface<v1::KeyPoolUpdate>* writer, KeyUpdateQueue& batch) {
  for (const v1::KeyPoolUpdate& update : batch) {
    if (!writer->Write(update)) return false;
  }
  return true;
}

}  // namespace gempool::keybroker
