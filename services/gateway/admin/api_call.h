#pragma once
// The plain-data shape of one admin API call and its answer, shared by the
// API handlers (keys, logs, statistics, configuration), plus the helpers they
// all use to read parameters and report errors. No HTTP library here: the
// route binding (admin_http.cc) fills an ApiCall from the request.
// Plain values; thread-compatible.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "gempool/common/http_status.h"
#include "absl/status/statusor.h"
#include "gempool/v1/keybroker.pb.h"

namespace gempool::gateway::admin {

struct ApiCall {
  std::string method;  // "GET" or "POST".
  // The path below /api, e.g. "/keys/pause".
  std::string path;
  // Decoded query parameters.
  std::map<std::string, std::string> query;
  // The parsed JSON body of a POST ({} when empty).
  nlohmann::json body = nlohmann::json::object();
};

struct ApiResult {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
  // Extra response headers (Set-Cookie, Retry-After).
  std::vector<std::pair<std::string, std::string>> headers;
};


// {"error": {"code": <http>, "status": "NOT_FOUND", "message": ...}}.
ApiResult ErrorResult(const absl::Status& status);

// An integer query parameter within [min, max]; `fallback` when absent or
// empty. kInvalidArgument naming the parameter otherwise.
absl::StatusOr<int64_t> QueryInt(const ApiCall& call, const std::string& name, int64_t fallback, int64_t min,
                                 int64_t max);
// A text query parameter ("" when absent).
std::string QueryText(const ApiCall& call, const std::string& name);

// {"ids": [1, 2]} or {"all": true} from a POST body.
absl::StatusOr<v1::KeySelection> SelectionFromBody(const nlohmann::json& body);

}  // namespace gempool::gateway::admin
