#pragma once
// A BodySource for the upstream client's tests: `size` bytes of a known
// pattern (PatternBytes) delivered in pieces of `piece` bytes from its own
// thread, as the gateway's client connection would. It can fail after a
// number of bytes (a client that went away) or stall there until Cancel()
// (a client that went quiet). Counts Reads and Cancels. Thread-safe.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <thread>

#include "absl/status/status.h"
#include "gempool/common/mutex.h"
#include "gempool/common/notification.h"
#include "gempool/upstream/body_source.h"

namespace gempool::upstream::testing {

// Byte `i` of every test body: a pattern that shows a lost, repeated or
// reordered piece.
inline char PatternByte(uint64_t i) { return static_cast<char>('a' + (i * 7 + i / 4093) % 26); }
inline std::string PatternBytes(uint64_t from, uint64_t n) {
  std::string out(n, '\0');
  for (uint64_t i = 0; i < n; ++i) out[i] = PatternByte(from + i);
  return out;
}

class TestBodySource final : public BodySource {
 public:
  struct Options {
    uint64_t size = 0;
    size_t piece = 64 * 1024;
    // After this many bytes, Read fails with this status (nullopt: never).
    std::optional<uint64_t> fail_after = std::nullopt;
    absl::Status failure = absl::CancelledError("the client closed the connection");
    // After this many bytes, Read does not answer until Cancel().
    std::optional<uint64_t> stall_after = std::nullopt;
    // Pieces add up to this many bytes instead of `size` (a lying source).
    std::optional<uint64_t> actual_size = std::nullopt;
    // Each piece comes this long after its Read (a slow client's pace).
    std::chrono::milliseconds pace{0};
  };

  explicit TestBodySource(Options options)
      : options_(std::move(options)), work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~TestBodySource() override {
    work_.reset();
    io_.stop();
    thread_.join();
  }

  uint64_t size() const override { return options_.size; }

  void Read(OnData on_data) override {
    ++reads_;
    if (options_.pace.count() > 0) {
      auto timer = std::make_shared<boost::asio::steady_timer>(io_, options_.pace);
      timer->async_wait([this, timer, on_data = std::move(on_data)](const boost::system::error_code&) mutable {
        Deliver(std::move(on_data));
      });
      return;
    }
    boost::asio::post(io_, [this, on_data = std::move(on_data)]() mutable { Deliver(std::move(on_data)); });
  }

  void Cancel() override {
    ++cancels_;
    boost::asio::post(io_, [this] {
      MutexLock lock(&mu_);
      cancelled_ = true;
      if (stalled_) {
        auto on_data = std::move(stalled_);
        stalled_ = nullptr;
        on_data(absl::CancelledError("the consumer cancelled"));
      }
    });
  }

  int reads() const { return reads_; }
  int cancels() const { return cancels_; }
  // Notified when a Read first stalls (stall_after reached).
  Notification& stalled() { return stalled_once_; }

 private:
  // On io_'s thread.
  void Deliver(OnData on_data) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    if (cancelled_) return on_data(absl::CancelledError("the consumer cancelled"));
    if (options_.fail_after.has_value() && offset_ >= *options_.fail_after) return on_data(options_.failure);
    if (options_.stall_after.has_value() && offset_ >= *options_.stall_after) {
      stalled_ = std::move(on_data);
      stalled_once_.Notify();
      return;
    }
    const uint64_t total = options_.actual_size.value_or(options_.size);
    uint64_t n = std::min<uint64_t>(options_.piece, total - offset_);
    if (options_.fail_after.has_value()) n = std::min<uint64_t>(n, *options_.fail_after - offset_);
    if (options_.stall_after.has_value()) n = std::min<uint64_t>(n, *options_.stall_after - offset_);
    piece_ = PatternBytes(offset_, n);
    offset_ += n;
    on_data(absl::string_view(piece_));
  }

  const Options options_;
  Mutex mu_;
  uint64_t offset_ ABSL_GUARDED_BY(mu_) = 0;
  std::string piece_ ABSL_GUARDED_BY(mu_);
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  OnData stalled_ ABSL_GUARDED_BY(mu_);
  Notification stalled_once_;
  std::atomic<int> reads_{0};
  std::atomic<int> cancels_{0};
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;  // Last: runs io_, which uses the members above.
};

}  // namespace gempool::upstream::testing
