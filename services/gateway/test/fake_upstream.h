#pragma once
// An in-process stand-in for the Gemini API: an httplib server on loopback
// port 0 that answers each request with the next scripted response (status,
// headers, body, or a stream of chunks that can pause on a latch or break off)
// and records what it received, and how far its streams got (chunks written,
// writes that failed because the gateway hung up). Thread-safe: httplib's
// threads serve the requests, the test thread scripts and inspects; mu_
// guards the script, what was received, the latch and the counts. The test
// thread alone starts and stops the server (port_, thread_).

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/mutex.h"
#include "gempool/testing/httplib_server.h"

namespace gempool::gateway::testing {

class FakeUpstream {
 public:
  struct Scripted {
    int status = 200;
    std::string content_type = "application/json; charset=UTF-8";
    std::string body;
    std::map<std::string, std::string> headers;
    // When non-empty, the body is streamed as these chunks instead.
    std::vector<std::string> chunks;
    // When non-zero (and `chunks` is empty), the body is streamed as
    // generate_chunk(0) ... generate_chunk(generated_chunks - 1), made as they
    // are written: big streams without holding them in memory.
    size_t generated_chunks = 0;
    std::function<std::string(size_t)> generate_chunk;
    // Wait for ReleaseLatch() (up to 10 s) after the first chunk.
    bool latch_after_first = false;
    // Abort the connection after this many chunks (-1: end normally).
    int break_after = -1;
    // Wait for ReleaseLatch() (up to 10 s) before answering at all.
    bool hold_until_latch = false;
  };

  struct Received {
    std::string method;
    std::string target;  // Path and query as sent.
    httplib::Headers headers;
    std::string body;
  };

  FakeUpstream() {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      Scripted next;
      {
        MutexLock lock(&mu_);
        received_.push_back({req.method, req.target, req.headers, req.body});
        if (script_.empty()) {
          res.status = 500;
          res.set_content("{\"error\":{\"code\":500,\"message\":\"nothing scripted\"}}",
                          "application/json");
          return;
        }
        next = script_.front();
        script_.pop_front();
      }
      if (next.hold_until_latch) WaitLatch();
      res.status = next.status;
      for (const auto& [name, value] : next.headers) res.set_header(name, value);
      if (next.chunks.empty() && next.generated_chunks == 0) {
        res.set_content(next.body, next.content_type.c_str());
        return;
      }
      res.set_chunked_content_provider(
          next.content_type, [this, next](size_t, httplib::DataSink& sink) {
            const bool generated = next.chunks.empty();
            const size_t count = generated ? next.generated_chunks : next.chunks.size();
            for (size_t i = 0; i < count; ++i) {
              if (static_cast<int>(i) == next.break_after) return false;
              const std::string made = generated ? next.generate_chunk(i) : std::string();
              const std::string& chunk = generated ? made : next.chunks[i];
              CountWrite(sink.write(chunk.data(), chunk.size()));
              if (i == 0 && next.latch_after_first) WaitLatch();
            }
            if (next.break_after >= static_cast<int>(count)) return false;
            sink.done();
            return true;
          });
    };
    server_.Get(".*", handler);
    server_.Post(".*", handler);
  }

  ~FakeUpstream() { Stop(); }

  int Start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    EXPECT_TRUE(gempool::testing::StartListening(server_, &thread_));
    return port_;
  }

  void Stop() {
    ReleaseLatch();
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  void Script(Scripted response) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    script_.push_back(std::move(response));
  }

  void ReleaseLatch() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    latch_released_ = true;
    latch_.SignalAll();
  }

  // Whether a stream waited the full 10 s for its latch (the gateway held the
  // first chunk back instead of passing it on).
  bool latch_timed_out() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return latch_timed_out_;
  }

  std::vector<Received> received() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return received_;
  }

  // Stream chunks written so far (taken by the socket: the gateway may not
  // have read them yet), over every stream.
  size_t chunks_written() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return chunks_written_;
  }

  // Waits up to `timeout` until `n` stream chunks were written in all.
  bool WaitForChunksWritten(size_t n, std::chrono::milliseconds timeout) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + absl::FromChrono(timeout);
    while (chunks_written_ < n && !progress_.WaitWithDeadline(&mu_, deadline)) {
    }
    return chunks_written_ >= n;
  }

  // Waits up to `timeout` until a stream chunk could not be written: the
  // gateway closed (or reset) the connection it was reading the stream on.
  bool WaitForWriteFailure(std::chrono::milliseconds timeout) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + absl::FromChrono(timeout);
    while (failed_writes_ == 0 && !progress_.WaitWithDeadline(&mu_, deadline)) {
    }
    return failed_writes_ > 0;
  }

  int port() const { return port_; }

 private:
  void CountWrite(bool written) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    (written ? chunks_written_ : failed_writes_)++;
    progress_.SignalAll();
  }

  void WaitLatch() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!latch_released_ && !latch_.WaitWithDeadline(&mu_, deadline)) {
    }
    if (!latch_released_) latch_timed_out_ = true;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  Mutex mu_;
  CondVar latch_;  // Signalled by ReleaseLatch.
  bool latch_released_ ABSL_GUARDED_BY(mu_) = false;
  bool latch_timed_out_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<Scripted> script_ ABSL_GUARDED_BY(mu_);
  std::vector<Received> received_ ABSL_GUARDED_BY(mu_);
  CondVar progress_;  // Chunk writes, written or failed.
  size_t chunks_written_ ABSL_GUARDED_BY(mu_) = 0;
  size_t failed_writes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gempool::gateway::testing
