#pragma once
// Feeds gateways' replicas of the managed client tokens and their shared
// counters (KeyBroker.WatchClientTokens): each watcher gets a snapshot of
// every token and counter, then the changes.
//
// One hub thread drains the registry's change feed when woken by Notify()
// (an admin change: a disabled token must be refused everywhere within
// seconds; a gateway's usage report: the less counters lag, the less a
// shared limit overshoots) and at least every kCounterIntervalMs. Each watcher holds one pending,
// coalesced update (tokens by id, counters by token id), so a slow watcher
// costs at most the size of the registry, never a backlog. Each watcher is
// served by the gRPC thread of its call (Serve).
//
// Thread-safe. No lock is held while writing to a stream.

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client_token_registry.h"
#include "gempool/v1/keybroker.pb.h"

namespace gempool::keybroker {

class ClientTokenWatchHub {
 public:
  static constexpr int kCounterIntervalMs = 200;
  // Tokens (and counters) per snapshot message.
  static constexpr int kSnapshotPageSize = 1000;

  // `registry` must outlive the hub.
  explicit ClientTokenWatchHub(ClientTokenRegistry& registry);
  ClientTokenWatchHub(const ClientTokenWatchHub&) = delete;
  ClientTokenWatchHub& operator=(const ClientTokenWatchHub&) = delete;
  ~ClientTokenWatchHub();  // Stop()s.

  void Start();
  // Ends the hub thread and every Serve() call. Idempotent.
  void Stop();
  // A token changed: drain the feed now.
  void Notify();

  // Serves one watcher until `context` is cancelled, the stream breaks or
  // Stop(). Blocks the calling (gRPC) thread.
  grpc::Status Serve(grpc::ServerContext* context, grpc::ServerWriterInterface<v1::ClientTokenUpdate>* writer,
                     const std::string& watcher);

  size_t watcher_count() const;
  // One drain, as the hub thread does it (tests call it directly).
  void DrainOnce();

 private:
  struct Pending {
    std::map<int64_t, v1::ClientToken> tokens;
    std::set<int64_t> removed;
    std::map<std::string, v1::TokenCounter> counters;
    bool empty() const { return tokens.empty() && removed.empty() && counters.empty(); }
  };
  struct Watcher {
    Pending pending;
    bool resync = true;
  };

  void Run();
  bool WriteSnapshot(grpc::ServerWriterInterface<v1::ClientTokenUpdate>* writer) const;

  ClientTokenRegistry& registry_;
  mutable std::mutex mu_;
  std::condition_variable hub_wake_;
  std::condition_variable watcher_wake_;
  std::vector<std::shared_ptr<Watcher>> watchers_;
  bool notified_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gempool::keybroker
