#pragma once
// What the benchmark's load programs (stream_load.cc, conn_load.cc) share:
// the command-line checks, the monotonic clock, non-blocking loopback sockets
// on epoll, the request they POST, an incremental HTTP/1.1 response reader,
// percentile summaries and counts as JSON. Header-only; nothing here is
// thread-safe (each load program is one thread).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace bench {

// The call both load programs make, from --host, --port, --path, --header and
// --body-file: a POST of `body` to `path` on host:port.
struct CallOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path;
  std::vector<std::string> headers;  // "Name: value" lines.
  std::string body;
};

// A load program's name and usage text, for the checks of its command line:
// a bad value ends the program (exit 2) with the message and the usage.
class CommandLine {
 public:
  constexpr CommandLine(const char* program, const char* usage) : program_(program), usage_(usage) {}

  // Prints "program: message" and the usage on stderr; exits 2.
  [[noreturn]] void Die(const std::string& message) const {
    std::cerr << program_ << ": " << message << "\n" << usage_;
    std::exit(2);
  }

  // Hands each "--flag value" pair of argv to on_option(flag, value), which
  // returns false for a flag it does not know. -h / --help print the usage
  // and exit 0.
  template <typename F>
  void ForEachOption(int argc, char** argv, F&& on_option) const {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "-h" || arg == "--help") {
        std::cout << usage_;
        std::exit(0);
      }
      if (i + 1 >= argc) Die("missing value after " + arg);
      const std::string value = argv[++i];
      if (!on_option(arg, value)) Die("unknown option " + arg);
    }
  }

  // `value` of `flag` as a whole number from min to max.
  int ParseInt(const std::string& flag, const std::string& value, int min, int max) const {
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(value.c_str(), &end, 10);
    if (errno != 0 || end == value.c_str() || *end != '\0' || v < min || v > max) {
      Die(flag + " '" + value + "' is not a number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return static_cast<int>(v);
  }

  // Takes `flag` with its `value` into `call` when it is one of CallOptions'
  // flags; false when it is not.
  bool ParseCallOption(const std::string& flag, const std::string& value, CallOptions& call) const {
    if (flag == "--host") {
      call.host = value;
    } else if (flag == "--port") {
      call.port = ParseInt(flag, value, 1, 65535);
    } else if (flag == "--path") {
      call.path = value;
    } else if (flag == "--header") {
      if (value.find(':') == std::string::npos || value.find_first_of("\r\n") != std::string::npos) {
        Die("--header '" + value + "' is not 'Name: value'");
      }
      call.headers.push_back(value);
    } else if (flag == "--body-file") {
      std::ifstream in(value, std::ios::binary);
      if (!in) Die("cannot read --body-file " + value);
      std::stringstream s;
      s << in.rdbuf();
      call.body = s.str();
    } else {
      return false;
    }
    return true;
  }

  // `host`, the value of `flag`, must be a 127.x loopback address.
  void RequireLoopback(const std::string& flag, const std::string& host) const {
    if (host.rfind("127.", 0) != 0) Die(flag + " '" + host + "' is not a 127.x loopback address");
  }

 private:
  const char* program_;
  const char* usage_;
};

// Microseconds on the monotonic clock.
inline int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Raises the soft limit on open files to the hard limit.
inline void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// `host` (an IPv4 address) and `port` as a socket address; false when `host`
// is not one.
inline bool Ipv4Address(const std::string& host, int port, sockaddr_in& out) {
  out = sockaddr_in{};
  out.sin_family = AF_INET;
  out.sin_port = htons(static_cast<uint16_t>(port));
  return inet_pton(AF_INET, host.c_str(), &out.sin_addr) == 1;
}

// A non-blocking TCP socket with TCP_NODELAY; -1 (errno set) when none.
inline int OpenSocket() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// Adds (op EPOLL_CTL_ADD) or changes (EPOLL_CTL_MOD) what `epoll` watches on
// `fd`, tagged with `index`; epoll_ctl's result.
inline int EpollWatch(int epoll, int op, int fd, uint32_t events, uint64_t index) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = index;
  return epoll_ctl(epoll, op, fd, &ev);
}

