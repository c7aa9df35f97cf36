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

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "load_common.h"

namespace {

using bench::JsonEscape;
using bench::MapJson;
using bench::NowUs;
using bench::ResponseReader;
using bench::Summary;

struct Options {
  bench::CallOptions call;
  bool sse = true;  // --mode sse | unary
  int concurrency = 1;
  int total = 1;
  int expect_events = 0;  // 0: any number is fine.
  int max_connecting = 64;
  double timeout_s = 120;
  std::string label;
};

constexpr bench::CommandLine kCommandLine(
    "stream_load",
    "usage: stream_load --port N --path P [--host 127.0.0.1] [--header 'Name: value']...\n"
    "                   [--body-file F] [--mode sse|unary] [--concurrency C] [--total T]\n"
    "                   [--expect-events E] [--max-connecting M] [--timeout-s S] [--label L]\n"
    "Loopback hosts only. Prints one JSON object on stdout.\n");

Options ParseArgs(int argc, char** argv) {
  const bench::CommandLine& cli = kCommandLine;
  Options o;
  cli.ForEachOption(argc, argv, [&](const std::string& arg, const std::string& value) {
    if (cli.ParseCallOption(arg, value, o.call)) return true;  // --host, --port, --path, --header, --body-file
    if (arg == "--mode") {
      if (value != "sse" && value != "unary") cli.Die("--mode must be sse or unary");
      o.sse = value == "sse";
    } else if (arg == "--concurrency") {
      o.concurrency = cli.ParseInt(arg, value, 1, 20000);
    } else if (arg == "--total") {
      o.total = cli.ParseInt(arg, value, 1, 10000000);
    } else if (arg == "--expect-events") {
      o.expect_events = cli.ParseInt(arg, value, 0, 1000000);
    } else if (arg == "--max-connecting") {
      o.max_connecting = cli.ParseInt(arg, value, 1, 20000);
    } else if (arg == "--timeout-s") {
      o.timeout_s = cli.ParseInt(arg, value, 1, 3600);
    } else if (arg == "--label") {
      o.label = value;
    } else {
      return false;
    }
    return true;
  });
  if (o.call.port == 0) cli.Die("--port is required");
  if (o.call.path.empty() || o.call.path[0] != '/') cli.Die("--path must start with /");
  cli.RequireLoopback("--host", o.call.host);
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
  explicit Runner(Options options)
      : o_(std::move(options)), request_(bench::PostRequest(o_.call)) {
    if (!bench::Ipv4Address(o_.call.host, o_.call.port, addr_)) kCommandLine.Die("bad --host " + o_.call.host);
    streams_.resize(o_.concurrency);
  }

  int Run() {
    epoll_ = epoll_create1(0);
    if (epoll_ < 0) kCommandLine.Die(std::string("epoll_create1: ") + std::strerror(errno));
    const int64_t begin = NowUs();
    const int64_t deadline = begin + static_cast<int64_t>(o_.timeout_s * 1e6);
    std::vector<epoll_event> ready(1024);
    while (finished_ < o_.total && NowUs() < deadline) {
      StartMore();
      const int n = epoll_wait(epoll_, ready.data(), static_cast<int>(ready.size()), 50);
      if (n < 0 && errno != EINTR) kCommandLine.Die(std::string("epoll_wait: ") + std::strerror(errno));
      for (int k = 0; k < n; ++k) Handle(static_cast<size_t>(ready[k].data.u64), ready[k].events);
      ExpireStale();
    }
    for (size_t i = 0; i < streams_.size(); ++i) {
      if (streams_[i].phase != Stream::Phase::kIdle && streams_[i].phase != Stream::Phase::kEnded) {
        End(i, "timeout (run deadline)");
      }
    }
    const int64_t elapsed = NowUs() - begin;
    int error_count = 0;
    for (const auto& [kind, count] : stats_.errors) error_count += count;
    std::cout << "{\"label\":\"" << JsonEscape(o_.label) << "\",\"mode\":\"" << (o_.sse ? "sse" : "unary")
              << "\",\"concurrency\":" << o_.concurrency << ",\"total\":" << o_.total
              << ",\"started\":" << started_ << ",\"ok\":" << stats_.ok << ",\"errors\":" << MapJson(stats_.errors)
              << ",\"error_count\":" << error_count << ",\"elapsed_us\":" << elapsed
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
      s.fd = bench::OpenSocket();
      if (s.fd < 0) {
        End(i, std::string("socket: ") + std::strerror(errno));
        continue;
      }
      ++open_;
      stats_.max_open = std::max(stats_.max_open, open_);
      const std::string error = bench::StartConnect(epoll_, s.fd, addr_, i);
      if (!error.empty()) End(i, error);
    }
  }

  void Handle(size_t i, uint32_t events) {
    Stream& s = streams_[i];
    if (s.phase == Stream::Phase::kConnecting) {
      const int err = bench::SocketError(s.fd);
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
      // The clock starts before the send that completes the request.
      const bench::SendState sending = bench::SendRest(s.fd, request_, s.sent, &s.request_sent_us);
      if (sending == bench::SendState::kBlocked) return;
      if (sending == bench::SendState::kFailed) {
        End(i, std::string("send: ") + std::strerror(errno));
        return;
      }
      s.phase = Stream::Phase::kReading;
      bench::EpollWatch(epoll_, EPOLL_CTL_MOD, s.fd, EPOLLIN | EPOLLRDHUP, i);
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
    const Stream& s = streams_[i];
    std::string error = bench::ResponseError(s.reader);
    if (error.empty() && o_.expect_events > 0 && s.events != o_.expect_events) {
      error = "wrong event count (got " + std::to_string(s.events) + ")";
    }
    End(i, error);
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
  bench::RaiseOpenFileLimit();
  return Runner(std::move(options)).Run();
}
