#pragma once
// A fake of the Gemini API (generativelanguage.googleapis.com) for tests and
// benchmarks: the native routes under /v1beta, /v1 and /v1alpha, an API-key
// check with Google's error bodies, and an admin API under /_fake/ with which
// tests script failures per key and model and read back what reached it:
//
//   POST /_fake/script   {"key":K?, "model":M?, "responses":[...], "repeat":bool}
//   POST /_fake/reset    drops scripts and recorded requests, releases hangs
//   GET  /_fake/requests [?since=ID][&key=K] → {"requests":[...], "lastId":N}
//   POST /_fake/keys     {"keys":[...]} or {"acceptAll":true}: the valid keys
//   GET  /_fake/health   → 200 "ok"
//
// The Files API (upload, list, get, delete) with per-key file ownership is
// in files_routes.h.
//
// Handlers run on the server's threads. Thread-safe.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "fake_upstream/files_routes.h"
#include "fake_upstream/request_recorder.h"
#include "fake_upstream/script_book.h"
#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"
#include "httplib.h"

namespace gempool::fake {

struct FakeGeminiOptions {
  // The API keys the fake accepts; empty accepts every non-empty key.
  std::vector<std::string> valid_keys;
  // How many requests /_fake/requests remembers (oldest dropped first).
  size_t max_recorded = 10000;
  // The Vertex AI Express keys the fake accepts on its Vertex routes
  // (vertex_routes.cc); empty accepts any key shaped like one ("AQ." and 40
  // or more characters), and never a Gemini API key.
  std::vector<std::string> vertex_keys;
};

class FakeGemini {
 public:
  explicit FakeGemini(FakeGeminiOptions options, const Clock& clock = SystemClock::Get());
  FakeGemini(const FakeGemini&) = delete;
  FakeGemini& operator=(const FakeGemini&) = delete;

  // Installs every route on `server`, which must stop before this object is
  // destroyed.
  void Register(httplib::Server& server);

  // Releases requests that are hanging or sleeping; call before stopping the
  // server so its threads can finish.
  void Shutdown() ABSL_LOCKS_EXCLUDED(release_mu_);

  ScriptBook& scripts() { return scripts_; }
  RequestRecorder& recorder() { return recorder_; }

 private:
  struct Route {
    std::string api_version;  // "v1beta"
    std::string model;        // "gemini-2.5-flash", "" for model-less calls
    std::string operation;    // "generateContent", "listModels", ..., "files.upload" (files_routes.h)
    std::string file_id = {}; // files.get, files.delete
    bool vertex = false;      // A Vertex AI Express route (vertex_routes.cc): its own keys.
  };

  // The Vertex AI Express routes (vertex_routes.cc), registered ahead of the
  // catch-all.
  void RegisterVertex(httplib::Server& server);
  bool VertexKeyAccepted(const std::string& key) const;

  void HandleGemini(const httplib::Request& req, httplib::Response& res, const Route& route);
  // Answers a request whose key passed, following `behavior` (or normally).
  void Answer(const httplib::Request& req, httplib::Response& res, const Route& route, const std::string& key,
              const Behavior* behavior, int64_t request_id);
  void AnswerSuccess(const httplib::Request& req, httplib::Response& res, const Route& route, const Behavior* behavior,
                     int64_t request_id);
  void AnswerStream(const httplib::Request& req, httplib::Response& res, const Route& route, const std::string& key,
                    const Behavior* behavior, int64_t request_id);
  void AnswerError(const httplib::Request& req, httplib::Response& res, const Route& route, const std::string& key,
                   const Behavior& behavior);

  void HandleScript(const httplib::Request& req, httplib::Response& res);
  void HandleReset(httplib::Response& res) ABSL_LOCKS_EXCLUDED(keys_mu_, release_mu_);
  void HandleRequests(const httplib::Request& req, httplib::Response& res);
  void HandleKeys(const httplib::Request& req, httplib::Response& res) ABSL_LOCKS_EXCLUDED(keys_mu_);

  bool KeyAccepted(const std::string& key) const ABSL_LOCKS_EXCLUDED(keys_mu_);
  // Sleeps `ms` (forever when <= 0) unless released by reset or shutdown
  // first; returns whether the full time passed.
  bool Sleep(int ms) ABSL_LOCKS_EXCLUDED(release_mu_);

  const Clock& clock_;
  const FakeGeminiOptions options_;
  ScriptBook scripts_;
  RequestRecorder recorder_;
  FakeFiles files_{clock_};

  mutable Mutex keys_mu_;
  std::set<std::string> valid_keys_ ABSL_GUARDED_BY(keys_mu_);

  // Sleepers (Sleep) end early when either changes. A CondVar (not
  // absl::Mutex::Await, which re-evaluates every sleeper's condition on each
  // unlock, and not polling in slices, which woke each of 2,000 paced streams
  // 40 times a second and made the fake cost most of a core): a sleeper wakes
  // once, at its deadline, unless released.
  Mutex release_mu_;
  CondVar released_;
  int64_t release_generation_ ABSL_GUARDED_BY(release_mu_) = 0;
  bool shutting_down_ ABSL_GUARDED_BY(release_mu_) = false;
};

// Splits "a,b, c" into trimmed non-empty parts (for --keys).
std::vector<std::string> SplitList(const std::string& text);

}  // namespace gempool::fake
