#pragma once
// The gateway's in-process replica of the key broker's pools (Gemini API and
// Vertex AI Express keys, each record saying its pool), so that handing
// out a key costs a few hundred nanoseconds instead of a gRPC round trip per
// upstream attempt (bench/analysis.md: that round trip was half the CPU of a
// request and 86 us of its latency).
//
// Fed by KeyBroker.WatchKeys: a snapshot, then every change the broker makes
// (its verdict on outcomes from every gateway, admin actions, probes). The
// broker stays the owner of every key's state; the replica hands keys out in
// the same rotation (the same gempool::keypool::KeyPool policy) and applies
// this gateway's own outcomes at once, so the next request here already
// avoids a key that just failed, before the broker's verdict comes back.
//
// Until the first snapshot arrives (broker not started yet, or a broker
// without WatchKeys) Acquire answers nullopt and the caller asks the broker
// per attempt instead. When the stream breaks the replica keeps serving what
// it knows (the broker is down, but the keys are not) and reconnects with a
// backoff; the next snapshot replaces it.
//
// A snapshot is added to the next pool page by page as it arrives (never
// held whole as messages or KeyInfo), and the memory the previous pool and
// the pages used is given back once it is in force.
//
// Threads: one thread (Start/Stop) owns the stream and swaps in new
// snapshots; Acquire and Apply are called from request threads. mu_ guards
// which State is in force and the stream's bookkeeping, never the pools
// themselves (KeyPools is thread-safe) and never over I/O. Thread-safe.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "gempool/common/backoff.h"
#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"
#include "gempool/keypool/key_pools.h"
#include "gempool/v1/keybroker.grpc.pb.h"

namespace gempool::gateway {

class KeyPoolReplica {
 public:
  struct Options {
    // Reconnect backoff after the stream ends or cannot open (with up to
    // this jitter share off each wait, so gateways do not all reconnect at
    // once after a broker restart; 0 for exact waits).
    int reconnect_initial_ms = 100;
    int reconnect_max_ms = 1000;
    double reconnect_jitter = kDefaultBackoffJitter;
    // How the broker's log names this gateway.
    std::string watcher;
  };

  // `address` is only used in log lines. `clock` must outlive this.
  KeyPoolReplica(std::shared_ptr<grpc::Channel> channel, std::string address, const Clock& clock, Options options);
  // Reads WatchKeys through `stub` (tests feed it without a server: the
  // ThreadSanitizer run, which cannot see gRPC's own hand-overs).
  KeyPoolReplica(std::unique_ptr<v1::KeyBroker::StubInterface> stub, std::string address, const Clock& clock,
                 Options options);
  KeyPoolReplica(const KeyPoolReplica&) = delete;
  KeyPoolReplica& operator=(const KeyPoolReplica&) = delete;
  ~KeyPoolReplica();  // Stop()s.

  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  // Ends the stream and the thread. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // A key of `pool` for `model` as KeyBroker.AcquireKey would answer
  // (PAID_KEY for image models of the Gemini pool, the key's proxy); with
  // `pinned_key_id` > 0 that key or why not (KeyPool::AcquirePinned).
  // nullopt while no snapshot has arrived.
  std::optional<v1::AcquireKeyResponse> Acquire(v1::Pool pool, const std::string& model,
                                                const std::vector<int64_t>& exclude, int64_t pinned_key_id = 0);
  // The Gemini pool, as before pools existed.
  std::optional<v1::AcquireKeyResponse> Acquire(const std::string& model, const std::vector<int64_t>& exclude) {
    return Acquire(v1::POOL_GEMINI, model, exclude);
  }

  // Applies this gateway's outcome of an attempt to the replica at once. The
  // broker's verdict (sent on the stream after it gets the report) wins.
  void Apply(const v1::ReportOutcomeRequest& report) ABSL_LOCKS_EXCLUDED(mu_);
  // Whether a snapshot has arrived (ever; the replica stays usable when the
  // stream breaks).
  bool synced() const;
  // Whether the stream is connected and past its snapshot now.
  bool connected() const ABSL_LOCKS_EXCLUDED(mu_);
  // Waits up to `timeout_ms` for synced(); for tests and start-up logs.
  bool WaitUntilSynced(int timeout_ms) const ABSL_LOCKS_EXCLUDED(mu_);
  // Snapshots received so far (for tests).
  int snapshots() const ABSL_LOCKS_EXCLUDED(mu_);
  // Snapshot pages taken in so far, each counted once it is fully handled (a
  // complete snapshot's last page after the swap): for tests.
  int snapshot_pages() const ABSL_LOCKS_EXCLUDED(mu_);

  // The keys of one pool by state.
  struct PoolCounts {
    keypool::Pool pool = keypool::Pool::kGemini;
    keypool::PoolCounts counts;
  };
  // Per model, how many keys of one pool are cooling.
  struct PoolCooling {
    keypool::Pool pool = keypool::Pool::kGemini;
    std::vector<std::pair<std::string, int>> by_model;
  };
  // Every pool's, for the metrics; empty before the first snapshot. Each
  // scans every key of the pools under the mutex Acquire() takes (a
  // scrape's work, not a request's): call only the one needed.
  std::vector<PoolCounts> Counts() const;
  std::vector<PoolCooling> CoolingByModel() const;

 private:
  static constexpr size_t kMaxRecent = 1000;
  static constexpr int64_t kRecentMs = 10'000;

  // One replica generation: a pool with the settings it came with.
  struct State;

  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // Reads one stream to its end; returns how it ended.
  grpc::Status ReadStream() ABSL_LOCKS_EXCLUDED(mu_);
  std::shared_ptr<State> Current() const ABSL_LOCKS_EXCLUDED(mu_);
  // Applies again the recent reports that the broker's picture of their key
  // may not include yet: those not older than the key's updated_at_ms as
  // `updated_at` gives it (nullopt for a key the broker did not send).
  // `updated_at` runs under mu_.
  void ReapplyRecent(keypool::KeyPools& pools,
                     const std::function<std::optional<int64_t>(int64_t key_id)>& updated_at)
      ABSL_LOCKS_EXCLUDED(mu_);

  const std::string address_;
  const Clock& clock_;
  const Options options_;
  std::unique_ptr<v1::KeyBroker::StubInterface> stub_;

  mutable Mutex mu_;
  // Signalled when a snapshot comes into force and on Stop().
  mutable CondVar changed_;
  std::shared_ptr<State> state_ ABSL_GUARDED_BY(mu_);  // Null until the first snapshot.
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int snapshots_ ABSL_GUARDED_BY(mu_) = 0;
  int snapshot_pages_ ABSL_GUARDED_BY(mu_) = 0;
  // Rate limits and dead keys this gateway saw in the last kRecentMs, oldest
  // first (at most kMaxRecent). The broker's picture of a key that predates
  // one of them (its updated_at_ms is older) may reach the replica after
  // the report was applied here: the report is applied again on top, so the
  // key does not come back until the broker's own verdict arrives.
  struct Recent {
    v1::ReportOutcomeRequest report;
    int64_t at_ms = 0;
  };
  std::deque<Recent> recent_ ABSL_GUARDED_BY(mu_);
  // The stream being read, for Stop() to cancel (the context itself is the
  // stream thread's; only TryCancel is called on it under mu_).
  grpc::ClientContext* open_context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;  // Start and Stop's (the owner's).
};

}  // namespace gempool::gateway
