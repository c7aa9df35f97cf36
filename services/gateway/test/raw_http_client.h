#pragma once
// A deliberately dumb HTTP/1.1 client over a POSIX TCP socket, for tests that
// must put exact bytes on the wire (malformed, slow, pipelined or oversized
// requests) and see exactly what comes back, which a real HTTP client library
// normalises away. Every read and write takes a deadline; nothing blocks
// without one. One thread uses an instance at a time.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gempool::gateway::testing {

// How RawHttpClient::Connect sets up its socket.
struct RawConnectOptions {
  std::string source_address;    // Bind to this local address first (e.g. "127.0.0.2"); "" lets the kernel pick.
  int receive_buffer_bytes = 0;  // SO_RCVBUF before connecting; 0 keeps the default (autotuned).
};

class RawHttpClient {
 public:
  using Clock = std::chrono::steady_clock;
  using Deadline = Clock::time_point;

  // What one read from the socket found.
  enum class ReadStatus { kData, kEof, kReset, kTimeout, kError };

  using Options = RawConnectOptions;

  struct Response {
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;  // Names lower-cased, in order.
    std::string body;                                        // De-chunked.
    // The body ended as framed: Content-Length bytes, the last chunk of a
    // chunked body, or EOF for a body delimited by the connection's close.
    bool complete = false;
    bool chunked = false;

    // The first value of header `name` (lower-case), or "".
    std::string Header(std::string_view name) const {
      for (const auto& [n, v] : headers) {
        if (n == name) return v;
      }
      return "";
    }
    size_t HeaderCount(std::string_view name) const {
      return static_cast<size_t>(
          std::count_if(headers.begin(), headers.end(), [&](const auto& h) { return h.first == name; }));
    }
  };

  static Deadline In(std::chrono::milliseconds ms) { return Clock::now() + ms; }

