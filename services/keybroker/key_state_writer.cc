#include "key_state_writer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/logging.h"

namespace gempool::keybroker {
namespace {

// How often a waiting writer checks for a full batch of dirty keys.
constexpr int kPollMs = 20;

}  // namespace

KeyStateWriter::KeyStateWriter(keypool::KeyPools& pools, PersistenceClient& persistence,
                               KeyStateWriterOptions options)
    : pools_(pools), persistence_(persistence), options_(options) {}

KeyStateWriter::~KeyStateWriter() { Stop(); }

void KeyStateWriter::Start() {
  thread_ = std::thread([this] { Run(); });
}

void KeyStateWriter::Stop() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
    stop_wake_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

absl::Status KeyStateWriter::Flush() {
  // Take what is dirty now; keys changed meanwhile wait for the next flush,
  // so a busy pool cannot keep one flush going forever.
  for (keypool::Pool pool : keypool::kAllPools) {
    for (keypool::KeyInfo& key : pools_.Get(pool).TakeDirty()) {
      const int64_t id = key.id;
      backlog_.insert_or_assign(id, std::move(key));
    }
  }
  const size_t pending = backlog_.size();
  absl::Status status;
  while (!backlog_.empty()) {
    std::vector<keypool::KeyInfo> batch;
    batch.reserve(std::min(options_.batch_size, backlog_.size()));
    for (auto it = backlog_.begin(); it != backlog_.end() && batch.size() < options_.batch_size; ++it) {
      batch.push_back(it->second);
    }
    absl::StatusOr<int> saved = persistence_.SaveKeyStates(batch);
    if (!saved.ok()) {
      status = saved.status();
      break;
    }
    for (const keypool::KeyInfo& key : batch) backlog_.erase(key.id);
  }
  backlog_size_ = backlog_.size();
  if (!status.ok() && !failing_) {
    GEMPOOL_LOG(WARNING) << "could not save key states: " << status.message() << "; keeping "
                         << backlog_.size() << " key states in memory and retrying (keys are still served)";
  } else if (status.ok() && failing_) {
    GEMPOOL_LOG(INFO) << "persistence at " << persistence_.addr() << " is back: saved " << pending
                      << " queued key states";
  }
  failing_ = !status.ok();
  return status;
}

bool KeyStateWriter::WaitForWork(int wait_ms) {
  const absl::Time deadline = absl::Now() + absl::Milliseconds(wait_ms);
  while (true) {
    const absl::Time poll_until = std::min(deadline, absl::Now() + absl::Milliseconds(kPollMs));
    {
      MutexLock lock(&mu_);
      while (!stop_) {
        if (stop_wake_.WaitWithDeadline(&mu_, poll_until)) break;
      }
      if (stop_) return true;
    }
    if (absl::Now() >= deadline) return false;
    // A full batch waiting is worth writing now (not while persistence is
    // down: then the retry backoff decides).
    if (!failing_ && pools_.Get(keypool::Pool::kGemini).dirty_count() +
                             pools_.Get(keypool::Pool::kVertex).dirty_count() >=
                         options_.batch_size) {
      return false;
    }
  }
}

void KeyStateWriter::Run() {
  int wait_ms = options_.interval_ms;
  while (true) {
    const bool stopping = WaitForWork(wait_ms);
    const absl::Status status = Flush();
    if (stopping) {
      if (!status.ok()) {
        GEMPOOL_LOG(ERROR) << "stopping with " << backlog_.size()
                           << " key states not saved (persistence unreachable): " << status.message();
      }
      return;
    }
    wait_ms = status.ok() ? options_.interval_ms : std::min(wait_ms * 2, options_.max_retry_interval_ms);
  }
}

}  // namespace gempool::keybroker
