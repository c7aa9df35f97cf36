#pragma once
// One scripted behaviour of the fake Gemini upstream: what it does with the
// next request for a key (and model), as posted to /_fake/script. Plain value
// type; parsing is pure. Thread-compatible.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace gempool::fake {

// Token counts a test chooses for an answer's usageMetadata (Gemini's field
// names in the script: promptTokenCount, candidatesTokenCount,
// thoughtsTokenCount, cachedContentTokenCount, toolUsePromptTokenCount).
// totalTokenCount is prompt + candidates + thoughts + tool use prompt.
struct FakeUsage {
  int64_t prompt = 0;
  int64_t candidates = 0;
  int64_t thoughts = 0;
  int64_t cached = 0;
  int64_t tool_use_prompt = 0;
};

struct Behavior {
  enum class Kind {
    // A normal answer (after `delay_ms`).
    kSuccess,
    // An HTTP error with Google's error body for `status` (after `delay_ms`).
    kError,
    // `delay_ms` before the headers, then success (or the error `status`).
    kSlow,
    // A stream of `chunks` chunks, `interval_ms` apart ("stream" or
    // "slow_stream"); a non-stream call answers normally.
    kStream,
    // `after_chunks` chunks, then the connection closes without finishing the
    // chunked body. A non-stream call gets half its body, then the close.
    kBrokenStream,
    // `after_chunks` chunks, then an in-stream error event for `status`
    // (`data: {"error":…}` on SSE, an array element on the JSON stream).
    kStreamError,
    // No answer until the fake is reset or shut down (or `delay_ms` passes,
    // when given).
    kHang,
  };

  Kind kind = Kind::kSuccess;
  // HTTP status of an error (kError, kSlow with an error, kStreamError).
  int status = 200;
  // The flavour of the error: the ErrorInfo reason for 400/403
  // (API_KEY_INVALID, CONSUMER_SUSPENDED, API_KEY_SERVICE_BLOCKED), or
  // INVALID_ARGUMENT / FAILED_PRECONDITION for client-side 400s.
  std::string reason;
  // RetryInfo.retryDelay of a 429, e.g. "30s" (absent when empty).
  std::string retry_delay;
  // QuotaFailure quotaId of a 429 (a per-minute free-tier quota when empty).
  std::string quota_id;
  // A 403 "Your API key was reported as leaked".
  bool leaked = false;
  // Replaces the error message (the key is still quoted where Google does).
  std::string message;
  // A Retry-After response header, when not empty.
  std::string retry_after;
  // Milliseconds before the headers (kSlow, kError, kSuccess) or, for kHang,
  // the longest time to hang (0 = until reset or shutdown).
  int delay_ms = 0;
  // Chunks in a stream (0 = the default of 3).
  int chunks = 0;
  // Milliseconds between stream chunks.
  int interval_ms = 0;
  // Chunks sent before a broken stream closes or a stream error is sent.
  int after_chunks = 0;
  // A broken stream ends with a TCP reset (RST, as a crashed or cut-off
  // server's peer sees it) instead of an orderly close ("reset").
  bool reset = false;
  // Replaces the whole response body, byte for byte (with `content_type`,
  // default application/json; charset=UTF-8); `status` is used as is.
  std::string body;
  bool has_body = false;
  std::string content_type;
  // Replaces the generated reply text.
  std::string text;
  // Extra response headers.
  std::map<std::string, std::string> headers;
  // The usageMetadata of a successful answer ("usage"); unset: counts
  // estimated from the prompt and reply texts. A stream's chunks carry
  // running totals that end at exactly these numbers.
  std::optional<FakeUsage> usage;
};

// Parses one element of the "responses" list of /_fake/script. Unknown fields
// and out-of-range values are errors naming the field, so a typo in a test
// script fails loudly instead of being ignored.
absl::StatusOr<Behavior> ParseBehavior(const nlohmann::json& json);

// The name used in "kind" for `kind` ("success", "error", "slow", ...).
const char* BehaviorKindName(Behavior::Kind kind);

}  // namespace gempool::fake
