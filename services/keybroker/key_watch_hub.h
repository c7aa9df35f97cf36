#pragma once
// Feeds gateways' replicas of the key pools (KeyBroker.WatchKeys): each
// watcher gets a snapshot of every pool (each key's record says its pool),
// then every change as it happens.
//
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
//
// Thread-safe. No lock is held while writing to a stream; the pool's lock is
// only taken inside KeyPool calls.

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "broker_settings.h"
#include "gempool/keypool/key_pools.h"
#include "gempool/v1/keybroker.pb.h"

namespace gempool::keybroker {

class KeyWatchHub {
 public:
  // Keys per snapshot message: 100,000 keys go out in 100 messages of about
  // 100 KB, under gRPC's default 4 MB message limit.
  static constexpr int kSnapshotPageSize = 1000;
  static constexpr int kMaxQueuedUpdates = 1024;
  static constexpr int kPollIntervalMs = 50;

  // `pools` and `settings` must outlive the hub.
  KeyWatchHub(keypool::KeyPools& pools, const BrokerSettingsHolder& settings);
  KeyWatchHub(const KeyWatchHub&) = delete;
  KeyWatchHub& operator=(const KeyWatchHub&) = delete;
  ~KeyWatchHub();  // Stop()s.

  void Start();
  // Ends the hub thread and every Serve() call. Idempotent.
  void Stop();

  // Something changed in the pool: drain the feed now.
  void Notify();

  // Serves one watcher until `context` is cancelled, the stream breaks or
  // Stop(). Blocks the calling (gRPC) thread. `watcher` names it in logs.
  grpc::Status Serve(grpc::ServerContext* context, grpc::ServerWriterInterface<v1::KeyPoolUpdate>* writer,
                     const std::string& watcher);

  // Watchers being served (for tests and logs).
  size_t watcher_count() const;

  // One drain of the change feed, as the hub thread does it (tests call it
  // directly when the thread is not started).
  void DrainOnce();

 private:
  struct Watcher {
    std::deque<v1::KeyPoolUpdate> queue;
    bool resync = true;
  };

  void Run();
  // Sends the pool as snapshot messages, PoolSettings on the first; false
  // when a write failed.
  bool WriteSnapshot(grpc::ServerWriterInterface<v1::KeyPoolUpdate>* writer) const;

  keypool::KeyPools& pools_;
  const BrokerSettingsHolder& settings_;

  mutable std::mutex mu_;
  std::condition_variable hub_wake_;
  // Signalled when a watcher's queue grows, a resync is due, or on Stop.
  std::condition_variable watcher_wake_;
  std::vector<std::shared_ptr<Watcher>> watchers_;
  bool notified_ = false;
  bool stopping_ = false;
  uint64_t settings_generation_ = 0;
  std::thread thread_;
};

}  // namespace gempool::keybroker
