#include "key_watch_hub.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <utility>

#include "gempool/common/logging.h"
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

}  // namespace

KeyWatchHub::KeyWatchHub(keypool::KeyPools& pools, const BrokerSettingsHolder& settings)
    : pools_(pools), settings_(settings), settings_generation_(settings.generation()) {}

KeyWatchHub::~KeyWatchHub() { Stop(); }

void KeyWatchHub::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void KeyWatchHub::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  hub_wake_.notify_all();
  watcher_wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void KeyWatchHub::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  hub_wake_.notify_one();
}

size_t KeyWatchHub::watcher_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return watchers_.size();
}

void KeyWatchHub::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    hub_wake_.wait_for(lock, std::chrono::milliseconds(kPollIntervalMs), [this] { return notified_ || stopping_; });
    if (stopping_) break;
    notified_ = false;
    lock.unlock();
    DrainOnce();
    lock.lock();
  }
}

void KeyWatchHub::DrainOnce() {
  const uint64_t generation = settings_.generation();
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
  bool watched;
  {
    std::lock_guard<std::mutex> lock(mu_);
    watched = !watchers_.empty();
  }
  std::vector<v1::KeyPoolUpdate> updates;
  // A watcher that registers meanwhile takes a snapshot, which has these.
  if (watched && (!changes.changed.empty() || !changes.removed.empty())) {
    updates = Paginate(changes.changed, changes.removed, kSnapshotPageSize);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (generation != settings_generation_) {
      // New PROXIES, PAID_KEY or MAX_FAILURES: replicas start over with them.
      settings_generation_ = generation;
      for (const auto& watcher : watchers_) watcher->resync = true;
    }
    for (const auto& watcher : watchers_) {
      if (watcher->resync || updates.empty()) continue;
      if (watcher->queue.size() + updates.size() > static_cast<size_t>(kMaxQueuedUpdates)) {
        // Too far behind: a snapshot is smaller than the backlog would grow.
        watcher->queue.clear();
        watcher->resync = true;
        continue;
      }
      watcher->queue.insert(watcher->queue.end(), updates.begin(), updates.end());
    }
  }
  watcher_wake_.notify_all();
}

bool KeyWatchHub::WriteSnapshot(grpc::ServerWriterInterface<v1::KeyPoolUpdate>* writer) const {
  // Each page is sent once the next one is known, so the last carries
  // snapshot_complete; an empty pool is one page with the settings alone.
  v1::KeyPoolUpdate pending;
  pending.set_snapshot(true);
  const std::shared_ptr<const BrokerSettings> settings = settings_.Get();
  v1::PoolSettings* pool_settings = pending.mutable_settings();
  pool_settings->set_max_failures(settings->max_failures);
  for (const std::string& proxy : settings->proxies) pool_settings->add_proxies(proxy);
  pool_settings->set_proxies_random(!settings->proxies_consistent_hash);
  for (const std::string& proxy : settings->dead_proxies) pool_settings->add_dead_proxies(proxy);
  pool_settings->set_paid_key(settings->paid_key);
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

grpc::Status KeyWatchHub::Serve(grpc::ServerContext* context, grpc::ServerWriterInterface<v1::KeyPoolUpdate>* writer,
                                const std::string& watcher_name) {
  auto watcher = std::make_shared<Watcher>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the key broker is stopping");
    watchers_.push_back(watcher);
  }
  GEMPOOL_LOG(INFO) << "gateway " << watcher_name << " is watching the key pool";
  grpc::Status result = grpc::Status::OK;
  while (true) {
    std::deque<v1::KeyPoolUpdate> batch;
    bool resync = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Wakes up now and then to notice a client that went away.
      watcher_wake_.wait_for(lock, std::chrono::milliseconds(250),
                             [&] { return stopping_ || watcher->resync || !watcher->queue.empty(); });
      if (stopping_) {
        result = grpc::Status(grpc::StatusCode::UNAVAILABLE, "the key broker is stopping");
        break;
      }
      if (context->IsCancelled()) {
        result = grpc::Status::CANCELLED;
        break;
      }
      resync = watcher->resync;
      watcher->resync = false;
      batch.swap(watcher->queue);
    }
    // Changes queued before the snapshot was taken are in it; sending them
    // after it is harmless (each carries the key's full state at the time).
    bool written = true;
    if (resync) {
      written = WriteSnapshot(writer);
      // The pages' buffers, freed by now, are the size of the pool: give
      // their memory back rather than keep it resident while idle.
      ReleaseFreeMemory();
    }
    for (size_t i = 0; written && i < batch.size(); ++i) written = writer->Write(batch[i]);
    if (!written) {
      result = grpc::Status::CANCELLED;
      break;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    watchers_.erase(std::remove(watchers_.begin(), watchers_.end(), watcher), watchers_.end());
  }
  GEMPOOL_LOG(INFO) << "gateway " << watcher_name << " stopped watching the key pool";
  return result;
}

}  // namespace gempool::keybroker
