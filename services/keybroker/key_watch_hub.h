#pragma once
// Feeds gateways' replicas of the key pools (KeyBroker.WatchKeys): each
// watcher gets a snapshot of every pool (each key's record says its pool),
// then every change as it happens.
//
// The thread, the watchers and the serving loop are WatchHub's (watch_hub.h).
// One hub thread drains the pool's change feed (KeyPool::TakeChanges) when
// woken by Notify() (after outcome reports, so a key disabled through one
// gateway reaches the others within milliseconds) and at least every
// kPollInterval (changes nobody announced: admin actions, probes, expiring
// cooldowns), and appends one coalesced update to each watcher's queue.
// Each watcher is served by the gRPC thread of its WatchKeys call (Serve),
// which sends its queue as it fills. A snapshot is taken and sent a page at
// a time (KeyPool::ListPage), so a 100,000-key pool is never copied whole,
// and the memory it used is given back after. A watcher that falls more than
// kMaxQueuedUpdates behind, and every watcher when PROXIES, PAID_KEY or
// MAX_FAILURES change (BrokerSettingsHolder::generation), is sent a fresh
// snapshot instead of the backlog, so memory stays bounded by the pool size.
// When only the proxies' health changes (a proxy check's verdict, or
// PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY: proxy_health_generation) the
// watchers get one update with the settings alone instead (not a snapshot):
// a flapping proxy costs a small message per gateway, not the whole pool.
//
// Thread-safe. No lock is held while writing to a stream; the pool's lock is
// only taken inside KeyPool calls.

#include <cstdint>
#include <deque>
#include <string>

#include "broker_settings.h"
#include "gempool/keypool/key_pools.h"
#include "gempool/v1/keybroker.pb.h"
#include "watch_hub.h"

namespace gempool::keybroker {

// A watcher's pending updates, oldest first.
using KeyUpdateQueue = std::deque<v1::KeyPoolUpdate>;

class KeyWatchHub final : public WatchHub<v1::KeyPoolUpdate, KeyUpdateQueue> {
 public:
  // Keys per snapshot message: 100,000 keys go out in 100 messages of about
  // 100 KB, under gRPC's default 4 MB message limit.
  static constexpr int kSnapshotPageSize = 1000;
  static constexpr int kMaxQueuedUpdates = 1024;
  static constexpr int kPollIntervalMs = 50;

  // `pools` and `settings` must outlive the hub.
  KeyWatchHub(keypool::KeyPools& pools, const BrokerSettingsHolder& settings);
  ~KeyWatchHub() override;  // Stop()s.

  void DrainOnce() override;

 private:
  // Sends the pool as snapshot messages, PoolSettings on the first, then
  // gives the pages' memory back; false when a write failed.
  bool WriteSnapshot(grpc::ServerWriterInterface<v1::KeyPoolUpdate>* writer) override;
  bool WriteSnapshotPages(grpc::ServerWriterInterface<v1::KeyPoolUpdate>* writer) const;
  bool WritePending(grpc::ServerWriterInterface<v1::KeyPoolUpdate>* writer, KeyUpdateQueue& batch) override;

  keypool::KeyPools& pools_;
  const BrokerSettingsHolder& settings_;
  // The settings generations watchers were last brought up to; only
  // DrainOnce touches them (one drain at a time).
  uint64_t settings_generation_ = 0;
  uint64_t proxy_health_generation_ = 0;
};

}  // namespace gempool::keybroker
