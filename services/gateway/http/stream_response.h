#pragma once
// The client side of one streamed answer: the ResponseSink the Forwarder feeds
// (from the upstream client's callbacks on event-loop threads) and the
// connection drains (on its strand). The first body byte of a 2xx answer
// commits the response; a failure before that is answered as an error
// instead. Bytes wait here only until the client's socket takes them: past
// `max_buffered_bytes` the upstream read pauses (back-pressure), so a slow
// client slows Google down instead of growing memory, and resumes once half
// has drained. Thread-safe.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gempool/common/mutex.h"
#include "upstream/forwarder.h"

namespace gempool::gateway {

class StreamResponse final : public ResponseSink {
 public:
  // `wake` tells the connection there is something to take (any thread; it
  // must only schedule work, never call back in).
  StreamResponse(size_t max_buffered_bytes, std::function<void()> wake);

  // ResponseSink (the forward's side).
  void Begin(const UpstreamResponseHead& head) override ABSL_LOCKS_EXCLUDED(mu_);
  bool Write(absl::string_view data) override ABSL_LOCKS_EXCLUDED(mu_);
  bool Committed() const override ABSL_LOCKS_EXCLUDED(mu_);
  bool PauseUntilDrained(std::function<void()> resume) override ABSL_LOCKS_EXCLUDED(mu_);

  // The forward ended with `result` (the stream job's done).
  void Finish(const ForwardResult& result) ABSL_LOCKS_EXCLUDED(mu_);
  // The forward to cancel when the client goes away.
  void SetCall(std::shared_ptr<ForwardCall> call) ABSL_LOCKS_EXCLUDED(mu_);
  // The client went away or the gateway is stopping: the forward is
  // cancelled and writes fail from now on.
  void Cancel() ABSL_LOCKS_EXCLUDED(mu_);

  // What the connection writes next.
  struct Output {
    // Not committed and finished: answer this instead of a stream.
    std::optional<HttpReply> failure;
    // The response head, once, when the stream commits.
    std::optional<UpstreamResponseHead> head;
    std::string data;  // Body bytes to send now.
    bool ended = false;       // Nothing more will come.
    bool succeeded = false;   // When ended: complete (send the last chunk) or broken (close).
  };
  // Takes everything available now (connection strand).
  Output Take() ABSL_LOCKS_EXCLUDED(mu_);
  // `bytes` of the data Take() gave reached the socket (connection strand).
  void Written(size_t bytes) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const size_t max_buffered_bytes_;
  const std::function<void()> wake_;
  // Where the forward's side and the connection's meet; never held while
  // calling wake_, a resume or the forward's Cancel.
  mutable Mutex mu_;
  UpstreamResponseHead pending_head_ ABSL_GUARDED_BY(mu_);
  std::optional<UpstreamResponseHead> head_ ABSL_GUARDED_BY(mu_);  // Set when committed.
  bool head_taken_ ABSL_GUARDED_BY(mu_) = false;
  std::string data_ ABSL_GUARDED_BY(mu_);
  size_t buffered_ ABSL_GUARDED_BY(mu_) = 0;  // In data_ plus taken but not yet written.
  std::function<void()> resume_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<ForwardCall> call_ ABSL_GUARDED_BY(mu_);
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool failure_taken_ ABSL_GUARDED_BY(mu_) = false;
  ForwardResult result_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::gateway
