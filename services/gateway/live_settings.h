#pragma once
// The settings a running gateway takes from the admin UI without a restart
// (MAX_RETRIES, TIME_OUT, CUSTOM_HEADERS, BASE_URL, ALLOWED_TOKENS,
// ANTHROPIC_MODEL_MAP, VERTEX_EXPRESS_BASE_URL, FAKE_STREAM_*,
// FILES_USER_ISOLATION_ENABLED; LOG_LEVEL is process-wide), as one immutable
// snapshot swapped atomically: a request
// reads the snapshot once and uses it throughout, so it never mixes old and
// new values. Thread-safe.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/anthropic/model_map.h"
#include "gempool/config/config.h"
#include "gempool/gemini/upstream_url.h"
#include "upstream/upstream_client.h"

namespace gempool::gateway {

struct LiveSettings {
  int max_attempts = 3;       // MAX_RETRIES.
  int timeout_seconds = 300;  // TIME_OUT.
  HeaderList custom_headers;  // CUSTOM_HEADERS, checked.
  gemini::BaseUrl base_url;   // BASE_URL.
  std::vector<std::string> allowed_tokens;  // ALLOWED_TOKENS.
  std::string admin_token;    // AUTH_TOKEN (or the first allowed token at start-up; not live).
  // ANTHROPIC_MODEL_MAP, parsed once per change.
  std::shared_ptr<const anthropic::ModelMap> anthropic_models;
  gemini::BaseUrl vertex_base_url;  // VERTEX_EXPRESS_BASE_URL.
  bool fake_stream = false;         // FAKE_STREAM_ENABLED.
  int fake_stream_interval_seconds = 5;  // FAKE_STREAM_EMPTY_DATA_INTERVAL_SECONDS.
  bool files_user_isolation = true;      // FILES_USER_ISOLATION_ENABLED.

  // Whether `token` may call the client APIs.
  bool IsAllowedToken(const std::string& token) const;
};

// CUSTOM_HEADERS minus what the gateway owns: exactly one credential (the
// pool key) goes upstream, and framing headers are computed per request.
absl::StatusOr<HeaderList> UpstreamCustomHeaders(const Config& config);

// The live part of `config`; `admin_token` is the one the gateway started
// with. Fails like Gateway::Create on a bad BASE_URL, VERTEX_EXPRESS_BASE_URL,
// CUSTOM_HEADERS or ANTHROPIC_MODEL_MAP.
absl::StatusOr<std::shared_ptr<const LiveSettings>> MakeLiveSettings(const Config& config,
                                                                     const std::string& admin_token);

class LiveSettingsHolder {
 public:
  explicit LiveSettingsHolder(std::shared_ptr<const LiveSettings> initial) : current_(std::move(initial)) {}

  std::shared_ptr<const LiveSettings> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  void Set(std::shared_ptr<const LiveSettings> next) {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const LiveSettings> current_;
};

}  // namespace gempool::gateway
