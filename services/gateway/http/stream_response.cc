#include "http/stream_response.h"

#include <utility>

namespace gempool::gateway {

StreamResponse::StreamResponse(size_t max_buffered_bytes, std::function<void()> wake)
    : max_buffered_bytes_(max_buffered_bytes), wake_(std::move(wake)) {}

void StreamResponse::Begin(const UpstreamResponseHead& head) {
  MutexLock lock(&mu_);
  pending_head_ = head;
}

bool StreamResponse::Write(absl::string_view data) {
  {
    MutexLock lock(&mu_);
    if (cancelled_) return false;
    if (data.empty()) return true;
    if (!head_.has_value()) head_ = pending_head_;
    data_.append(data.data(), data.size());
    buffered_ += data.size();
  }
  wake_();
  return true;
}

bool StreamResponse::Committed() const {
  MutexLock lock(&mu_);
  return head_.has_value();
}

bool StreamResponse::PauseUntilDrained(std::function<void()> resume) {
  MutexLock lock(&mu_);
  if (cancelled_ || buffered_ <= max_buffered_bytes_) return false;
  resume_ = std::move(resume);
  return true;
}

void StreamResponse::Finish(const ForwardResult& result) {
  {
    MutexLock lock(&mu_);
    finished_ = true;
    result_ = result;
    // A 2xx that ended (or whose client left) before any body byte still
    // commits, with an empty body.
    if (!head_.has_value() && result.outcome != ForwardResult::Outcome::kFailed) head_ = result.head;
    call_.reset();
  }
  wake_();
}

void StreamResponse::SetCall(std::shared_ptr<ForwardCall> call) {
  {
    MutexLock lock(&mu_);
    if (finished_) return;
    if (!cancelled_) {
      call_ = std::move(call);
      return;
    }
  }
  // Cancelled already: cancel this call too, outside the lock.
  if (call != nullptr) call->Cancel();
}

void StreamResponse::Cancel() {
  std::shared_ptr<ForwardCall> call;
  std::function<void()> resume;
  {
    MutexLock lock(&mu_);
    if (cancelled_) return;
    cancelled_ = true;
    call = std::move(call_);
    resume = std::move(resume_);
    data_.clear();
  }
  if (call != nullptr) call->Cancel();
  // A paused upstream read continues into the failed Write and stops.
  if (resume) resume();
}

StreamResponse::Output StreamResponse::Take() {
  MutexLock lock(&mu_);
  Output out;
  if (!head_.has_value()) {
    if (finished_ && !failure_taken_) {
      failure_taken_ = true;
      out.failure = result_.failure;
      out.ended = true;
    }
    return out;
  }
  if (!head_taken_) {
    head_taken_ = true;
    out.head = *head_;
  }
  out.data.swap(data_);
  if (finished_ && data_.empty()) {
    out.ended = true;
    out.succeeded = result_.outcome == ForwardResult::Outcome::kSuccess;
  }
  return out;
}

void StreamResponse::Written(size_t bytes) {
  std::function<void()> resume;
  {
    MutexLock lock(&mu_);
    buffered_ = bytes > buffered_ ? 0 : buffered_ - bytes;
    if (resume_ && buffered_ <= max_buffered_bytes_ / 2) resume = std::move(resume_);
  }
  if (resume) resume();
}

}  // namespace gempool::gateway
