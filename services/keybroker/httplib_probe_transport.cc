#include "httplib_probe_transport.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/thread_role.h"
#include "gempool/gemini/httplib_client.h"
#include "gempool/gemini/httplib_error.h"
#include "gempool/gemini/upstream_url.h"
#include "gempool/upstream/upstream_client.h"

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

ProbeHttpResponse Cancelled() {
  return Failure(gemini::TransportFailure::kConnection, gemini::DescribeHttplibError(httplib::Error::Canceled));
}

}  // namespace

// An UpstreamClient on an io_context run by a thread of its own.
class HttplibProbeTransport::SocksPath {
 public:
  explicit SocksPath(const std::string& ca_cert_file)
      : work_(boost::asio::make_work_guard(io_)), client_(io_, ClientOptions(ca_cert_file)), thread_([this] {
          SetThreadName("probe-socks");
          io_.run();
        }) {}
  ~SocksPath() {
    client_.AbortAll();
    work_.reset();  // run() returns once the aborted calls have wound down.
    thread_.join();
  }

  upstream::UpstreamClient& client() { return client_; }

 private:
  static upstream::UpstreamClient::Options ClientOptions(const std::string& ca_cert_file) {
    upstream::UpstreamClient::Options options;
    options.ca_cert_file = ca_cert_file;
    options.max_idle_per_host = 0;  // Probes are rare: no idle connections kept.
    return options;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  upstream::UpstreamClient client_;
  std::thread thread_;  // Last: runs io_, which the members above must outlive.
};

HttplibProbeTransport::HttplibProbeTransport(std::string ca_cert_file) : ca_cert_file_(std::move(ca_cert_file)) {}

HttplibProbeTransport::~HttplibProbeTransport() = default;

ProbeHttpResponse HttplibProbeTransport::Post(const ProbeHttpRequest& request) {
  std::optional<gemini::ProxyUrl> proxy;
  if (!request.proxy.empty()) {
    absl::StatusOr<gemini::ProxyUrl> parsed = gemini::ParseProxyUrl(request.proxy);
    if (!parsed.ok()) return Failure(gemini::TransportFailure::kConnection, std::string(parsed.status().message()));
    if (parsed->IsSocks5()) return PostThroughSocks(request);
    proxy = *std::move(parsed);
  }
  auto client = std::make_unique<httplib::Client>(request.scheme_host_port);
  if (!client->is_valid()) {
    return Failure(gemini::TransportFailure::kConnection,
                   absl::StrCat("cannot open a client for ", request.scheme_host_port));
  }
  gemini::ConfigureOneShotClient(*client, absl::StartsWith(request.scheme_host_port, "https://"),
                                 request.timeout_seconds, ca_cert_file_);
  if (proxy.has_value()) {
    client->set_proxy(proxy->host, proxy->port);
    if (!proxy->username.empty()) client->set_proxy_basic_auth(proxy->username, proxy->password);
  }
  {
    MutexLock lock(&mu_);
    if (cancelled_) return Cancelled();
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
    MutexLock lock(&mu_);
    in_flight_.erase(client.get());
    cancelled = cancelled_;
  }

  const std::string where =
      absl::StrCat(" [", request.scheme_host_port, request.proxy.empty() ? "" : " via proxy", "]");
  if (!sent) {
    if (cancelled) return Cancelled();
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

ProbeHttpResponse HttplibProbeTransport::PostThroughSocks(const ProbeHttpRequest& request) {
  upstream::UpstreamClient* client = nullptr;
  {
    MutexLock lock(&mu_);
    if (cancelled_) return Cancelled();
    if (socks_ == nullptr) socks_ = std::make_unique<SocksPath>(ca_cert_file_);
    client = &socks_->client();
  }
  upstream::UpstreamRequest call;
  call.method = "POST";
  call.scheme_host_port = request.scheme_host_port;
  call.path_and_query = request.path;
  call.headers = request.headers;
  call.body = request.body;
  call.proxy = request.proxy;
  call.timeout_seconds = request.timeout_seconds;
  ProbeHttpResponse response;
  upstream::UpstreamCallbacks callbacks;
  callbacks.on_head = [&response](const upstream::UpstreamResponseHead& head) {
    response.status = head.status;
    response.retry_after = head.retry_after;
    return true;
  };
  callbacks.on_body = [&response](absl::string_view piece) {
    std::string& body = response.body;
    if (body.size() < kMaxBodyBytes) body.append(piece.data(), std::min(piece.size(), kMaxBodyBytes - body.size()));
    return true;
  };
  // CancelAll's AbortAll ends this call (kAborted) instead of waiting for it.
  const upstream::UpstreamResult result = client->Send(std::move(call), callbacks);
  switch (result.kind) {
    case upstream::UpstreamResult::Kind::kComplete:
      response.responded = true;
      return response;
    case upstream::UpstreamResult::Kind::kFailed:
      return Failure(result.failure, result.detail);
    case upstream::UpstreamResult::Kind::kCancelled:
    case upstream::UpstreamResult::Kind::kAborted:
      break;
  }
  return Cancelled();
}

void HttplibProbeTransport::CancelAll() {
  MutexLock lock(&mu_);
  cancelled_ = true;
  // Under the lock, so no client is destroyed meanwhile; stop() only shuts
  // its socket down and does not wait.
  for (httplib::Client* client : in_flight_) client->stop();
  if (socks_ != nullptr) socks_->client().AbortAll();
}

}  // namespace gempool::keybroker
