#include "client_token_watch_hub.h"

#include <algorithm>
#include <utility>

namespace gempool::keybroker {

void ClientTokenPending::Add(const v1::ClientTokenUpdate& changes) {
  for (const v1::ClientToken& token : changes.tokens()) {
    tokens[token.id()] = token;
    removed.erase(token.id());
  }
  for (int64_t id : changes.removed_ids()) {
    tokens.erase(id);
    removed.insert(id);
  }
  for (const v1::TokenCounter& counter : changes.counters()) counters[counter.token_id()] = counter;
}

v1::ClientTokenUpdate ClientTokenPending::Take() {
  v1::ClientTokenUpdate update;
  for (auto& [id, token] : tokens) *update.add_tokens() = std::move(token);
  for (int64_t id : removed) update.add_removed_ids(id);
  for (auto& [id, counter] : counters) *update.add_counters() = std::move(counter);
  *this = ClientTokenPending();
  return update;
}

ClientTokenWatchHub::ClientTokenWatchHub(ClientTokenRegistry& registry)
    : WatchHub(kCounterIntervalMs, "the client tokens"), registry_(registry) {}

ClientTokenWatchHub::~ClientTokenWatchHub() { Stop(); }

void ClientTokenWatchHub::DrainOnce() {
  // Taken even without watchers, so the feed never grows unread.
  const v1::ClientTokenUpdate changes = registry_.TakeChanges();
  if (changes.tokens_size() == 0 && changes.removed_ids_size() == 0 && changes.counters_size() == 0) return;
  UpdateWatchers([&](std::vector<std::shared_ptr<Watcher>>& watchers) {
    for (const auto& watcher : watchers) {
      if (watcher->resync) continue;  // Its snapshot will have these.
      watcher->pending.Add(changes);
    }
  });
}

bool ClientTokenWatchHub::WriteSnapshot(grpc::ServerWriterInterface<v1::ClientTokenUpdate>* writer) {
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

bool ClientTokenWatchHub::WritePending(grpc::ServerWriterInterface<v1::ClientTokenUpdate>* writer,
                                       ClientTokenPending& batch) {
  return writer->Write(batch.Take());
}

}  // namespace gempool::keybroker
