#pragma once
// An HTTP/1.1 server for the upstream client's tests, on a 127.0.0.1 port,
// plain or TLS. Each request goes to a handler that writes the raw answer
// bytes itself, so a test can send a response piece by piece, stall, reset
// the connection, or never answer, and then watch what the client does.
// Counts connections and requests and keeps the last request; serves
// keep-alive connections until the handler closes them. Thread-safe.

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gempool/common/mutex.h"
#include "gempool/testing/loopback_listener.h"

namespace gempool::upstream::testing {

struct ServerRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int connection = 0;  // 1 for the first connection accepted, and so on.
  std::string sni;     // The TLS server name the client sent ("" for none, or plain HTTP).

  std::string Header(absl::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (absl::EqualsIgnoreCase(n, name)) return v;
    }
    return "";
  }
};

// One accepted connection, as the handler sees it.
class ServerConnection {
 public:
  ServerConnection(int fd, SSL* ssl, const std::atomic<bool>& stopping) : fd_(fd), ssl_(ssl), stopping_(stopping) {}

  bool Write(absl::string_view bytes, const std::function<void()>& on_stall = nullptr) {
    if (ssl_ == nullptr) return gempool::testing::WriteAll(fd_, bytes, stopping_, on_stall);
    while (!bytes.empty() && !stopping_) {
      const int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
      if (n > 0) {
        bytes.remove_prefix(static_cast<size_t>(n));
      } else if (SSL_get_error(ssl_, n) != SSL_ERROR_WANT_WRITE) {
        return false;
      }
    }
    return bytes.empty();
  }

  // > 0 bytes, 0 at EOF, -1 on error or stop.
  int Read(char* data, size_t size) {
    if (ssl_ == nullptr) return gempool::testing::ReadSome(fd_, data, size, stopping_);
    while (!stopping_) {
      const int n = SSL_read(ssl_, data, static_cast<int>(size));
      if (n > 0) return n;
      const int error = SSL_get_error(ssl_, n);
      if (error == SSL_ERROR_ZERO_RETURN) return 0;
      if (error != SSL_ERROR_WANT_READ) return n == 0 ? 0 : -1;
    }
    return -1;
  }

  // Ends the connection after the handler (FIN).
  void Close() { closed_ = true; }
  // Ends it with a TCP reset as soon as the handler returns (the close with
  // linger 0 that follows sends RST instead of FIN).
  void Reset() {
    linger l{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    closed_ = true;
  }
  // Waits until the client closes or resets the connection (reading and
  // dropping anything it sends); false when `timeout_ms` passes first.
  bool WaitForClientClose(int timeout_ms) {
    char buffer[4096];
    for (int waited = 0; waited < timeout_ms && !stopping_;) {
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n == 0 || (n < 0 && !gempool::testing::TimedOut())) return true;
      if (n < 0) waited += 100;  // One SO_RCVTIMEO period.
    }
    return false;
  }
  bool closed() const { return closed_; }
  const std::atomic<bool>& stopping() const { return stopping_; }

  // Buffered bytes not yet parsed into a request.
  std::string pending;

 private:
  const int fd_;
  SSL* const ssl_;
  const std::atomic<bool>& stopping_;
  bool closed_ = false;
};

using ServerHandler = std::function<void(const ServerRequest&, ServerConnection&)>;

// A complete response with Content-Length.
inline std::string HttpResponse(int status, absl::string_view content_type, absl::string_view body,
                                absl::string_view extra_headers = "") {
  return absl::StrCat("HTTP/1.1 ", status, " X\r\nContent-Type: ", content_type, "\r\nContent-Length: ", body.size(),
                      "\r\n", extra_headers, "\r\n", body);
}
inline std::string ChunkedHead(int status, absl::string_view content_type) {
  return absl::StrCat("HTTP/1.1 ", status, " X\r\nContent-Type: ", content_type,
                      "\r\nTransfer-Encoding: chunked\r\n\r\n");
}
inline std::string Chunk(absl::string_view data) {
  return absl::StrCat(absl::Hex(data.size()), "\r\n", data, "\r\n");
}
inline constexpr absl::string_view kLastChunk = "0\r\n\r\n";

