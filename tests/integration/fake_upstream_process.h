#pragma once
// The fake-gemini binary as a subprocess, with a client for its /_fake/ admin
// API: script failures per key and model, read back what reached it. Not
// thread-safe; owned by one test.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/testing/subprocess.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {

// One request as the fake upstream received it (see GET /_fake/requests).
struct UpstreamRequest {
  int64_t id = 0;
  int64_t time_ms = 0;
  std::string method;
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The API key it carried, and where ("header", "query" or "").
  std::string key;
  std::string key_source;
  std::string model;
  std::string operation;
  // How the fake answered.
  int status = 0;
  std::string behavior;

  // The value of header `name` (any case), "" when absent.
  std::string Header(const std::string& name) const;
  bool HasHeader(const std::string& name) const;
};

class FakeUpstream {
 public:
  // Starts `bin_dir`/tests/fake_upstream/fake-gemini on a free port of
  // `host` (loopback, or a private address such as a test network's bridge),
  // logging to `log_path`. With `valid_keys` empty, every key is accepted.
  static absl::StatusOr<std::unique_ptr<FakeUpstream>> Start(const std::string& bin_dir, const std::string& work_dir,
                                                             const std::string& log_path,
                                                             const std::vector<std::string>& valid_keys,
                                                             const std::string& host = "127.0.0.1");

  int port() const { return port_; }
  // The BASE_URL a gateway uses to reach it: http://HOST:PORT/v1beta.
  std::string BaseUrl() const;

  // POST /_fake/script with `script` ({"key"?, "model"?, "responses", "repeat"?}).
  absl::Status Script(const nlohmann::json& script);
  // Shorthand: `responses` for every request to `key` (any key when empty) and
  // `model` (any model when empty).
  absl::Status ScriptKey(const std::string& key, const std::string& model, const nlohmann::json& responses,
                         bool repeat);
  // POST /_fake/reset.
  absl::Status Reset();
  // POST /_fake/keys: which keys are valid from now on.
  absl::Status SetValidKeys(const std::vector<std::string>& keys);
  // Everything received after request id `since`, oldest first.
  absl::StatusOr<std::vector<UpstreamRequest>> Requests(int64_t since = 0) const;
  // Requests for one Gemini method (e.g. "generateContent"), or all when
  // `operation` is empty; leaves out other traffic such as key probes.
  absl::StatusOr<std::vector<UpstreamRequest>> RequestsFor(const std::string& operation, int64_t since = 0) const;

  gempool::testing::Subprocess& process() { return process_; }

 private:
  FakeUpstream(gempool::testing::Subprocess process, std::string host, int port)
      : process_(std::move(process)), host_(std::move(host)), port_(port) {}
  absl::StatusOr<std::string> AdminCall(const std::string& method, const std::string& path,
                                        const std::string& body) const;

  gempool::testing::Subprocess process_;
  std::string host_;
  int port_;
};

// The keys in `requests`, in order.
std::vector<std::string> KeysOf(const std::vector<UpstreamRequest>& requests);

}  // namespace gempool::integration