// Starts connecting `fd` (from OpenSocket) to `addr` and has `epoll` watch it
// (tagged with `index`) for the end of the handshake and for input: "" when
// under way, else what failed ("connect: ...", "epoll_ctl: ...").
inline std::string StartConnect(int epoll, int fd, const sockaddr_in& addr, uint64_t index) {
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 && errno != EINPROGRESS) {
    return std::string("connect: ") + std::strerror(errno);
  }
  if (EpollWatch(epoll, EPOLL_CTL_ADD, fd, EPOLLOUT | EPOLLIN | EPOLLRDHUP, index) != 0) {
    return std::string("epoll_ctl: ") + std::strerror(errno);
  }
  return "";
}

// The pending error of a socket (SO_ERROR): 0 when its connect succeeded.
inline int SocketError(int fd) {
  int err = 0;
  socklen_t len = sizeof(err);
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  return err;
}

enum class SendState { kDone, kBlocked, kFailed };

// Sends `data` from offset `sent` on (advancing it) until all of it is sent
// (kDone), the socket takes no more (kBlocked) or send() fails (kFailed,
// errno set). Each send sends bytes or ends the loop. `last_send_us`, when
// given, gets the clock read just before the last send that took bytes: on
// loopback the peer may have them, and answer, before send() returns.
inline SendState SendRest(int fd, const std::string& data, size_t& sent, int64_t* last_send_us = nullptr) {
  while (sent < data.size()) {
    const int64_t before = NowUs();
    const ssize_t w = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (w < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? SendState::kBlocked : SendState::kFailed;
    sent += static_cast<size_t>(w);
    if (last_send_us != nullptr) *last_send_us = before;
  }
  return SendState::kDone;
}

// The bytes of `call` (a JSON body) with Connection: close.
inline std::string PostRequest(const CallOptions& call) {
  std::ostringstream req;
  req << "POST " << call.path << " HTTP/1.1\r\nHost: " << call.host << ":" << call.port
      << "\r\nContent-Type: application/json\r\nContent-Length: " << call.body.size()
      << "\r\nConnection: close\r\n";
  for (const std::string& h : call.headers) req << h << "\r\n";
  req << "\r\n" << call.body;
  return req.str();
}

// Incremental HTTP/1.1 response reader: head, then a chunked, sized or
// close-delimited body, handing decoded body bytes to a callback. Feed() what
// recv() returned, Eof() when the peer closed; state() says whether the
// response is complete (kDone) or malformed (kBad).
class ResponseReader {
 public:
  enum class State { kHead, kChunkSize, kChunkData, kChunkDataEnd, kTrailer, kSized, kUntilClose, kDone, kBad };

  // Feeds received bytes; `on_body` gets decoded body bytes.
  template <typename F>
  void Feed(const char* data, size_t n, F&& on_body) {
    size_t i = 0;
    // Each iteration consumes at least one byte or changes state towards
    // kDone/kBad, so this is bounded by n plus the number of state changes.
    while (i < n && state_ != State::kDone && state_ != State::kBad) {
      switch (state_) {
        case State::kHead: {
          head_.push_back(data[i++]);
          if (head_.size() > 64 * 1024) {
            Fail("response head over 64 KiB");
          } else if (EndsWith(head_, "\r\n\r\n")) {
            ParseHead();
          }
          break;
        }
        case State::kChunkSize:
        case State::kTrailer: {
          line_.push_back(data[i++]);
          if (line_.size() > 4096) {
            Fail("chunk line over 4 KiB");
          } else if (EndsWith(line_, "\r\n")) {
            const std::string line = line_.substr(0, line_.size() - 2);
            line_.clear();
            if (state_ == State::kTrailer) {
              if (line.empty()) state_ = State::kDone;
            } else {
              char* end = nullptr;
              const unsigned long long size = std::strtoull(line.c_str(), &end, 16);
              if (end == line.c_str()) {
                Fail("bad chunk size line");
              } else if (size == 0) {
                state_ = State::kTrailer;
              } else {
                remaining_ = size;
                state_ = State::kChunkData;
              }
            }
          }
          break;
        }
        case State::kChunkData:
        case State::kSized: {
          const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, n - i));
          on_body(data + i, take);
          i += take;
          remaining_ -= take;
          if (remaining_ == 0) state_ = state_ == State::kSized ? State::kDone : State::kChunkDataEnd;
          break;
        }
        case State::kChunkDataEnd: {
          line_.push_back(data[i++]);
          if (line_.size() == 2) {
            if (line_ != "\r\n") Fail("chunk not followed by CRLF");
            line_.clear();
            if (state_ != State::kBad) state_ = State::kChunkSize;
          }
          break;
        }
        case State::kUntilClose:
          on_body(data + i, n - i);
          i = n;
          break;
        case State::kDone:
        case State::kBad:
          break;
      }
    }
  }

  // The peer closed the connection.
  void Eof() {
    if (state_ == State::kUntilClose) state_ = State::kDone;
  }

  State state() const { return state_; }
  int status() const { return status_; }
  const std::string& error() const { return error_; }

 private:
  static bool EndsWith(const std::string& s, const char* suffix) {
    const size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
  }

  void Fail(const std::string& why) {
    state_ = State::kBad;
    error_ = why;
  }

  void ParseHead() {
    // "HTTP/1.1 200 OK\r\n"
    if (head_.rfind("HTTP/1.", 0) != 0 || head_.size() < 12) {
      Fail("not an HTTP/1.x response");
      return;
    }
    status_ = std::atoi(head_.c_str() + 9);
    bool chunked = false;
    long long length = -1;
    std::istringstream lines(head_);
    std::string line;
    std::getline(lines, line);
    // Bounded by the 64 KiB head.
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::string value = line.substr(colon + 1);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) chunked = true;
      if (name == "content-length") length = std::atoll(value.c_str());
    }
    head_.clear();
    if (chunked) {
      state_ = State::kChunkSize;
    } else if (length >= 0) {
      remaining_ = static_cast<uint64_t>(length);
      state_ = length == 0 ? State::kDone : State::kSized;
    } else {
      state_ = State::kUntilClose;
    }
  }

  State state_ = State::kHead;
  std::string head_;
  std::string line_;
  uint64_t remaining_ = 0;
  int status_ = 0;
  std::string error_;
};

