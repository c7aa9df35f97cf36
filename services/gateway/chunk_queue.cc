#include "chunk_queue.h"

#include <utility>

namespace gempool::gateway {

bool ChunkQueue::Push(std::string chunk) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] {
    return state_ != State::kOpen || bytes_ == 0 || bytes_ + chunk.size() <= max_bytes_;
  });
  if (state_ != State::kOpen) return false;
  bytes_ += chunk.size();
  chunks_.push_back(std::move(chunk));
  changed_.notify_all();
  return true;
}

void ChunkQueue::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == State::kOpen) state_ = State::kClosed;
  changed_.notify_all();
}

void ChunkQueue::Fail() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == State::kOpen || state_ == State::kClosed) state_ = State::kFailed;
  changed_.notify_all();
}

void ChunkQueue::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  state_ = State::kCancelled;
  chunks_.clear();
  bytes_ = 0;
  changed_.notify_all();
}

bool ChunkQueue::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_ == State::kCancelled;
}

ChunkQueue::PopStatus ChunkQueue::Pop(std::string& out, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  const bool ready = changed_.wait_for(lock, timeout, [&] {
    return !chunks_.empty() || state_ != State::kOpen;
  });
  if (!ready) return PopStatus::kTimedOut;
  if (state_ == State::kCancelled) return PopStatus::kFailed;
  if (!chunks_.empty()) {
    out = std::move(chunks_.front());
    chunks_.pop_front();
    bytes_ -= out.size();
    changed_.notify_all();
    return PopStatus::kChunk;
  }
  return state_ == State::kClosed ? PopStatus::kEnd : PopStatus::kFailed;
}

}  // namespace gempool::gateway
