#pragma once
// Test helpers around UpstreamClient: an io_context running on its own
// thread, and CallWatcher, which records one call's callbacks and lets the
// test wait (with a deadline) for the events it expects. Thread-safe.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/mutex.h"
#include "gempool/upstream/upstream_client.h"

namespace gempool::upstream::testing {

// An io_context run by `threads` threads (like the gateway's event loop).
class LoopThread {
 public:
  explicit LoopThread(int threads = 1) : work_(boost::asio::make_work_guard(io_)) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~LoopThread() {
    work_.reset();
    io_.stop();
    for (std::thread& t : threads_) t.join();
  }
  boost::asio::io_context& io() { return io_; }
  std::thread::id thread_id() const { return threads_.front().get_id(); }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

class CallWatcher {
 public:
  using PieceAction = std::function<BodyAction(absl::string_view)>;

  CallWatcher() : state_(std::make_shared<State>()) {}

  // Callbacks that record everything. `on_piece` (after recording) decides
  // what to do with each piece; kContinue when absent.
  AsyncUpstreamCallbacks Callbacks(PieceAction on_piece = nullptr, bool accept_head = true) {
    AsyncUpstreamCallbacks callbacks;
    std::shared_ptr<State> state = state_;
    callbacks.on_head = [state, accept_head](const UpstreamResponseHead& head) {
      MutexLock lock(&state->mu);
      state->head = head;
      state->events.push_back("head");
      state->changed.SignalAll();
      return accept_head;
    };
    callbacks.on_body = [state, on_piece](absl::string_view piece) {
      {
        MutexLock lock(&state->mu);
        state->pieces.emplace_back(piece);
        state->bytes += piece.size();
        state->events.push_back("body");
        state->changed.SignalAll();
      }
      return on_piece ? on_piece(piece) : BodyAction::kContinue;
    };
    callbacks.on_done = [state](UpstreamResult result) {
      MutexLock lock(&state->mu);
      state->result = std::move(result);
      state->done_thread = std::this_thread::get_id();
      state->events.push_back("done");
      ++state->done_calls;
      state->changed.SignalAll();
    };
    return callbacks;
  }

  // Starts `request` on `client` with Callbacks() and waits for its end
  // (WaitDone): false when it has not ended within `timeout`.
  bool StartAndWait(UpstreamClient& client, const UpstreamRequest& request,
                    absl::Duration timeout = absl::Seconds(20)) {
    client.Start(request, Callbacks());
    return WaitDone(timeout);
  }

  // gempool::Mutex (std::mutex underneath) rather than absl::Mutex here:
  // ThreadSanitizer sees through the former, not through Debian's
  // uninstrumented abseil.
  bool WaitDone(absl::Duration timeout = absl::Seconds(20)) {
    State& state = *state_;
    const absl::Time deadline = absl::Now() + timeout;
    MutexLock lock(&state.mu);
    while (state.done_calls == 0 && !state.changed.WaitWithDeadline(&state.mu, deadline)) {
    }
    return state.done_calls > 0;
  }
  bool WaitPieces(size_t n, absl::Duration timeout = absl::Seconds(20)) {
    State& state = *state_;
    const absl::Time deadline = absl::Now() + timeout;
    MutexLock lock(&state.mu);
    while (state.pieces.size() < n && !state.changed.WaitWithDeadline(&state.mu, deadline)) {
    }
    return state.pieces.size() >= n;
  }
  // True when on_done has not come within `timeout` (for what must not happen).
  bool StaysRunning(absl::Duration timeout) { return !WaitDone(timeout); }

  UpstreamResult result() const { return Get(&State::result); }
  std::optional<UpstreamResponseHead> head() const { return Get(&State::head); }
  std::vector<std::string> pieces() const { return Get(&State::pieces); }
  std::vector<std::string> events() const { return Get(&State::events); }
  size_t bytes() const { return Get(&State::bytes); }
  int done_calls() const { return Get(&State::done_calls); }
  std::thread::id done_thread() const { return Get(&State::done_thread); }
  std::string body() const {
    std::string out;
    for (const std::string& piece : pieces()) out += piece;
    return out;
  }

 private:
  struct State {
    mutable Mutex mu;
    CondVar changed;
    std::optional<UpstreamResponseHead> head ABSL_GUARDED_BY(mu);
    std::vector<std::string> pieces ABSL_GUARDED_BY(mu);
    std::vector<std::string> events ABSL_GUARDED_BY(mu);
    size_t bytes ABSL_GUARDED_BY(mu) = 0;
    UpstreamResult result ABSL_GUARDED_BY(mu);
    int done_calls ABSL_GUARDED_BY(mu) = 0;
    std::thread::id done_thread ABSL_GUARDED_BY(mu);
  };

  // Reads one member of State under its lock (the analysis does not follow
  // the pointer-to-member; every member read this way is guarded by mu).
  template <typename T>
  T Get(T State::*member) const {
    const State& state = *state_;
    MutexLock lock(&state.mu);
    return state.*member;
  }

  // Shared with the callbacks, which may outlive a failed test.
  std::shared_ptr<State> state_;
};

// A request to `scheme_host_port` with the given method, path and body.
inline UpstreamRequest MakeRequest(std::string scheme_host_port, std::string path = "/v1beta/models/m:generateContent",
                                   std::string method = "POST", std::string body = R"({"contents":[]})") {
  UpstreamRequest request;
  request.method = std::move(method);
  request.scheme_host_port = std::move(scheme_host_port);
  request.path_and_query = std::move(path);
  request.headers = {{"x-goog-api-key", "AIzaSyTest"}, {"Content-Type", "application/json"}};
  request.body = std::move(body);
  request.timeout_seconds = 10;
  return request;
}

}  // namespace gempool::upstream::testing
