#pragma once
// Feeds gateways' replicas of the managed client tokens and their shared
// counters (KeyBroker.WatchClientTokens): each watcher gets a snapshot of
// every token and counter, then the changes.
//
// The thread, the watchers and the serving loop are WatchHub's (watch_hub.h).
// One hub thread drains the registry's change feed when woken by Notify()
// (an admin change: a disabled token must be refused everywhere within
// seconds; a gateway's usage report: the less counters lag, the less a
// shared limit overshoots) and at least every kCounterIntervalMs. Each
// watcher holds one pending, coalesced update (tokens by id, counters by
// token id), so a slow watcher costs at most the size of the registry, never
// a backlog. Each watcher is
// served by the gRPC thread of its call (Serve).
//
// Thread-safe. No lock is held while writing to a stream.

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "client_token_registry.h"
#include "gempool/v1/keybroker.pb.h"
#include "watch_hub.h"

namespace gempool::keybroker {

// What one watcher has not been sent yet, coalesced: the latest record of
// each token changed, the ids removed, the latest value of each counter.
struct ClientTokenPending {
  std::map<int64_t, v1::ClientToken> tokens;
  std::set<int64_t> removed;
  std::map<std::string, v1::TokenCounter> counters;
  bool empty() const { return tokens.empty() && removed.empty() && counters.empty(); }
  // Adds `changes` on top of what is pending.
  void Add(const v1::ClientTokenUpdate& changes);
  // As one update.
  v1::ClientTokenUpdate Take();
};

class ClientTokenWatchHub final : public WatchHub<v1::ClientTokenUpdate, ClientTokenPending> {
 public:
  static constexpr int kCounterIntervalMs = 200;
  // Tokens (and counters) per snapshot message.
  static constexpr int kSnapshotPageSize = 1000;

  // `registry` must outlive the hub.
  explicit ClientTokenWatchHub(ClientTokenRegistry& registry);
  ~ClientTokenWatchHub() override;  // Stop()s.

  void DrainOnce() override;

 private:
  bool WriteSnapshot(grpc::ServerWriterInterface<v1::ClientTokenUpdate>* writer) override;
  bool WritePending(grpc::ServerWriterInterface<v1::ClientTokenUpdate>* writer, ClientTokenPending& batch) override;

  ClientTokenRegistry& registry_;
};

}  // namespace gempool::keybroker
