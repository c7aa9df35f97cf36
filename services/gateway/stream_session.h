#pragma once
// One streamed call (streamGenerateContent) between its two threads: a worker
// runs the Forwarder with this session as the sink, and the server thread
// first waits for the decision (the first body byte of a 2xx answer commits
// the response; a failure before that is answered as an error), then writes
// the chunks to the client as they come through the bounded queue.
// Thread-safe.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

#include "chunk_queue.h"
#include "forwarder.h"

namespace gempool::gateway {

class StreamSession final : public ResponseSink {
 public:
  // What the server thread answers with.
  struct Decision {
    bool committed = false;
    UpstreamResponseHead head;  // When committed.
    HttpReply failure;          // When not.
  };

  explicit StreamSession(size_t max_buffered_bytes) : queue_(max_buffered_bytes) {}

  // ResponseSink (worker thread).
  void Begin(const UpstreamResponseHead& head) override;
  bool Write(absl::string_view data) override;
  bool Committed() const override;

  // Worker thread, after Forward() returned: ends the stream or publishes the
  // failure.
  void Finish(const ForwardResult& result);

  // Server thread: blocks until the response is committed or has failed.
  Decision WaitForDecision();
  // Server thread: the next chunk for the client.
  ChunkQueue::PopStatus NextChunk(std::string& out, std::chrono::milliseconds timeout) {
    return queue_.Pop(out, timeout);
  }
  // The client is gone or the gateway is stopping: the worker's next Write
  // fails, which cancels the upstream call.
  void Cancel() { queue_.Cancel(); }

 private:
  mutable std::mutex mu_;
  std::condition_variable decided_;
  bool has_decision_ = false;
  Decision decision_;
  UpstreamResponseHead pending_head_;
  ChunkQueue queue_;
};

}  // namespace gempool::gateway
