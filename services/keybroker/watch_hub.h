#pragma once
// What the broker's two watch hubs (KeyWatchHub: WatchKeys; ClientTokenWatchHub:
// WatchClientTokens) share: the hub thread, the watchers and the loop that
// serves one watcher's stream. A hub thread calls DrainOnce() when woken by
// Notify() and at least every `poll_interval_ms`; DrainOnce (the subclass's)
// takes the source's change feed and adds it to each watcher's Pending
// through UpdateWatchers(). Each watcher is served by the gRPC thread of its
// call (Serve): a snapshot first and whenever its `resync` is set
// (WriteSnapshot), then its Pending as it fills (WritePending).
//
// `Update` is the stream's message; `Pending` what one watcher has waiting
// (default-constructible, swappable, with empty()).
//
// Subclasses must call Stop() in their destructor (the hub thread calls
// their DrainOnce). Thread-safe: mu_ guards the watchers (and each Watcher's
// fields) and the hub thread's flags; thread_ is the owner's (Start, Stop).
// No lock is held while writing to a stream or draining the feed.

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/logging.h"
#include "gempool/common/mutex.h"

namespace gempool::keybroker {

template <typename Update, typename Pending>
class WatchHub {
 public:
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;
  virtual ~WatchHub() { Stop(); }

  void Start() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    if (thread_.joinable() || stopping_) return;
    thread_ = std::thread([this] { Run(); });
  }

  // Ends the hub thread and every Serve() call. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_) {
    {
      MutexLock lock(&mu_);
      stopping_ = true;
    }
    hub_wake_.SignalAll();
    watcher_wake_.SignalAll();
    if (thread_.joinable()) thread_.join();
  }

  // Something changed: drain the feed now.
  void Notify() ABSL_LOCKS_EXCLUDED(mu_) {
    {
      MutexLock lock(&mu_);
      notified_ = true;
    }
    hub_wake_.Signal();
  }

  // Watchers being served (for tests, metrics and logs).
  size_t watcher_count() const ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return watchers_.size();
  }

  // One drain of the change feed, as the hub thread does it (tests call it
  // directly when the thread is not started).
  virtual void DrainOnce() = 0;

  // Serves one watcher until `context` is cancelled, the stream breaks or
  // Stop(). Blocks the calling (gRPC) thread. `watcher_name` names it in logs.
  grpc::Status Serve(grpc::ServerContext* context, grpc::ServerWriterInterface<Update>* writer,
                     const std::string& watcher_name) ABSL_LOCKS_EXCLUDED(mu_) {
    auto watcher = std::make_shared<Watcher>();
    {
      MutexLock lock(&mu_);
      if (stopping_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the key broker is stopping");
      watchers_.push_back(watcher);
    }
    GEMPOOL_LOG(INFO) << "gateway " << watcher_name << " is watching " << what_;
    grpc::Status result = grpc::Status::OK;
    while (true) {
      Pending batch;
      bool resync = false;
      {
        MutexLock lock(&mu_);
        // Wakes up now and then to notice a client that went away.
        const absl::Time deadline = absl::Now() + absl::Milliseconds(250);
        while (!stopping_ && !watcher->resync && watcher->pending.empty()) {
          if (watcher_wake_.WaitWithDeadline(&mu_, deadline)) break;
        }
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
        std::swap(batch, watcher->pending);
      }
      // Changes pending from before the snapshot was taken are in it; sending
      // them after it is harmless (each carries its record's full state).
      bool written = true;
      if (resync) written = WriteSnapshot(writer);
      if (written && !batch.empty()) written = WritePending(writer, batch);
      if (!written) {
        result = grpc::Status::CANCELLED;
        break;
      }
    }
    {
      MutexLock lock(&mu_);
      watchers_.erase(std::remove(watchers_.begin(), watchers_.end(), watcher), watchers_.end());
    }
    GEMPOOL_LOG(INFO) << "gateway " << watcher_name << " stopped watching " << what_;
    return result;
  }

 protected:
  // Its fields are guarded by the hub's mu_.
  struct Watcher {
    Pending pending;
    // Send a snapshot (instead of what is pending) next; new watchers start so.
    bool resync = true;
  };

  // `what` names the source in log lines ("the key pool").
  WatchHub(int poll_interval_ms, std::string what) : poll_interval_ms_(poll_interval_ms), what_(std::move(what)) {}

  // Calls `update` with every watcher under the hub's lock (state the
  // subclass changes only in there is guarded by it too), then wakes the
  // watchers' threads.
  void UpdateWatchers(const std::function<void(std::vector<std::shared_ptr<Watcher>>& watchers)>& update)
      ABSL_LOCKS_EXCLUDED(mu_) {
    {
      MutexLock lock(&mu_);
      update(watchers_);
    }
    watcher_wake_.SignalAll();
  }

  // Sends a full snapshot; false when a write failed. Called on a watcher's
  // thread without the hub's lock.
  virtual bool WriteSnapshot(grpc::ServerWriterInterface<Update>* writer) = 0;
  // Sends `batch` (not empty); false when a write failed. As above.
  virtual bool WritePending(grpc::ServerWriterInterface<Update>* writer, Pending& batch) = 0;

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_) {
    while (true) {
      {
        MutexLock lock(&mu_);
        const absl::Time deadline = absl::Now() + absl::Milliseconds(poll_interval_ms_);
        while (!notified_ && !stopping_) {
          if (hub_wake_.WaitWithDeadline(&mu_, deadline)) break;  // The periodic drain.
        }
        if (stopping_) return;
        notified_ = false;
      }
      DrainOnce();  // Without the lock.
    }
  }

  const int poll_interval_ms_;
  const std::string what_;
  mutable Mutex mu_;
  // Signalled when notified_ or stopping_ is set.
  CondVar hub_wake_;
  // Signalled when a watcher's pending grows, a resync is due, or on Stop.
  CondVar watcher_wake_;
  std::vector<std::shared_ptr<Watcher>> watchers_ ABSL_GUARDED_BY(mu_);
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace gempool::keybroker
