#pragma once
// Test helpers around UpstreamClient: an io_context running on its own
// thread, and CallWatcher, which records one call's callbacks and lets the
// test wait (with a deadline) for the events it expects. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "absl/time/time.h"
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
      std::lock_guard<std::mutex> lock(state->mu);
      state->head = head;
      state->events.push_back("head");
      state->changed.notify_all();
      return accept_head;
    };
    callbacks.on_body = [state, on_piece](absl::string_view piece) {
      {
        std::lock_guard<std::mutex> lock(state->mu);
        state->pieces.emplace_back(piece);
        state->bytes += piece.size();
        state->events.push_back("body");
        state->changed.notify_all();
      }
      return on_piece ? on_piece(piece) : BodyAction::kContinue;
    };
    callbacks.on_done = [state](UpstreamResult result) {
      std::lock_guard<std::mutex> lock(state->mu);
      state->result = std::move(result);
      state->done_thread = std::this_thread::get_id();
      state->events.push_back("done");
      ++state->done_calls;
      state->changed.notify_all();
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

  // std::mutex rather than absl::Mutex here: ThreadSanitizer sees through
  // the former, not through Debian's uninstrumented abseil.
  bool WaitDone(absl::Duration timeout = absl::Seconds(20)) {
    std::unique_lock<std::mutex> lock(state_->mu);
    return state_->changed.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                                    [this] { return state_->done_calls > 0; });
  }
  bool WaitPieces(size_t n, absl::Duration timeout = absl::Seconds(20)) {
    std::unique_lock<std::mutex> lock(state_->mu);
    return state_->changed.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                                    [this, n] { return state_->pieces.size() >= n; });
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
    mutable std::mutex mu;
    std::condition_variable changed;
    std::optional<UpstreamResponseHead> head;
    std::vector<std::string> pieces;
    std::vector<std::string> events;
    size_t bytes = 0;
    UpstreamResult result;
    int done_calls = 0;
    std::thread::id done_thread;
  };

  template <typename T>
  T Get(T State::*member) const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return (*state_).*member;
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
