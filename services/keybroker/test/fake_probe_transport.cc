#include "fake_probe_transport.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace gempool::keybroker::testing {

ProbeHttpResponse FakeProbeTransport::Http(int status, std::string body, std::string retry_after) {
  ProbeHttpResponse response;
  response.responded = true;
  response.status = status;
  response.body = std::move(body);
  response.retry_after = std::move(retry_after);
  return response;
}

ProbeHttpResponse FakeProbeTransport::Failure(gemini::TransportFailure failure, std::string detail) {
  ProbeHttpResponse response;
  response.failure = failure;
  response.detail = std::move(detail);
  return response;
}

ProbeHttpResponse FakeProbeTransport::KeyInvalid() {
  return Http(400, R"({"error":{"code":400,"message":"API key not valid. Please pass a valid API key.",)"
                   R"("status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo",)"
                   R"("reason":"API_KEY_INVALID","domain":"googleapis.com"}]}})");
}

ProbeHttpResponse FakeProbeTransport::RateLimited(int retry_seconds) {
  return Http(429, R"({"error":{"code":429,"message":"You exceeded your current quota.","status":"RESOURCE_EXHAUSTED",)"
                   R"("details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{)"
                   R"("quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},)"
                   R"({"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":")" +
                       std::to_string(retry_seconds) + R"(s"}]}})");
}

void FakeProbeTransport::SetResponse(const std::string& secret, ProbeHttpResponse response) {
  MutexLock lock(&mu_);
  responses_[secret] = std::move(response);
}

void FakeProbeTransport::SetDefault(ProbeHttpResponse response) {
  MutexLock lock(&mu_);
  default_ = std::move(response);
}

void FakeProbeTransport::Hold() {
  MutexLock lock(&mu_);
  held_ = true;
  changed_.SignalAll();
}

void FakeProbeTransport::Release() {
  MutexLock lock(&mu_);
  held_ = false;
  changed_.SignalAll();
}

bool FakeProbeTransport::WaitForInFlight(int n, absl::Duration timeout) {
  MutexLock lock(&mu_);
  const absl::Time deadline = absl::Now() + timeout;
  while (in_flight_ < n && !changed_.WaitWithDeadline(&mu_, deadline)) {
  }
  return in_flight_ >= n;
}

ProbeHttpResponse FakeProbeTransport::Post(const ProbeHttpRequest& request) {
  MutexLock lock(&mu_);
  requests_.push_back(request);
  ++in_flight_;
  max_in_flight_ = std::max(max_in_flight_, in_flight_);
  changed_.SignalAll();
  while (held_ && !cancelled_) changed_.Wait(&mu_);
  --in_flight_;
  changed_.SignalAll();
  if (cancelled_) return Failure(gemini::TransportFailure::kConnection, "cancelled");
  std::string secret;
  for (const auto& [name, value] : request.headers) {
    if (name == "x-goog-api-key") secret = value;
  }
  auto it = responses_.find(secret.empty() ? "proxy:" + request.proxy : secret);
  return it == responses_.end() ? default_ : it->second;
}

void FakeProbeTransport::SetProxyResponse(const std::string& proxy, ProbeHttpResponse response) {
  MutexLock lock(&mu_);
  responses_["proxy:" + proxy] = std::move(response);
}

void FakeProbeTransport::CancelAll() {
  MutexLock lock(&mu_);
  cancelled_ = true;
  changed_.SignalAll();
}

std::vector<ProbeHttpRequest> FakeProbeTransport::requests() const {
  MutexLock lock(&mu_);
  return requests_;
}

std::vector<std::string> FakeProbeTransport::probed_keys() const {
  MutexLock lock(&mu_);
  std::vector<std::string> keys;
  for (const ProbeHttpRequest& request : requests_) {
    for (const auto& [name, value] : request.headers) {
      if (name == "x-goog-api-key") keys.push_back(value);
    }
  }
  return keys;
}

int FakeProbeTransport::max_in_flight() const {
  MutexLock lock(&mu_);
  return max_in_flight_;
}

bool FakeProbeTransport::cancelled() const {
  MutexLock lock(&mu_);
  return cancelled_;
}

}  // namespace gempool::keybroker::testing
