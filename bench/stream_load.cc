// stream_load: the benchmark's load program for streamed (SSE) calls, and for
// fixed-count request/response runs (profiles). One thread, epoll, raw
// non-blocking sockets to a loopback address: it keeps `--concurrency`
// requests open until `--total` have ended, and reports as JSON
//   - time to first chunk (request written -> first complete SSE event),
//   - the gaps between consecutive events of a stream (and how many were
//     under 2 ms, i.e. chunks that arrived together instead of as sent),
//   - connect times, per-stream totals, event counts and errors by kind.
// Every loop is bounded: the run ends at --timeout-s whatever happens.
//
//   stream_load --port 8080 --path '/v1beta/models/m:streamGenerateContent?alt=sse'
//               --header 'x-goog-api-key: K' --body-file body.json
//               --concurrency 2000 --total 2000 --expect-events 64
//   stream_load ... --mode unary --concurrency 1 --total 2000
//
// Not thread-safe (one thread owns everything).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "load_common.h"

namespace {

using bench::JsonEscape;
using bench::NowUs;
using bench::ResponseReader;
using bench::Summary;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path;
  std::vector<std::string> headers;
  std::string body;
  bool sse = true;  // --mode sse | unary
  int concurrency = 1;
  int total = 1;
  int expect_events = 0;  // 0: any number is fine.
  int max_connecting = 64;
  double timeout_s = 120;
  std::string label;
};

constexpr char kUsage[] =
    "usage: stream_load --port N --path P [--host 127.0.0.1] [--header 'Name: value']...\n"
    "                   [--body-file F] [--mode sse|unary] [--concurrency C] [--total T]\n"
    "                   [--expect-events E] [--max-connecting M] [--timeout-s S] [--label L]\n"
    "Loopback hosts only. Prints one JSON object on stdout.\n";

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "stream_load: " << message << "\n" << kUsage;
  std::exit(2);
}

bool IsLoopback(const std::string& host) { return host.rfind("127.", 0) == 0; }

int ParseInt(const std::string& flag, const std::string& value, int min, int max) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(value.c_str(), &end, 10);
  if (errno != 0 || end == value.c_str() || *end != '\0' || v < min || v > max) {
    Die(flag + " '" + value + "' is not a number from " + std::to_string(min) + " to " +
        std::to_string(max));
  }
  return static_cast<int>(v);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (i + 1 >= argc) Die("missing value after " + arg);
    const std::string value = argv[++i];
    if (arg == "--host") {
      o.host = value;
    } else if (arg == "--port") {
      o.port = ParseInt(arg, value, 1, 65535);
    } else if (arg == "--path") {
      o.path = value;
    } else if (arg == "--header") {
      if (value.find(':') == std::string::npos || value.find_first_of("\r\n") != std::string::npos) {
        Die("--header '" + value + "' is not 'Name: value'");
      }
      o.headers.push_back(value);
    } else if (arg == "--body-file") {
      std::ifstream in(value, std::ios::binary);
      if (!in) Die("cannot read --body-file " + value);
      std::stringstream s;
      s << in.rdbuf();
      o.body = s.str();
    } else if (arg == "--mode") {
      if (value != "sse" && value != "unary") Die("--mode must be sse or unary");
      o.sse = value == "sse";
    } else if (arg == "--concurrency") {
      o.concurrency = ParseInt(arg, value, 1, 20000);
    } else if (arg == "--total") {
      o.total = ParseInt(arg, value, 1, 10000000);
    } else if (arg == "--expect-events") {
      o.expect_events = ParseInt(arg, value, 0, 1000000);
    } else if (arg == "--max-connecting") {
      o.max_connecting = ParseInt(arg, value, 1, 20000);
    } else if (arg == "--timeout-s") {
      o.timeout_s = ParseInt(arg, value, 1, 3600);
    } else if (arg == "--label") {
      o.label = value;
    } else {
      Die("unknown option " + arg);
    }
  }
  if (o.port == 0) Die("--port is required");
  if (o.path.empty() || o.path[0] != '/') Die("--path must start with /");
  if (!IsLoopback(o.host)) Die("--host '" + o.host + "' is not a 127.x loopback address");
  return o;
}

// Counts server-sent events (a blank line ends one) as body bytes arrive.
class SseCounter {
 public:
  // Returns how many events ended within these bytes.
  int Feed(const char* data, size_t n) {
    int ended = 0;
    for (size_t i = 0; i < n; ++i) {
      const char c = data[i];
      if (c == '\r') continue;
      if (c == '\n') {
        if (last_newline_ && has_data_) {
          ++ended;
          has_data_ = false;
        }
        last_newline_ = true;
      } else {
        last_newline_ = false;
        has_data_ = true;
      }
    }
    return ended;
  }

 private:
  bool last_newline_ = false;
  bool has_data_ = false;
};

struct Stream {
  enum class Phase { kIdle, kConnecting, kSending, kReading, kEnded };
  Phase phase = Phase::kIdle;
  int fd = -1;
  size_t sent = 0;
  int64_t started_us = 0;
  int64_t connected_us = 0;
  int64_t request_sent_us = 0;
  int64_t last_event_us = 0;
  int events = 0;
  ResponseReader reader;
  SseCounter sse;
};

