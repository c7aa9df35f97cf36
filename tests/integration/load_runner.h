#pragma once
// Steady client load for the fault tests: `clients` threads, each sending
// generateContent (every fourth call a streamed one) to the gateways in turn,
// each call with its own x-request-id, at most `per_client_rate` calls a
// second each, until Stop(). Records every call that did not fully succeed
// (with what went wrong) and the ids of those that did, so a test can check
// that none failed and that each one's log row reached the database.
//
// Threads: Start() runs the clients; Stop() joins them. The results are read
// after Stop() (the clients record them under mu_; the counters are atomic).
// Start() and Stop() are not thread-safe otherwise.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "gempool/common/mutex.h"

namespace gempool::integration {

struct LoadTarget {
  std::string host;
  int port = 0;
};

class LoadRunner {
 public:
  struct Options {
    std::vector<LoadTarget> gateways;
    std::string token;
    std::string model = "gemini-2.5-flash";
    int clients = 4;
    double per_client_rate = 10;
    // Prefix of every x-request-id ("<prefix>-<client>-<n>").
    std::string id_prefix = "load";
    int read_timeout_s = 60;
  };

  explicit LoadRunner(Options options) : options_(std::move(options)) {}
  ~LoadRunner() { Stop(); }
  LoadRunner(const LoadRunner&) = delete;
  LoadRunner& operator=(const LoadRunner&) = delete;

  void Start();
  void Stop();

  int64_t sent() const { return sent_.load(); }
  int64_t succeeded() const { return succeeded_.load(); }
  // One line per failed call: "<id> via <gateway>: <what>".
  std::vector<std::string> failures() const ABSL_LOCKS_EXCLUDED(mu_);
  // The request ids of the calls that succeeded.
  std::vector<std::string> succeeded_ids() const ABSL_LOCKS_EXCLUDED(mu_);
  // The slowest successful call, milliseconds.
  int64_t max_latency_ms() const { return max_latency_ms_.load(); }

 private:
  void Client(int index) ABSL_LOCKS_EXCLUDED(mu_);

  const Options options_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  std::atomic<int64_t> sent_{0};
  std::atomic<int64_t> succeeded_{0};
  std::atomic<int64_t> max_latency_ms_{0};
  mutable Mutex mu_;
  std::vector<std::string> failures_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> ids_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::integration
