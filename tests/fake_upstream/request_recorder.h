#pragma once
// What reached the fake upstream, request by request, so tests can assert
// what a gateway sent (which key, the exact body, no client token). Keeps the
// newest `capacity` requests. Thread-safe.

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "gempool/common/mutex.h"
#include "nlohmann/json.hpp"

namespace gempool::fake {

struct RecordedRequest {
  // 1, 2, 3, ... in arrival order; never reused until Clear().
  int64_t id = 0;
  // Unix ms of arrival.
  int64_t time_ms = 0;
  std::string method;
  // Decoded path, e.g. "/v1beta/models/gemini-2.5-flash:generateContent".
  std::string path;
  // The raw query string (after '?', "" when none).
  std::string query;
  // Headers as received (names as the sender spelled them).
  std::vector<std::pair<std::string, std::string>> headers;
  // The body, byte for byte.
  std::string body;
  // The API key the request carried and where: "header" (x-goog-api-key),
  // "query" (?key=) or "" when none.
  std::string key;
  std::string key_source;
  // Model id from the path (without "models/"), "" for model-less calls.
  std::string model;
  // The Gemini method, e.g. "generateContent", "listModels".
  std::string operation;
  // HTTP status the fake answered with (0 while still being answered).
  int status = 0;
  // The scripted behaviour applied ("" when none).
  std::string behavior;
};

class RequestRecorder {
 public:
  explicit RequestRecorder(size_t capacity) : capacity_(capacity) {}

  // Stores `request` (its id and time are assigned here); returns the id.
  int64_t Add(RecordedRequest request, int64_t now_ms);
  // Fills in how the request was answered.
  void Finish(int64_t id, int status, const std::string& behavior);
  // Requests with id > `after_id`, oldest first; only those with key `key`
  // when it is not empty.
  std::vector<RecordedRequest> Since(int64_t after_id, const std::string& key) const;
  void Clear();

 private:
  const size_t capacity_;
  mutable Mutex mu_;
  std::deque<RecordedRequest> requests_ ABSL_GUARDED_BY(mu_);
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
};

// The JSON shape served by GET /_fake/requests: method, path, query, headers
// (list of [name, value]), body, key, keySource, model, operation, status,
// behavior, id, timeMs. Bytes that are not valid UTF-8 in the body become
// U+FFFD; `bodyBytes` always gives the exact length.
nlohmann::ordered_json ToJson(const RecordedRequest& request);

}  // namespace gempool::fake