// A handler that answers every request with the bytes `response`.
inline ServerHandler AnswerWith(std::string response) {
  return [response = std::move(response)](const ServerRequest&, ServerConnection& conn) { conn.Write(response); };
}

class TestHttpServer {
 public:
  // `tls`: serve HTTPS with this context (not owned), else plain HTTP.
  explicit TestHttpServer(ServerHandler handler, SSL_CTX* tls = nullptr)
      : handler_(std::move(handler)), tls_(tls), listener_([this](int fd) { Serve(fd); }) {}
  ~TestHttpServer() { listener_.Stop(); }

  int port() const { return listener_.port(); }
  // "http://127.0.0.1:port" (https:// when TLS), as UpstreamRequest takes it.
  std::string SchemeHostPort(absl::string_view host = "127.0.0.1") const {
    return absl::StrCat(tls_ ? "https://" : "http://", host, ":", port());
  }
  int connections() const { return listener_.accepted(); }
  int requests() const { return requests_; }
  // The last request read (before its handler ran), or an empty one.
  ServerRequest last_request() const ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return last_request_;
  }

 private:
  void Serve(int fd) ABSL_LOCKS_EXCLUDED(mu_) {
    const int connection = ++connection_ids_;
    SSL* ssl = nullptr;
    if (tls_ != nullptr) {
      ssl = SSL_new(tls_);
      SSL_set_fd(ssl, fd);
      int accepted = 0;
      while (!listener_.stopping() && (accepted = SSL_accept(ssl)) != 1) {
        const int error = SSL_get_error(ssl, accepted);
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) break;
      }
      if (accepted != 1) {
        SSL_free(ssl);
        return;
      }
    }
    const char* sni = ssl != nullptr ? SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) : nullptr;
    ServerConnection conn(fd, ssl, listener_.stopping());
    ServerRequest request;
    while (!conn.closed() && ReadRequest(conn, request)) {
      request.connection = connection;
      request.sni = sni != nullptr ? sni : "";
      ++requests_;
      {
        MutexLock lock(&mu_);
        last_request_ = request;
      }
      handler_(request, conn);
    }
    if (ssl != nullptr) SSL_free(ssl);
  }

  static bool ReadRequest(ServerConnection& conn, ServerRequest& request) {
    request = ServerRequest{};
    std::string& in = conn.pending;
    char buffer[16 * 1024];
    size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
      const int n = conn.Read(buffer, sizeof(buffer));
      if (n <= 0) return false;
      in.append(buffer, static_cast<size_t>(n));
    }
    std::vector<std::string> lines = absl::StrSplit(in.substr(0, end), "\r\n");
    in.erase(0, end + 4);
    std::vector<std::string> request_line = absl::StrSplit(lines[0], ' ');
    if (request_line.size() != 3) return false;
    request.method = request_line[0];
    request.target = request_line[1];
    size_t length = 0;
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      if (colon == std::string::npos) return false;
      std::string name = lines[i].substr(0, colon);
      std::string value(absl::StripAsciiWhitespace(absl::string_view(lines[i]).substr(colon + 1)));
      if (absl::EqualsIgnoreCase(name, "Content-Length") && !absl::SimpleAtoi(value, &length)) return false;
      request.headers.emplace_back(std::move(name), std::move(value));
    }
    while (in.size() < length) {
      const int n = conn.Read(buffer, sizeof(buffer));
      if (n <= 0) return false;
      in.append(buffer, static_cast<size_t>(n));
    }
    request.body = in.substr(0, length);
    in.erase(0, length);
    return true;
  }

  ServerHandler handler_;
  SSL_CTX* const tls_;
  std::atomic<int> connection_ids_{0};
  std::atomic<int> requests_{0};
  mutable Mutex mu_;
  ServerRequest last_request_ ABSL_GUARDED_BY(mu_);
  gempool::testing::LoopbackListener listener_;  // Last: its threads use the members above.
};

}  // namespace gempool::upstream::testing