struct Stats {
  std::vector<int64_t> connect_us;
  std::vector<int64_t> ttfc_us;
  std::vector<int64_t> gap_us;
  std::vector<int64_t> total_us;
  std::vector<int64_t> events;
  std::map<std::string, int> errors;
  int ok = 0;
  int gaps_under_2ms = 0;
  int max_open = 0;
};

class Runner {
 public:
  explicit Runner(Options options) : o_(std::move(options)) {
    std::ostringstream req;
    req << "POST " << o_.path << " HTTP/1.1\r\nHost: " << o_.host << ":" << o_.port
        << "\r\nContent-Type: application/json\r\nContent-Length: " << o_.body.size()
        << "\r\nConnection: close\r\n";
    for (const std::string& h : o_.headers) req << h << "\r\n";
    req << "\r\n" << o_.body;
    request_ = req.str();
    addr_.sin_family = AF_INET;
    addr_.sin_port = htons(static_cast<uint16_t>(o_.port));
    if (inet_pton(AF_INET, o_.host.c_str(), &addr_.sin_addr) != 1) Die("bad --host " + o_.host);
    streams_.resize(o_.concurrency);
  }

  int Run() {
    epoll_ = epoll_create1(0);
    if (epoll_ < 0) Die(std::string("epoll_create1: ") + std::strerror(errno));
    const int64_t begin = NowUs();
    const int64_t deadline = begin + static_cast<int64_t>(o_.timeout_s * 1e6);
    std::vector<epoll_event> ready(1024);
    while (finished_ < o_.total && NowUs() < deadline) {
      StartMore();
      const int n = epoll_wait(epoll_, ready.data(), static_cast<int>(ready.size()), 50);
      if (n < 0 && errno != EINTR) Die(std::string("epoll_wait: ") + std::strerror(errno));
      for (int k = 0; k < n; ++k) Handle(static_cast<size_t>(ready[k].data.u64), ready[k].events);
      ExpireStale();
    }
    for (size_t i = 0; i < streams_.size(); ++i) {
      if (streams_[i].phase != Stream::Phase::kIdle && streams_[i].phase != Stream::Phase::kEnded) {
        End(i, "timeout (run deadline)");
      }
    }
    const int64_t elapsed = NowUs() - begin;
    std::cout << "{\"label\":\"" << JsonEscape(o_.label) << "\",\"mode\":\"" << (o_.sse ? "sse" : "unary")
              << "\",\"concurrency\":" << o_.concurrency << ",\"total\":" << o_.total
              << ",\"started\":" << started_ << ",\"ok\":" << stats_.ok << ",\"errors\":{";
    bool first = true;
    int error_count = 0;
    for (const auto& [kind, count] : stats_.errors) {
      std::cout << (first ? "" : ",") << "\"" << JsonEscape(kind) << "\":" << count;
      first = false;
      error_count += count;
    }
    std::cout << "},\"error_count\":" << error_count << ",\"elapsed_us\":" << elapsed
              << ",\"max_open\":" << stats_.max_open << ",\"gaps_under_2ms\":" << stats_.gaps_under_2ms
              << ",\"connect_us\":" << Summary(stats_.connect_us) << ",\"ttfc_us\":" << Summary(stats_.ttfc_us)
              << ",\"gap_us\":" << Summary(stats_.gap_us) << ",\"total_us\":" << Summary(stats_.total_us)
              << ",\"events\":" << Summary(stats_.events) << "}" << std::endl;
    close(epoll_);
    return 0;
  }

 private:
  void StartMore() {
    // At most max_connecting handshakes at once: a burst of thousands of SYNs
    // would measure the server's listen backlog, not the proxying.
    for (size_t i = 0; i < streams_.size() && started_ < o_.total && connecting_ < o_.max_connecting; ++i) {
      Stream& s = streams_[i];
      if (s.phase != Stream::Phase::kIdle && s.phase != Stream::Phase::kEnded) continue;
      s = Stream();
      s.started_us = NowUs();
      ++started_;
      s.phase = Stream::Phase::kConnecting;
      ++connecting_;
      s.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (s.fd < 0) {
        End(i, std::string("socket: ") + std::strerror(errno));
        continue;
      }
      ++open_;
      stats_.max_open = std::max(stats_.max_open, open_);
      int one = 1;
      setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      const int rc = connect(s.fd, reinterpret_cast<const sockaddr*>(&addr_), sizeof(addr_));
      if (rc != 0 && errno != EINPROGRESS) {
        End(i, std::string("connect: ") + std::strerror(errno));
        continue;
      }
      epoll_event ev{};
      ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
      ev.data.u64 = i;
      if (epoll_ctl(epoll_, EPOLL_CTL_ADD, s.fd, &ev) != 0) {
        End(i, std::string("epoll_ctl: ") + std::strerror(errno));
        continue;
      }
    }
  }