  RawHttpClient() = default;
  RawHttpClient(const RawHttpClient&) = delete;
  RawHttpClient& operator=(const RawHttpClient&) = delete;
  RawHttpClient(RawHttpClient&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)), error_(std::move(other.error_)) {}
  RawHttpClient& operator=(RawHttpClient&& other) noexcept {
    if (this != &other) {
      Close();
      fd_ = std::exchange(other.fd_, -1);
      buffer_ = std::move(other.buffer_);
      error_ = std::move(other.error_);
    }
    return *this;
  }
  ~RawHttpClient() { Close(); }

  // Connects to 127.0.0.1:`port`. False (and error()) when the connection is
  // not established by `deadline`.
  bool Connect(int port, Deadline deadline, const Options& options = {}) {
    Close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Fail("socket");
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (options.receive_buffer_bytes > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &options.receive_buffer_bytes, sizeof(options.receive_buffer_bytes));
    }
    if (!options.source_address.empty()) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      local.sin_port = 0;
      if (::inet_pton(AF_INET, options.source_address.c_str(), &local.sin_addr) != 1) {
        error_ = "bad source address " + options.source_address;
        return false;
      }
      if (::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof(local)) != 0) return Fail("bind");
    }
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(static_cast<uint16_t>(port));
    remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&remote), sizeof(remote)) == 0) return true;
    if (errno != EINPROGRESS) return Fail("connect");
    if (!Wait(POLLOUT, deadline)) {
      error_ = "connect: timed out";
      return false;
    }
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      errno = err;
      return Fail("connect");
    }
    return true;
  }

  // Writes all of `data`. False when the peer is gone (reset, EPIPE) or the
  // deadline passes with bytes still unsent (the peer stopped reading).
  bool Send(std::string_view data, Deadline deadline) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!Wait(POLLOUT, deadline)) {
          error_ = "send: timed out";
          return false;
        }
        continue;
      }
      return Fail("send");
    }
    return true;
  }

  // Reads what is available (waiting until `deadline` for something) onto
  // the end of buffer().
  ReadStatus ReadSome(Deadline deadline) {
    if (fd_ < 0) return ReadStatus::kError;
    for (;;) {
      char chunk[65536];
      const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n > 0) {
        buffer_.append(chunk, static_cast<size_t>(n));
        return ReadStatus::kData;
      }
      if (n == 0) return ReadStatus::kEof;
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) return ReadStatus::kReset;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        Fail("recv");
        return ReadStatus::kError;
      }
      if (!Wait(POLLIN, deadline)) return ReadStatus::kTimeout;
    }
  }

  // Reads until the buffer holds at least `n` bytes. False on EOF, reset or
  // deadline first.
  bool ReadAtLeast(size_t n, Deadline deadline) {
    while (buffer_.size() < n) {
      if (ReadSome(deadline) != ReadStatus::kData) return false;
    }
    return true;
  }

  // Reads until `needle` is in the buffer; its position, or nullopt on EOF,
  // reset or deadline first.
  std::optional<size_t> ReadUntil(std::string_view needle, Deadline deadline, size_t from = 0) {
    for (;;) {
      const size_t at = buffer_.find(needle, from);
      if (at != std::string::npos) return at;
      if (ReadSome(deadline) != ReadStatus::kData) return std::nullopt;
    }
  }

  // Reads and returns one response head (status line and headers, interim
  // 1xx ones included), leaving whatever follows it in the buffer. nullopt if
  // the connection ends or the deadline passes first, or it is not HTTP.
  std::optional<Response> ReadHead(Deadline deadline) {
    const std::optional<size_t> end = ReadUntil("\r\n\r\n", deadline);
    if (!end.has_value()) return std::nullopt;
    const std::string head = buffer_.substr(0, *end);
    buffer_.erase(0, *end + 4);
    Response r;
    size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    // "HTTP/1.1 200 OK"
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return std::nullopt;
    r.status = std::atoi(status_line.substr(9, 3).c_str());
    if (status_line.size() > 13) r.reason = status_line.substr(13);
    while (line_end != std::string::npos) {
      const size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t") + 1);
      r.headers.emplace_back(std::move(name), std::move(value));
    }
    return r;
  }

  // Reads one whole final response: skips 1xx heads, then reads the body as
  // framed (none for HEAD requests and 204/304). On EOF, reset or deadline
  // mid-body, returns what arrived with complete == false; nullopt when no
  // final head arrived.
  std::optional<Response> ReadResponse(Deadline deadline, bool head_request = false) {
    std::optional<Response> r;
    do {
      r = ReadHead(deadline);
      if (!r.has_value()) return std::nullopt;
    } while (r->status >= 100 && r->status < 200);
    ReadBody(*r, deadline, head_request);
    return r;
  }

  // Reads the body of `r`, whose head ReadHead returned.
  void ReadBody(Response& r, Deadline deadline, bool head_request = false) {
    if (head_request || r.status == 204 || r.status == 304) {
      r.complete = true;
      return;
    }
    std::string te = r.Header("transfer-encoding");
    for (char& c : te) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (te.find("chunked") != std::string::npos) {
      r.chunked = true;
      ReadChunkedBody(r, deadline);
      return;
    }
    const std::string length = r.Header("content-length");
    if (!length.empty()) {
      const size_t n = static_cast<size_t>(std::strtoull(length.c_str(), nullptr, 10));
      r.complete = ReadAtLeast(n, deadline);
      const size_t take = std::min(n, buffer_.size());
      r.body = buffer_.substr(0, take);
      buffer_.erase(0, take);
      return;
    }
    r.complete = ReadUntilClosed(deadline) == ReadStatus::kEof;
    r.body = std::move(buffer_);
    buffer_.clear();
  }

  // Reads (keeping the bytes in the buffer) until the peer closes or resets
  // the connection, or the deadline passes: kEof, kReset or kTimeout.
  ReadStatus ReadUntilClosed(Deadline deadline) {
    for (;;) {
      const ReadStatus s = ReadSome(deadline);
      if (s != ReadStatus::kData) return s;
    }
  }

  // Whether the peer closed (or reset) the connection by `deadline`.
  bool WaitClosed(Deadline deadline) {
    const ReadStatus s = ReadUntilClosed(deadline);
    return s == ReadStatus::kEof || s == ReadStatus::kReset;
  }

  // Closes the socket (a FIN, or a reset if unread bytes are pending).
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Closes with a reset (SO_LINGER 0), as a crashed client would.
  void Abort() {
    if (fd_ < 0) return;
    linger l{};
    l.l_onoff = 1;
    l.l_linger = 0;
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    Close();
  }

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // Bytes read and not yet consumed by ReadHead/ReadResponse.
  std::string& buffer() { return buffer_; }
  const std::string& error() const { return error_; }

 private:
  // Waits for `events` on the socket until `deadline`; false on timeout.
  bool Wait(short events, Deadline deadline) {
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd_, events, 0};
      const int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000 * 60)));
      if (n > 0) return true;  // Ready, or an error/hang-up the next call reports.
      if (n < 0 && errno != EINTR) return false;
    }
  }

  bool Fail(const char* what) {
    error_ = std::string(what) + ": " + std::strerror(errno);
    return false;
  }

  // Decodes a chunked body. Sets complete when the last chunk and the
  // trailer's end were read; malformed framing leaves it false.
  void ReadChunkedBody(Response& r, Deadline deadline) {
    for (;;) {
      const std::optional<size_t> line_end = ReadUntil("\r\n", deadline);
      if (!line_end.has_value()) return;
      const std::string size_line = buffer_.substr(0, *line_end);
      char* parsed_end = nullptr;
      const unsigned long long size = std::strtoull(size_line.c_str(), &parsed_end, 16);
      if (parsed_end == size_line.c_str()) return;  // Not a chunk size.
      buffer_.erase(0, *line_end + 2);
      if (size == 0) {
        // Trailer fields, then an empty line.
        for (;;) {
          const std::optional<size_t> end = ReadUntil("\r\n", deadline);
          if (!end.has_value()) return;
          const bool last = *end == 0;
          buffer_.erase(0, *end + 2);
          if (last) {
            r.complete = true;
            return;
          }
        }
      }
      if (!ReadAtLeast(static_cast<size_t>(size) + 2, deadline)) {
        r.body.append(buffer_.substr(0, std::min<size_t>(buffer_.size(), static_cast<size_t>(size))));
        buffer_.clear();
        return;
      }
      r.body.append(buffer_, 0, static_cast<size_t>(size));
      buffer_.erase(0, static_cast<size_t>(size) + 2);
    }
  }

  int fd_ = -1;
  std::string buffer_;
  std::string error_;
};

}  // namespace gempool::gateway::testing
