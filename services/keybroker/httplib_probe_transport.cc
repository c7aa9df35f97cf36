#include "httplib_probe_transport.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/gemini/httplib_error.h"
#include "gempool/gemini/upstream_url.h"

namespace gempool::keybroker {
namespace {

// Error bodies are short; anything longer is cut (the classifier needs the
// start, and a probe's own answer has one token).
constexpr size_t kMaxBodyBytes = 64 * 1024;

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ProbeHttpResponse Failure(gemini::TransportFailure failure, std::string detail) {
  ProbeHttpResponse response;
  response.failure = failure;
  response.detail = std::move(detail);
  return response;
}

}  // namespace

HttplibProbeTransport::HttplibProbeTransport(std::string ca_cert_file) : ca_cert_file_(std::move(ca_cert_file)) {}

ProbeHttpResponse HttplibProbeTransport::Post(const ProbeHttpRequest& request) {
  auto client = std::make_unique<httplib::Client>(request.scheme_host_port);
  if (!client->is_valid()) {
    return Failure(gemini::TransportFailure::kConnection,
                   absl::StrCat("cannot open a client for ", request.scheme_host_port));
  }
  client->set_keep_alive(false);
  client->set_follow_location(false);
  client->set_url_encode(false);  // The path is already encoded as it goes on the wire.
  client->set_connection_timeout(request.timeout_seconds, 0);
  client->set_read_timeout(request.timeout_seconds, 0);
  client->set_write_timeout(request.timeout_seconds, 0);
  if (absl::StartsWith(request.scheme_host_port, "https://")) {
    client->set_ca_cert_path(ca_cert_file_);
    client->enable_server_certificate_verification(true);
  }
  if (!request.proxy.empty()) {
    absl::StatusOr<gemini::ProxyUrl> proxy = gemini::ParseProxyUrl(request.proxy);
    if (!proxy.ok()) return Failure(gemini::TransportFailure::kConnection, std::string(proxy.status().message()));
    client->set_proxy(proxy->host, proxy->port);
    if (!proxy->username.empty()) client->set_proxy_basic_auth(proxy->username, proxy->password);
  }
  {
    absl::MutexLock lock(&mu_);
    if (cancelled_) return Failure(gemini::TransportFailure::kConnection, gemini::DescribeHttplibError(httplib::Error::Canceled));
    in_flight_.insert(client.get());
  }

  httplib::Request req;
  req.method = "POST";
  req.path = request.path;
  for (const auto& [name, value] : request.headers) req.headers.emplace(name, value);
  req.body = request.body;
  std::string body;
  int64_t last_progress_ms = SteadyMs();
  req.response_handler = [&](const httplib::Response&) {
    last_progress_ms = SteadyMs();
    return true;
  };
  req.content_receiver = [&](const char* data, size_t length, uint64_t, uint64_t) {
    last_progress_ms = SteadyMs();
    if (body.size() < kMaxBodyBytes) body.append(data, std::min(length, kMaxBodyBytes - body.size()));
    return true;
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  const bool sent = client->send(req, res, error);
  bool cancelled = false;
  {
    absl::MutexLock lock(&mu_);
    in_flight_.erase(client.get());
    cancelled = cancelled_;
  }

  const std::string where =
      absl::StrCat(" [", request.scheme_host_port, request.proxy.empty() ? "" : " via proxy", "]");
  if (!sent) {
    if (cancelled) return Failure(gemini::TransportFailure::kConnection, gemini::DescribeHttplibError(httplib::Error::Canceled));
    const bool timed_out =
        error == httplib::Error::ConnectionTimeout ||
        (error == httplib::Error::Read && SteadyMs() - last_progress_ms + 100 >= request.timeout_seconds * 1000LL);
    if (timed_out) {
      return Failure(gemini::TransportFailure::kTimeout,
                     absl::StrCat("no answer within ", request.timeout_seconds, " s (TIME_OUT)", where));
    }
    return Failure(gemini::TransportFailure::kConnection, absl::StrCat(gemini::DescribeHttplibError(error), where));
  }
  ProbeHttpResponse response;
  response.responded = true;
  response.status = res.status;
  response.body = std::move(body);
  response.retry_after = res.get_header_value("Retry-After");
  return response;
}

void HttplibProbeTransport::CancelAll() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  // Under the lock, so no client is destroyed meanwhile; stop() only shuts
  // its socket down and does not wait.
  for (httplib::Client* client : in_flight_) client->stop();
}

}  // namespace gempool::keybroker