// What went wrong with the response `r` read ("bad response: ...", "closed
// before ...", "HTTP 503"); "" for a complete 200.
inline std::string ResponseError(const ResponseReader& r) {
  if (r.state() == ResponseReader::State::kBad) return "bad response: " + r.error();
  if (r.state() != ResponseReader::State::kDone) {
    return r.status() == 0 ? "closed before the response head" : "closed before the body ended";
  }
  if (r.status() != 200) return "HTTP " + std::to_string(r.status());
  return "";
}

// The nearest-rank percentile p (0-100) of v; sorts v. -1 when v is empty.
inline int64_t Percentile(std::vector<int64_t>& v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size()) + 0.999999);
  if (rank < 1) rank = 1;
  if (rank > v.size()) rank = v.size();
  return v[rank - 1];
}

// {"n", "mean", "min", "p1", "p50", "p90", "p99", "p999", "max"} of v as JSON (-1 when empty); sorts v.
inline std::string Summary(std::vector<int64_t>& v) {
  std::ostringstream out;
  double mean = 0;
  for (int64_t x : v) mean += static_cast<double>(x);
  if (!v.empty()) mean /= static_cast<double>(v.size());
  out << "{\"n\":" << v.size() << ",\"mean\":" << static_cast<int64_t>(mean)
      << ",\"min\":" << (v.empty() ? -1 : *std::min_element(v.begin(), v.end())) << ",\"p1\":" << Percentile(v, 1)
      << ",\"p50\":" << Percentile(v, 50) << ",\"p90\":" << Percentile(v, 90) << ",\"p99\":" << Percentile(v, 99)
      << ",\"p999\":" << Percentile(v, 99.9) << ",\"max\":" << (v.empty() ? -1 : v.back()) << "}";
  return out.str();
}

// s for a JSON string literal (control characters become spaces).
inline std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// The map `m` (keys that convert to std::string, numbers as values) as a JSON object.
template <typename Map>
std::string MapJson(const Map& m) {
  std::ostringstream out;
  out << "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    out << (first ? "" : ",") << "\"" << JsonEscape(std::string(k)) << "\":" << v;
    first = false;
  }
  out << "}";
  return out.str();
}

}  // namespace bench
