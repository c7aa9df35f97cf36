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
// their DrainOnce). Thread-safe. No lock is held while writing to a stream.

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gempool/common/logging.h"

namespace gempool::keybroker {

template <typename Update, typename Pending>
class WatchHub {
 public:
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;
  virtual ~WatchHub() { Stop(); }

  void Start() {
    std::lock_guard<std::mutex> lock(mu_);
    if (thread_.joinable() || stopping_) return;
    thread_ = std::thread([this] { Run(); });
  }

  // Ends the hub thread and every Serve() call. Idempotent.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    hub_wake_.notify_all();
    watcher_wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  // Something changed: drain the feed now.
  void Notify() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      notified_ = true;
    }
    hub_wake_.notify_one();
  }

  // Watchers being served (for tests, metrics and logs).
  size_t watcher_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return watchers_.size();
  }

  // One drain of the change feed, as the hub thread does it (tests call it
  // directly when the thread is not started).
  virtual void DrainOnce() = 0;

  // Serves one watcher until `context` is cancelled, the stream breaks or
  // Stop(). Blocks the calling (gRPC) thread. `watcher_name` names it in logs.
  grpc::Status Serve(grpc::ServerContext* context, grpc::ServerWriterInterface<Update>* writer,
                     const std::string& watcher_name) {
    auto watcher = std::make_shared<Watcher>();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the key broker is stopping");
      watchers_.push_back(watcher);
    }
    GEMPOOL_LOG(INFO) << "gateway " << watcher_name << " is watching " << what_;
    grpc::Status result = grpc::Status::OK;
    while (true) {
      Pending batch;
      bool resync = false;
      {
        std::unique_lock<std::mutex> lock(mu_);
        // Wakes up now and then to notice a client that went away.
        watcher_wake_.wait_for(lock, std::chrono::milliseconds(250),
                               [&] { return stopping_ || watcher->resync || !watcher->pending.empty(); });
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
      std::lock_guard<std::mutex> lock(mu_);
      watchers_.erase(std::remove(watchers_.begin(), watchers_.end(), watcher), watchers_.end());
    }
    GEMPOOL_LOG(INFO) << "gateway " << watcher_name << " stopped watching " << what_;
    return result;
  }

 protected:
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
  void UpdateWatchers(const std::function<void(std::vector<std::shared_ptr<Watcher>>& watchers)>& update) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      update(watchers_);
    }
    watcher_wake_.notify_all();
  }

  // Sends a full snapshot; false when a write failed. Called on a watcher's
  // thread without the hub's lock.
  virtual bool WriteSnapshot(grpc::ServerWriterInterface<Update>* writer) = 0;
  // Sends `batch` (not empty); false when a write failed. As above.
  virtual bool WritePending(grpc::ServerWriterInterface<Update>* writer, Pending& batch) = 0;

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      hub_wake_.wait_for(lock, std::chrono::milliseconds(poll_interval_ms_), [this] { return notified_ || stopping_; });
      if (stopping_) break;
      notified_ = false;
      lock.unlock();
      DrainOnce();
      lock.lock();
    }
  }

  const int poll_interval_ms_;
  const std::string what_;
  mutable std::mutex mu_;
  std::condition_variable hub_wake_;
  // Signalled when a watcher's pending grows, a resync is due, or on Stop.
  std::condition_variable watcher_wake_;
  std::vector<std::shared_ptr<Watcher>> watchers_;
  bool notified_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gempool::keybroker
