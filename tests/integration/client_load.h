#pragma once
// Clients calling a gateway (or nginx in front of gateways) without pause
// from many threads, for the restart tests: native and OpenAI calls, whole
// and streamed, in turn, each with its own x-request-id. Records every
// call's outcome so a test can say which failed and find each one's
// request-log row. Thread-safe; the calls run on the load's own threads.

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "gempool/common/mutex.h"

namespace gempool::integration {

class ClientLoad {
 public:
  enum class Kind { kNativeWhole, kNativeStream, kOpenAIWhole, kOpenAIStream };

  struct Options {
    int port = 0;
    std::string token;
    int threads = 50;
    // Request ids are `id_prefix`-THREAD-N.
    std::string id_prefix = "load";
    // Only native whole calls (else the four kinds in turn).
    bool native_whole_only = false;
    // The fake upstream's streams carry this many chunks: a stream is whole
    // when "chunk N of N" arrived.
    int stream_chunks = 3;
  };

  struct Call {
    std::string id;
    Kind kind = Kind::kNativeWhole;
    bool ok = false;
    // Status and what was wrong, for a failed call.
    std::string detail;
    // The X-Gempool-Upstream answer header (nginx: the gateway that answered).
    std::string upstream;
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::time_point finished;
  };

  explicit ClientLoad(Options options);
  ~ClientLoad();  // Stop()s.
  ClientLoad(const ClientLoad&) = delete;
  ClientLoad& operator=(const ClientLoad&) = delete;

  // Waits up to `timeout_ms` until `count` calls (in all) finished well.
  bool WaitForSucceeded(size_t count, int timeout_ms) ABSL_LOCKS_EXCLUDED(mu_);
  // Waits up to `timeout_ms` until a call that started after `after` was
  // answered by `upstream` (an X-Gempool-Upstream value).
  bool WaitForAnswerFrom(const std::string& upstream, std::chrono::steady_clock::time_point after, int timeout_ms)
      ABSL_LOCKS_EXCLUDED(mu_);
  size_t succeeded() const ABSL_LOCKS_EXCLUDED(mu_);

  // Ends the threads once their calls in flight are done.
  void Stop();
  // Every call (after Stop).
  std::vector<Call> Calls() const ABSL_LOCKS_EXCLUDED(mu_);

  static const char* KindName(Kind kind);

 private:
  void Run(int thread) ABSL_LOCKS_EXCLUDED(mu_);
  Call Make(int thread, int n);

  const Options options_;
  std::atomic<bool> stopping_{false};
  mutable Mutex mu_;
  // Signalled whenever a call is recorded.
  CondVar changed_;
  std::vector<Call> calls_ ABSL_GUARDED_BY(mu_);
  size_t succeeded_ ABSL_GUARDED_BY(mu_) = 0;
  // The latest start time of a call each upstream answered well.
  std::map<std::string, std::chrono::steady_clock::time_point> latest_by_upstream_ ABSL_GUARDED_BY(mu_);
  // Started in the constructor, joined by Stop() (the test's thread).
  std::vector<std::thread> threads_;
};

}  // namespace gempool::integration
