#pragma once
// The settings a running gateway takes from the admin UI without a restart
// (MAX_RETRIES, MAX_KEY_WAIT_MS, TIME_OUT, CUSTOM_HEADERS, BASE_URL,
// ALLOWED_TOKENS, ANTHROPIC_MODEL_MAP, VERTEX_EXPRESS_BASE_URL, FAKE_STREAM_*,
// FILES_USER_ISOLATION_ENABLED, RESPONSES_STORE_*, the HTTP limits, and the
// model settings of the conversion: SEARCH_MODELS, THINKING_*,
// SAFETY_SETTINGS, TTS_*, ...; GATEWAY_THREADS, ADMIN_SESSION_EXPIRE,
// TIMEZONE and LOG_LEVEL are applied where they live), as one immutable
// snapshot swapped atomically: a request reads the snapshot once and uses it
// throughout, so it never mixes old and new values. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gempool/anthropic/model_map.h"
#include "gempool/config/config.h"
#include "gempool/gemini/upstream_url.h"
#include "gempool/openai/options.h"
#include "upstream/upstream_client.h"

namespace gempool::gateway {

struct LiveSettings {
  int max_attempts = 3;       // MAX_RETRIES.
  int max_key_wait_ms = 3000;  // MAX_KEY_WAIT_MS.
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
  // The HTTP server's limits, for connections accepted from now on (an open
  // connection keeps those it was accepted with).
  int request_head_timeout_seconds = 10;   // REQUEST_HEAD_TIMEOUT.
  int request_body_timeout_seconds = 120;  // REQUEST_BODY_TIMEOUT.
  int keep_alive_timeout_seconds = 60;     // KEEP_ALIVE_TIMEOUT.
  uint64_t max_request_body_bytes = uint64_t{128} << 20;  // MAX_REQUEST_BODY_MB.
  size_t max_connections = 20000;          // MAX_CONNECTIONS.
  size_t max_connections_per_ip = 256;     // MAX_CONNECTIONS_PER_IP (0: no limit).
  int responses_store_days = 30;         // RESPONSES_STORE_DAYS (0: never store).
  size_t responses_store_max_bytes = size_t{2048} << 10;  // RESPONSES_STORE_MAX_KB.
  bool error_log_record_request_body = false;  // ERROR_LOG_RECORD_REQUEST_BODY.
  // TIMEZONE, loaded (UTC, with a warning, when it cannot be): the days
  // managed client tokens' tokens_per_day counts in.
  absl::TimeZone time_zone = absl::UTCTimeZone();
  // UPLOAD_PROVIDER and the image hosts' settings (SMMS_*, PICGO_*,
  // CLOUDFLARE_IMGBED_*, OSS_*): where image answers are uploaded.
  ImageHostSettings image_host;
  // The OpenAI ⇄ Gemini conversion settings (SEARCH_MODELS, THINKING_*,
  // SAFETY_SETTINGS, FILTERED_MODELS, TTS_*, CREATE_IMAGE_MODEL, ...) for
  // BASE_URL's API version; the OpenAI, Anthropic, Responses, native and
  // Vertex routes all use them. Never null in a snapshot MakeLiveSettings made.
  std::shared_ptr<const openai::ConversionOptions> conversion;

  // What the shared parts were built from, so the next snapshot reuses them
  // when these did not change (a poll rebuilds only what a save changed).
  OpenAISettings conversion_inputs;
  std::string anthropic_model_map_text;
  std::string time_zone_name;

  // Whether `token` may call the client APIs.
  bool IsAllowedToken(const std::string& token) const;
};

// CUSTOM_HEADERS minus what the gateway owns: exactly one credential (the
// pool key) goes upstream, and framing headers are computed per request.
absl::StatusOr<HeaderList> UpstreamCustomHeaders(const Config& config);

// The live part of `config`; `admin_token` is the one the gateway started
// with. Fails like Gateway::Create on a bad BASE_URL, VERTEX_EXPRESS_BASE_URL,
// CUSTOM_HEADERS, ANTHROPIC_MODEL_MAP or model setting (TTS_VOICE_NAME, ...).
// The parts of `previous` (the snapshot in force, optional) whose inputs are
// unchanged are shared, not rebuilt: the conversion options (the same
// pointer), the Anthropic model map, the time zone.
absl::StatusOr<std::shared_ptr<const LiveSettings>> MakeLiveSettings(const Config& config,
                                                                     const std::string& admin_token,
                                                                     const LiveSettings* previous = nullptr);

class LiveSettingsHolder {
 public:
  explicit LiveSettingsHolder(std::shared_ptr<const LiveSettings> initial) : current_(std::move(initial)) {}

  // The snapshot in force. The HTTP server reads it once per request and
  // hands it on (ClientCall::settings, ForwardRequest::settings); lock-free
  // apart from the shared_ptr's own reference count.
  std::shared_ptr<const LiveSettings> Get() const { return std::atomic_load(&current_); }
  void Set(std::shared_ptr<const LiveSettings> next) { std::atomic_store(&current_, std::move(next)); }

 private:
  std::shared_ptr<const LiveSettings> current_;
};

}  // namespace gempool::gateway
