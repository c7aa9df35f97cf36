#pragma once
// The hand-off between the thread reading a streamed upstream response and
// the server thread writing it to the client. Bounded in bytes, so a slow
// client slows the upstream read (backpressure) instead of growing memory.
// Thread-safe: one writer (Push/Close/Fail), one reader (Pop/Cancel).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>

namespace gempool::gateway {

class ChunkQueue {
 public:
  enum class PopStatus {
    kChunk,      // `out` holds the next chunk.
    kEnd,        // The writer closed the stream normally and everything was read.
    kFailed,     // The writer ended it abnormally (or the reader cancelled).
    kTimedOut,   // Nothing arrived within the timeout; ask again.
  };

  explicit ChunkQueue(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Appends a chunk, blocking while the queue is full (a chunk larger than
  // the limit is accepted into an empty queue). False once the reader has
  // cancelled or the queue was ended: the chunk is dropped, stop producing.
  bool Push(std::string chunk);
  // Normal end: the reader gets kEnd after the remaining chunks.
  void Close();
  // Abnormal end: the reader gets kFailed after the remaining chunks.
  void Fail();
  // The reader is gone: Push fails from now on and pending chunks are dropped.
  void Cancel();
  bool cancelled() const;

  PopStatus Pop(std::string& out, std::chrono::milliseconds timeout);

 private:
  enum class State { kOpen, kClosed, kFailed, kCancelled };

  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::string> chunks_;
  size_t bytes_ = 0;
  State state_ = State::kOpen;
};

}  // namespace gempool::gateway
