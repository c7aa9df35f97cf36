#include "gempool/metrics/metrics_listener.h"

#include <httplib.h>

#include <chrono>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gempool/metrics/text_format.h"

namespace gempool::metrics {

struct MetricsListener::Server {
  httplib::Server http;
};

absl::StatusOr<std::pair<std::string, int>> SplitHostPort(const std::string& what, const std::string& listen) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 || !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, "='", listen, "' is not host:port (e.g. 127.0.0.1:9464 or 0.0.0.0:9464)"));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::make_pair(std::move(host), port);
}

MetricsListener::MetricsListener(std::function<std::string()> render) : render_(std::move(render)) {}

MetricsListener::~MetricsListener() { Stop(); }

absl::StatusOr<int> MetricsListener::Start(const std::string& what, const std::string& listen) {
  absl::StatusOr<std::pair<std::string, int>> address = SplitHostPort(what, listen);
  if (!address.ok()) return address.status();
  auto server = std::make_unique<Server>();
  server->http.new_task_queue = [] { return new httplib::ThreadPool(1); };
  // SO_REUSEADDR only (cpp-httplib's default adds SO_REUSEPORT): a second
  // listener on the same port must fail, not share the scrapes.
  server->http.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
  });
  const std::function<std::string()>& render = render_;
  server->http.Get("/metrics", [&render](const httplib::Request&, httplib::Response& res) {
    res.set_content(render(), kContentType);
  });
  int port = address->second;
  const bool bound = port == 0 ? (port = server->http.bind_to_any_port(address->first)) > 0
                               : server->http.bind_to_port(address->first, port);
  if (!bound) {
    return absl::UnavailableError(absl::StrCat(what, ": could not listen on ", listen,
                                               " (the address is not local or the port is in use)"));
  }
  server_ = std::move(server);
  thread_ = std::thread([http = &server_->http] { http->listen_after_bind(); });
  // cpp-httplib 0.11 misses a stop() that comes before its loop runs.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server_->http.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return port;
}

void MetricsListener::Stop() {
  if (server_ == nullptr) return;
  server_->http.stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace gempool::metrics
