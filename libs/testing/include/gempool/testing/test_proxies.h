#pragma once
// Proxies for tests, each on its own 127.0.0.1 port, each counting what it
// did so a test can assert that a call really went through it:
//   TestHttpProxy    CONNECT tunnels (https upstreams) and absolute-form
//                    requests (plain-http upstreams), optional Basic auth.
//   TestSocks5Proxy  RFC 1928 CONNECT (IPv4, IPv6 and domain-name addresses),
//                    optional RFC 1929 username/password.
// Wrong or missing credentials are refused as real proxies do (407; SOCKS5
// method 0xFF or auth status 1). Header-only; thread-safe.

#include <arpa/inet.h>

#include <atomic>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gempool/common/mutex.h"
#include "gempool/testing/loopback_listener.h"

namespace gempool::testing {

struct TestProxyOptions {
  // When set, clients must authenticate with exactly these.
  std::string username;
  std::string password;
};

namespace proxy_internal {

// Reads exactly `n` bytes; false on EOF, error or stop.
inline bool ReadExact(int fd, char* out, size_t n, const std::atomic<bool>& stopping) {
  while (n > 0) {
    const int got = ReadSome(fd, out, n, stopping);
    if (got <= 0) return false;
    out += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

// Splits "host:port" / "[v6]:port".
inline bool SplitHostPort(absl::string_view authority, std::string& host, int& port) {
  const size_t colon = authority.rfind(':');
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(authority.substr(colon + 1), &port)) return false;
  absl::string_view h = authority.substr(0, colon);
  if (absl::StartsWith(h, "[") && absl::EndsWith(h, "]")) h = h.substr(1, h.size() - 2);
  host = std::string(h);
  return !host.empty();
}

// "scheme://[user:pass@]127.0.0.1:port".
inline std::string ProxyUrl(absl::string_view scheme, const std::string& username, const std::string& password,
                            int port) {
  return absl::StrCat(scheme, "://", username.empty() ? "" : absl::StrCat(username, ":", password, "@"),
                      "127.0.0.1:", port);
}

// The "host:port" a proxy was last asked to reach. Thread-safe.
class LastTarget {
 public:
  void Set(const std::string& host, int port) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    target_ = absl::StrCat(host, ":", port);
  }
  std::string Get() const ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return target_;
  }

 private:
  mutable Mutex mu_;
  std::string target_ ABSL_GUARDED_BY(mu_);
};

// Connects to host:port for the client on `fd`; once `start(upstream)` has
// written what the proxy owes either side first (and returned true), relays
// both ways until the two are done. When the target cannot be reached, writes
// `unreachable` to the client instead.
inline void ConnectAndRelay(int fd, const std::string& host, int port, absl::string_view unreachable,
                            const std::function<bool(int upstream)>& start, const std::atomic<bool>& stopping) {
  const int upstream = ConnectTcp(host, port);
  if (upstream < 0) {
    WriteAll(fd, unreachable, stopping);
    return;
  }
  if (start(upstream)) Relay(fd, upstream, stopping);
  ::close(upstream);
}

// A SOCKS5 reply (RFC 1928 section 6) with code `reply` and bound address 0.0.0.0:0.
inline std::string Socks5Reply(char reply) { return std::string{0x05, reply, 0x00, 0x01, 0, 0, 0, 0, 0, 0}; }

}  // namespace proxy_internal

class TestHttpProxy {
 public:
  explicit TestHttpProxy(TestProxyOptions options = {})
      : options_(std::move(options)), listener_([this](int fd) { Serve(fd); }) {}
  ~TestHttpProxy() { listener_.Stop(); }

  int port() const { return listener_.port(); }
  // "http://[user:pass@]127.0.0.1:port", with the configured credentials.
  std::string Url() const { return UrlWith(options_.username, options_.password); }
  std::string UrlWith(const std::string& username, const std::string& password) const {
    return proxy_internal::ProxyUrl("http", username, password, port());
  }
  int tunnels() const { return tunnels_; }      // CONNECTs that reached their target.
  int forwarded() const { return forwarded_; }  // Absolute-form requests passed on.
  int refused() const { return refused_; }      // Requests refused for their credentials.
  int connections() const { return listener_.accepted(); }
  std::string last_target() const { return last_target_.Get(); }