  void Handle(size_t i, uint32_t events) {
    Stream& s = streams_[i];
    if (s.phase == Stream::Phase::kConnecting) {
      int err = 0;
      socklen_t len = sizeof(err);
      getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        End(i, std::string("connect: ") + std::strerror(err));
        return;
      }
      if ((events & EPOLLOUT) == 0) return;
      --connecting_;
      s.connected_us = NowUs();
      stats_.connect_us.push_back(s.connected_us - s.started_us);
      s.phase = Stream::Phase::kSending;
    }
    if (s.phase == Stream::Phase::kSending) {
      // Bounded: each write sends bytes or returns EAGAIN. The clock starts
      // before the send that completes the request: on loopback the kernel
      // may deliver it, and the server answer it, before send() returns.
      while (s.sent < request_.size()) {
        const int64_t before = NowUs();
        const ssize_t w = send(s.fd, request_.data() + s.sent, request_.size() - s.sent, MSG_NOSIGNAL);
        if (w < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK) return;
          End(i, std::string("send: ") + std::strerror(errno));
          return;
        }
        s.sent += static_cast<size_t>(w);
        s.request_sent_us = before;
      }
      s.phase = Stream::Phase::kReading;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP;
      ev.data.u64 = i;
      epoll_ctl(epoll_, EPOLL_CTL_MOD, s.fd, &ev);
    }
    if (s.phase != Stream::Phase::kReading) return;
    char buf[65536];
    // Bounded: at most 64 reads per wake-up; level-triggered epoll returns.
    for (int reads = 0; reads < 64; ++reads) {
      const ssize_t r = recv(s.fd, buf, sizeof(buf), 0);
      if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        End(i, std::string("recv: ") + std::strerror(errno));
        return;
      }
      if (r == 0) {
        s.reader.Eof();
        Finish(i);
        return;
      }
      const int64_t now = NowUs();
      s.reader.Feed(buf, static_cast<size_t>(r), [&](const char* data, size_t n) {
        if (s.reader.status() != 200) return;
        const int ended = o_.sse ? s.sse.Feed(data, n) : 0;
        for (int e = 0; e < ended; ++e) Event(s, now);
      });
      if (s.reader.state() == ResponseReader::State::kDone || s.reader.state() == ResponseReader::State::kBad) {
        if (!o_.sse && s.reader.state() == ResponseReader::State::kDone && s.reader.status() == 200) Event(s, now);
        Finish(i);
        return;
      }
    }
  }

  void Event(Stream& s, int64_t now) {
    if (s.events == 0) {
      stats_.ttfc_us.push_back(now - s.request_sent_us);
    } else {
      const int64_t gap = now - s.last_event_us;
      stats_.gap_us.push_back(gap);
      if (gap < 2000) ++stats_.gaps_under_2ms;
    }
    s.last_event_us = now;
    ++s.events;
  }

  void Finish(size_t i) {
    Stream& s = streams_[i];
    const ResponseReader& r = s.reader;
    if (r.state() == ResponseReader::State::kBad) {
      End(i, "bad response: " + r.error());
    } else if (r.state() != ResponseReader::State::kDone) {
      End(i, r.status() == 0 ? "closed before the response head" : "closed before the body ended");
    } else if (r.status() != 200) {
      End(i, "HTTP " + std::to_string(r.status()));
    } else if (o_.expect_events > 0 && s.events != o_.expect_events) {
      End(i, "wrong event count (got " + std::to_string(s.events) + ")");
    } else {
      End(i, "");
    }
  }

  void ExpireStale() {
    const int64_t now = NowUs();
    const int64_t limit = static_cast<int64_t>(o_.timeout_s * 1e6);
    for (size_t i = 0; i < streams_.size(); ++i) {
      const Stream& s = streams_[i];
      if ((s.phase == Stream::Phase::kConnecting || s.phase == Stream::Phase::kSending ||
           s.phase == Stream::Phase::kReading) &&
          now - s.started_us > limit) {
        End(i, "timeout");
      }
    }
  }

  // Ends stream i; `error` empty means success.
  void End(size_t i, const std::string& error) {
    Stream& s = streams_[i];
    if (s.phase == Stream::Phase::kEnded || s.phase == Stream::Phase::kIdle) return;
    if (s.phase == Stream::Phase::kConnecting) --connecting_;
    if (s.fd >= 0) {
      epoll_ctl(epoll_, EPOLL_CTL_DEL, s.fd, nullptr);
      close(s.fd);
      --open_;
      s.fd = -1;
    }
    s.phase = Stream::Phase::kEnded;
    ++finished_;
    if (error.empty()) {
      ++stats_.ok;
      stats_.total_us.push_back(NowUs() - s.request_sent_us);
      stats_.events.push_back(s.events);
    } else {
      ++stats_.errors[error];
    }
  }

  const Options o_;
  std::string request_;
  sockaddr_in addr_{};
  int epoll_ = -1;
  std::vector<Stream> streams_;
  int started_ = 0;
  int finished_ = 0;
  int connecting_ = 0;
  int open_ = 0;
  Stats stats_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options = ParseArgs(argc, argv);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  return Runner(std::move(options)).Run();
}
