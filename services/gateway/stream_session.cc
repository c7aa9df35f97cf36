#include "stream_session.h"

#include "gempool/common/memory.h"

namespace gempool::gateway {

void StreamSession::Begin(const UpstreamResponseHead& head) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_head_ = head;
}

bool StreamSession::Write(absl::string_view data) {
  if (data.empty()) return !queue_.cancelled();
  bool first = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!has_decision_) {
      has_decision_ = true;
      decision_.committed = true;
      decision_.head = pending_head_;
      decided_.notify_all();
      first = true;
    }
  }
  const bool pushed = queue_.Push(std::string(data));
  // From here the worker mostly waits in the upstream read loop for the
  // rest of the stream: the pages that connecting and sending the request
  // touched deeper down are dead weight (thousands of open streams). After
  // the push, so the first chunk does not wait for the madvise.
  if (first) ReleaseUnusedStack();
  return pushed;
}

bool StreamSession::Committed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return has_decision_ && decision_.committed;
}

void StreamSession::Finish(const ForwardResult& result) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!has_decision_) {
      has_decision_ = true;
      if (result.outcome == ForwardResult::Outcome::kFailed) {
        decision_.committed = false;
        decision_.failure = result.failure;
      } else {
        // A 2xx that ended (or whose client left) before any body byte.
        decision_.committed = true;
        decision_.head = result.head;
      }
      decided_.notify_all();
    }
  }
  if (result.outcome == ForwardResult::Outcome::kSuccess) {
    queue_.Close();
  } else {
    queue_.Fail();
  }
}

StreamSession::Decision StreamSession::WaitForDecision() {
  std::unique_lock<std::mutex> lock(mu_);
  decided_.wait(lock, [&] { return has_decision_; });
  return decision_;
}

}  // namespace gempool::gateway
