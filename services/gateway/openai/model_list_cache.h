#pragma once
// The upstream model list for GET /v1/models in OpenAI form: fetched through
// the key broker's attempt loop (every page, pageSize 1000), kept for a short
// time (60 s by default, per upstream: a BASE_URL changed in the admin UI
// starts afresh) so clients that list models on every start do not cost a key
// call each, and refetched when stale. Failures are not cached.
// No lock is held while fetching; concurrent misses may each fetch.
// Thread-safe.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "upstream/gemini_caller.h"
#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"
#include "http/http_status.h"
#include "nlohmann/json.hpp"

namespace gempool::gateway {

class ModelListCache {
 public:
  struct Options {
    int64_t ttl_ms = 60000;
    int page_size = 1000;
    int max_pages = 20;
  };

  struct Result {
    // Every Model object upstream listed, as a JSON array; null on failure.
    std::shared_ptr<const nlohmann::json> models;
    // Unix seconds of the fetch (the `created` of the OpenAI entries).
    int64_t fetched_unix = 0;
    // On failure, the Forwarder's (Gemini-shaped) error.
    HttpReply failure;
    int attempts = 0;  // Upstream attempts this call made (0 when cached).
    int64_t key_id = 0;
  };

  // `caller` and `clock` must outlive the cache.
  ModelListCache(const GeminiCaller& caller, const Clock& clock, Options options);

  // The cached list of BASE_URL in `settings` (the request's snapshot), or a
  // fresh one when it is missing or older than the TTL.
  Result Get(const std::shared_ptr<const LiveSettings>& settings) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  Result Fetch(const std::shared_ptr<const LiveSettings>& settings) ABSL_LOCKS_EXCLUDED(mu_);

  const GeminiCaller& caller_;
  const Clock& clock_;
  const Options options_;
  Mutex mu_;
  std::string upstream_ ABSL_GUARDED_BY(mu_);  // The BASE_URL models_ came from.
  std::shared_ptr<const nlohmann::json> models_ ABSL_GUARDED_BY(mu_);
  int64_t fetched_ms_ ABSL_GUARDED_BY(mu_) = 0;  // Monotonic.
  int64_t fetched_unix_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gempool::gateway
