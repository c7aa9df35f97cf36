#include "client_token_watch_hub.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "gempool/common/logging.h"

namespace gempool::keybroker {

ClientTokenWatchHub::ClientTokenWatchHub(ClientTokenRegistry& registry) : registry_(registry) {}

ClientTokenWatchHub::~ClientTokenWatchHub() { Stop(); }

void ClientTokenWatchHub::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void ClientTokenWatchHub::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  hub_wake_.notify_all();
  watcher_wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ClientTokenWatchHub::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  hub_wake_.notify_one();
}

size_t ClientTokenWatchHub::watcher_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return watchers_.size();
}

void ClientTokenWatchHub::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    hub_wake_.wait_for(lock, std::chrono::milliseconds(kCounterIntervalMs),
                       [this] { return notified_ || stopping_; });
    if (stopping_) break;
    notified_ = false;
    lock.unlock();
    DrainOnce();
    lock.lock();
  }
}

void ClientTokenWatchHub::DrainOnce() {
  // Taken even without watchers, so the feed never grows unread.
  const v1::ClientTokenUpdate changes = registry_.TakeChanges();
  if (changes.tokens_size() == 0 && changes.removed_ids_size() == 0 && changes.counters_size() == 0) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& watcher : watchers_) {
      if (watcher->resync) continue;  // Its snapshot will have these.
      Pending& pending = watcher->pending;
      for (const v1::ClientToken& token : changes.tokens()) {
        pending.tokens[token.id()] = token;
        pending.removed.erase(token.id());
      }
      for (int64_t id : changes.removed_ids()) {
        pending.tokens.erase(id);
        pending.removed.insert(id);
      }
      for (const v1::TokenCounter& counter : changes.counters()) pending.counters[counter.token_id()] = counter;
    }
  }
  watcher_wake_.notify_all();
}

bool ClientTokenWatchHub::WriteSnapshot(grpc::ServerWriterInterface<v1::ClientTokenUpdate>* writer) const {
  const std::vector<v1::ClientToken> tokens = registry_.List();
  const std::vector<v1::TokenCounter> counters = registry_.Counters();
  const size_t pages = std::max<size_t>(
      1, std::max((tokens.size() + kSnapshotPageSize - 1) / kSnapshotPageSize,
                  (counters.size() + kSnapshotPageSize - 1) / kSnapshotPageSize));
  for (size_t page = 0; page < pages; ++page) {
    v1::ClientTokenUpdate update;
    update.set_snapshot(true);
    update.set_snapshot_complete(page + 1 == pages);
    for (size_t i = page * kSnapshotPageSize; i < std::min(tokens.size(), (page + 1) * kSnapshotPageSize); ++i) {
      *update.add_tokens() = tokens[i];
    }
    for (size_t i = page * kSnapshotPageSize; i < std::min(counters.size(), (page + 1) * kSnapshotPageSize);
         ++i) {
      *update.add_counters() = counters[i];
    }
    if (!writer->Write(update)) return false;
  }
  return true;
}

grpc::Status ClientTokenWatchHub::Serve(grpc::ServerContext* context,
                                        grpc::ServerWriterInterface<v1::ClientTokenUpdate>* writer,
                                        const std::string& watcher_name) {
  auto watcher = std::make_shared<Watcher>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the key broker is stopping");
    watchers_.push_back(watcher);
  }
  GEMPOOL_LOG(INFO) << "gateway " << watcher_name << " is watching the client tokens";
  grpc::Status result = grpc::Status::OK;
  while (true) {
    Pending batch;
    bool resync = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
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
    bool written = true;
    if (resync) written = WriteSnapshot(writer);
    if (written && !batch.empty()) {
      v1::ClientTokenUpdate update;
      for (auto& [id, token] : batch.tokens) *update.add_tokens() = std::move(token);
      for (int64_t id : batch.removed) update.add_removed_ids(id);
      for (auto& [id, counter] : batch.counters) *update.add_counters() = std::move(counter);
      written = writer->Write(update);
    }
    if (!written) {
      result = grpc::Status::CANCELLED;
      break;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    watchers_.erase(std::remove(watchers_.begin(), watchers_.end(), watcher), watchers_.end());
  }
  GEMPOOL_LOG(INFO) << "gateway " << watcher_name << " stopped watching the client tokens";
  return result;
}

}  // namespace gempool::keybroker