 private:
  void Serve(int fd) {
    const std::atomic<bool>& stopping = listener_.stopping();
    std::string in;
    char buffer[4096];
    size_t end = std::string::npos;
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
      if (in.size() > 64 * 1024) return;
      const int n = ReadSome(fd, buffer, sizeof(buffer), stopping);
      if (n <= 0) return;
      in.append(buffer, static_cast<size_t>(n));
    }
    const std::string head = in.substr(0, end);
    const std::string rest = in.substr(end + 4);
    std::vector<std::string> lines = absl::StrSplit(head, "\r\n");
    std::vector<std::string> request_line = absl::StrSplit(lines[0], ' ');
    if (request_line.size() != 3) return;
    std::string credentials;
    std::vector<std::string> kept;  // Headers to pass on (absolute-form).
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      const absl::string_view name = absl::string_view(lines[i]).substr(0, colon);
      if (absl::EqualsIgnoreCase(name, "Proxy-Authorization")) {
        credentials = std::string(absl::StripAsciiWhitespace(absl::string_view(lines[i]).substr(colon + 1)));
      } else {
        kept.push_back(lines[i]);
      }
    }
    if (!options_.username.empty() &&
        credentials !=
            absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat(options_.username, ":", options_.password)))) {
      ++refused_;
      WriteAll(fd,
               "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
               "Content-Length: 0\r\nConnection: close\r\n\r\n",
               stopping);
      return;
    }
    const std::string& method = request_line[0];
    absl::string_view target = request_line[1];
    std::string host;
    int port = 0;
    std::string path = "/";
    if (method == "CONNECT") {
      if (!proxy_internal::SplitHostPort(target, host, port)) return;
    } else {
      if (!absl::ConsumePrefix(&target, "http://")) {
        WriteAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", stopping);
        return;
      }
      const size_t slash = target.find('/');
      if (slash != absl::string_view::npos) path = std::string(target.substr(slash));
      if (!proxy_internal::SplitHostPort(target.substr(0, slash), host, port)) return;
    }
    last_target_.Set(host, port);
    proxy_internal::ConnectAndRelay(
        fd, host, port, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        [&](int upstream) {
          if (method == "CONNECT") {
            ++tunnels_;
            return WriteAll(fd, "HTTP/1.1 200 Connection established\r\n\r\n", stopping) &&
                   (rest.empty() || WriteAll(upstream, rest, stopping));
          }
          // The first request in origin-form; later ones on this connection go
          // through as they come (servers accept absolute-form, RFC 9112 3.2.2).
          ++forwarded_;
          std::string out = absl::StrCat(method, " ", path, " ", request_line[2], "\r\n");
          for (const std::string& line : kept) absl::StrAppend(&out, line, "\r\n");
          absl::StrAppend(&out, "\r\n", rest);
          return WriteAll(upstream, out, stopping);
        },
        stopping);
  }

  const TestProxyOptions options_;
  std::atomic<int> tunnels_{0};
  std::atomic<int> forwarded_{0};
  std::atomic<int> refused_{0};
  proxy_internal::LastTarget last_target_;
  LoopbackListener listener_;  // Last: its threads use the members above.
};

class TestSocks5Proxy {
 public:
  explicit TestSocks5Proxy(TestProxyOptions options = {})
      : options_(std::move(options)), listener_([this](int fd) { Serve(fd); }) {}
  ~TestSocks5Proxy() { listener_.Stop(); }

  int port() const { return listener_.port(); }
  // "socks5://[user:pass@]127.0.0.1:port" ("socks5h://" when `remote_dns`).
  std::string Url(bool remote_dns = false) const {
    return UrlWith(options_.username, options_.password, remote_dns);
  }
  std::string UrlWith(const std::string& username, const std::string& password, bool remote_dns = false) const {
    return proxy_internal::ProxyUrl(remote_dns ? "socks5h" : "socks5", username, password, port());
  }
  int tunnels() const { return tunnels_; }            // CONNECTs that reached their target.
  int refused_auth() const { return refused_auth_; }  // Clients refused for their credentials.
  int connections() const { return listener_.accepted(); }
  // The address type (1, 3 or 4) and "host:port" of the last CONNECT.
  int last_address_type() const { return last_address_type_; }
  std::string last_target() const { return last_target_.Get(); }

 private:
  void Serve(int fd) {
    const std::atomic<bool>& stopping = listener_.stopping();
    unsigned char head[2];
    if (!proxy_internal::ReadExact(fd, reinterpret_cast<char*>(head), 2, stopping) || head[0] != 5) return;
    std::string methods(head[1], '\0');
    if (!proxy_internal::ReadExact(fd, methods.data(), methods.size(), stopping)) return;
    const bool need_auth = !options_.username.empty();
    const char wanted = need_auth ? 0x02 : 0x00;
    const char method = methods.find(wanted) != std::string::npos ? wanted : static_cast<char>(0xFF);
    if (!WriteAll(fd, std::string{0x05, method}, stopping) || method == static_cast<char>(0xFF)) return;
    if (need_auth) {
      std::string username, password;
      unsigned char len[2];
      if (!proxy_internal::ReadExact(fd, reinterpret_cast<char*>(len), 2, stopping)) return;
      username.resize(len[1]);
      if (!proxy_internal::ReadExact(fd, username.data(), username.size(), stopping) ||
          !proxy_internal::ReadExact(fd, reinterpret_cast<char*>(len), 1, stopping)) {
        return;
      }
      password.resize(len[0]);
      if (!proxy_internal::ReadExact(fd, password.data(), password.size(), stopping)) return;
      const bool ok = username == options_.username && password == options_.password;
      // Counted before the answer: a client that has read it may look at once.
      if (!ok) ++refused_auth_;
      WriteAll(fd, std::string{0x01, static_cast<char>(ok ? 0 : 1)}, stopping);
      if (!ok) return;
    }
    unsigned char request[4];
    if (!proxy_internal::ReadExact(fd, reinterpret_cast<char*>(request), 4, stopping)) return;
    std::string host;
    if (request[3] == 0x01 || request[3] == 0x04) {
      const bool v6 = request[3] == 0x04;
      unsigned char address[16];
      if (!proxy_internal::ReadExact(fd, reinterpret_cast<char*>(address), v6 ? 16 : 4, stopping)) return;
      char text[INET6_ADDRSTRLEN] = {};
      inet_ntop(v6 ? AF_INET6 : AF_INET, address, text, sizeof(text));
      host = text;
    } else if (request[3] == 0x03) {
      unsigned char len = 0;
      if (!proxy_internal::ReadExact(fd, reinterpret_cast<char*>(&len), 1, stopping)) return;
      host.resize(len);
      if (!proxy_internal::ReadExact(fd, host.data(), host.size(), stopping)) return;
    } else {
      WriteAll(fd, proxy_internal::Socks5Reply(0x08), stopping);  // Address type not supported.
      return;
    }
    unsigned char port_bytes[2];
    if (!proxy_internal::ReadExact(fd, reinterpret_cast<char*>(port_bytes), 2, stopping)) return;
    const int port = port_bytes[0] << 8 | port_bytes[1];
    last_address_type_ = request[3];
    last_target_.Set(host, port);
    if (request[1] != 0x01) {
      WriteAll(fd, proxy_internal::Socks5Reply(0x07), stopping);  // Command not supported.
      return;
    }
    proxy_internal::ConnectAndRelay(
        fd, host, port, proxy_internal::Socks5Reply(0x05),  // Connection refused.
        [&](int) {
          ++tunnels_;
          return WriteAll(fd, proxy_internal::Socks5Reply(0x00), stopping);
        },
        stopping);
  }

  const TestProxyOptions options_;
  std::atomic<int> tunnels_{0};
  std::atomic<int> refused_auth_{0};
  std::atomic<int> last_address_type_{0};
  proxy_internal::LastTarget last_target_;
  LoopbackListener listener_;  // Last: its threads use the members above.
};

}  // namespace gempool::testing
