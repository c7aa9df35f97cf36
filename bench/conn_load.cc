// conn_load: the benchmark's load program for the cases about many open
// connections. One thread, epoll, raw non-blocking sockets to a loopback
// address. Two modes:
//
//   --mode slowloris: --connections N connections (from --host's side, i.e.
//     127.0.0.1) that each send a request line, then one header line every
//     --line-interval-ms, never ending the head, until the server closes them
//     or --hold-s after they connected. Meanwhile --honest-clients C clients
//     make complete calls (POST --path with --body-file and --header, a new
//     connection each, Connection: close, --honest-interval-ms between one
//     client's calls) from --honest-host (127.0.0.2: another source address).
//     Reports when the server closed each trickling connection (time since
//     it connected), and the honest calls' latency (connect to last byte) and
//     errors (no answer within --call-timeout-s is an error).
//   --mode idle: --connections N keep-alive connections that each send one
//     complete GET --idle-path (with the --header lines), read the answer
//     and then stay open, idle, --hold-s after the last one was answered (or
//     failed). Reports how many were answered, and how many were still open
//     at the start and the end of the hold.
//
// With --watch-pid P it samples P's VmRSS and Threads (/proc/P/status) every
// 100 ms: before the first connection, the peak, at the start of the hold
// (idle: every connection answered; slowloris: every trickling connection
// connected) and at the end.
//
// Every loop is bounded: connections not started --ramp-timeout-s after the
// start are not started, connecting gives up after --connect-timeout-s, and
// the run ends at --timeout-s whatever happens. Prints one JSON object on
// stdout.
//
//   conn_load --mode slowloris --port 8080 --connections 5000 --hold-s 15
//             --path '/v1beta/models/m:generateContent' --header 'x-goog-api-key: K'
//             --body-file body.json --honest-clients 4 --watch-pid 1234
//   conn_load --mode idle --port 8080 --connections 10000 --hold-s 10 --watch-pid 1234
//
// Not thread-safe (one thread owns everything).

#include <netinet/in.h>
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
#include <functional>
#include <iostream>
#include <map>
#include <queue>
#include <sstream>
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

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

struct Options {
  bool slowloris = true;  // --mode slowloris | idle
  // --host and --port for every connection; --header for the honest calls
  // and idle requests; --path and --body-file for the honest calls.
  bench::CallOptions call;
  int connections = 0;
  int max_connecting = 256;
  int connect_timeout_s = 5;
  int ramp_timeout_s = 15;
  int hold_s = -1;  // Default per mode: slowloris 15, idle 10.
  int timeout_s = 120;
  // slowloris
  int line_interval_ms = 1000;
  std::string trickle_path = "/v1beta/models";
  int honest_clients = 4;
  std::string honest_host = "127.0.0.2";
  int honest_interval_ms = 50;
  int call_timeout_s = 5;
  // idle
  std::string idle_path = "/health";
  int response_timeout_s = 20;
  int watch_pid = 0;
  std::string label;
};

constexpr bench::CommandLine kCommandLine(
    "conn_load",
    "usage: conn_load --mode slowloris|idle --port N --connections N [--host 127.0.0.1]\n"
    "                 [--max-connecting M] [--connect-timeout-s S] [--ramp-timeout-s S] [--hold-s S]\n"
    "                 [--timeout-s S] [--watch-pid PID] [--label L]\n"
    "  slowloris: [--line-interval-ms MS] [--trickle-path P] [--honest-clients C]\n"
    "             [--honest-host 127.0.0.2] --path P [--header 'Name: value']... [--body-file F]\n"
    "             [--honest-interval-ms MS] [--call-timeout-s S]\n"
    "  idle:      [--idle-path /health] [--header 'Name: value']... [--response-timeout-s S]\n"
    "Loopback hosts only. Prints one JSON object on stdout.\n");

Options ParseArgs(int argc, char** argv) {
  const bench::CommandLine& cli = kCommandLine;
  Options o;
  bool have_mode = false;
  cli.ForEachOption(argc, argv, [&](const std::string& arg, const std::string& value) {
    if (cli.ParseCallOption(arg, value, o.call)) return true;  // --host, --port, --path, --header, --body-file
    if (arg == "--mode") {
      if (value != "slowloris" && value != "idle") cli.Die("--mode must be slowloris or idle");
      o.slowloris = value == "slowloris";
      have_mode = true;
    } else if (arg == "--connections") {
      o.connections = cli.ParseInt(arg, value, 1, 60000);
    } else if (arg == "--max-connecting") {
      o.max_connecting = cli.ParseInt(arg, value, 1, 60000);
    } else if (arg == "--connect-timeout-s") {
      o.connect_timeout_s = cli.ParseInt(arg, value, 1, 600);
    } else if (arg == "--ramp-timeout-s") {
      o.ramp_timeout_s = cli.ParseInt(arg, value, 1, 600);
    } else if (arg == "--hold-s") {
      o.hold_s = cli.ParseInt(arg, value, 0, 600);
    } else if (arg == "--timeout-s") {
      o.timeout_s = cli.ParseInt(arg, value, 1, 3600);
    } else if (arg == "--line-interval-ms") {
      o.line_interval_ms = cli.ParseInt(arg, value, 10, 60000);
    } else if (arg == "--trickle-path") {
      o.trickle_path = value;
    } else if (arg == "--honest-clients") {
      o.honest_clients = cli.ParseInt(arg, value, 0, 1000);
    } else if (arg == "--honest-host") {
      o.honest_host = value;
    } else if (arg == "--honest-interval-ms") {
      o.honest_interval_ms = cli.ParseInt(arg, value, 0, 60000);
    } else if (arg == "--call-timeout-s") {
      o.call_timeout_s = cli.ParseInt(arg, value, 1, 600);
    } else if (arg == "--idle-path") {
      o.idle_path = value;
    } else if (arg == "--response-timeout-s") {
      o.response_timeout_s = cli.ParseInt(arg, value, 1, 600);
    } else if (arg == "--watch-pid") {
      o.watch_pid = cli.ParseInt(arg, value, 1, 1 << 30);
    } else if (arg == "--label") {
      o.label = value;
    } else {
      return false;
    }
    return true;
  });
  if (!have_mode) cli.Die("--mode is required");
  if (o.call.port == 0) cli.Die("--port is required");
  if (o.connections == 0) cli.Die("--connections is required");
  cli.RequireLoopback("--host", o.call.host);
  cli.RequireLoopback("--honest-host", o.honest_host);
  if (o.trickle_path.empty() || o.trickle_path[0] != '/') cli.Die("--trickle-path must start with /");
  if (o.idle_path.empty() || o.idle_path[0] != '/') cli.Die("--idle-path must start with /");
  if (o.slowloris && o.honest_clients > 0 && (o.call.path.empty() || o.call.path[0] != '/')) {
    cli.Die("--path (starting with /) is required for the honest calls");
  }
  if (o.hold_s < 0) o.hold_s = o.slowloris ? 15 : 10;
  return o;
}

// VmRSS and Threads of a process, from /proc/PID/status.
struct ProcSample {
  int64_t rss_kb = -1;
  int threads = -1;
  bool valid() const { return rss_kb >= 0 && threads >= 0; }
};

ProcSample ReadProc(int pid) {
  ProcSample s;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  // Bounded by the file's ~60 lines.
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kb = std::atoll(line.c_str() + 6);
    if (line.rfind("Threads:", 0) == 0) s.threads = std::atoi(line.c_str() + 8);
  }
  return s;
}

std::string SampleJson(const ProcSample& s) {
  if (!s.valid()) return "null";
  return "{\"rss_kb\":" + std::to_string(s.rss_kb) + ",\"threads\":" + std::to_string(s.threads) + "}";
}

struct Conn {
  enum class Kind { kTrickle, kIdle, kHonest };
  enum class Phase { kFree, kConnecting, kSending, kOpen, kDone };
  Kind kind = Kind::kTrickle;
  Phase phase = Phase::kFree;
  int fd = -1;
  uint32_t generation = 0;  // Honest slots are reused; a timer of an older call is stale.
  int64_t started_us = 0;
  int64_t connected_us = 0;
  int64_t answered_us = 0;  // idle: when the answer was complete.
  size_t sent = 0;          // Bytes of the request sent (idle, honest).
  int lines = 0;            // Lines sent (trickle).
  bool answered = false;    // idle: got a complete 200.
  std::string first_bytes;  // trickle: what the server wrote, if anything (e.g. a 408).
  ResponseReader reader;
};

struct Timer {
  int64_t at_us;
  uint32_t index;
  uint32_t generation;
  bool operator>(const Timer& other) const { return at_us > other.at_us; }
};

class Runner {
 public:
  explicit Runner(Options options) : o_(std::move(options)) {
    if (!bench::Ipv4Address(o_.call.host, o_.call.port, addr_)) kCommandLine.Die("bad --host " + o_.call.host);
    if (!bench::Ipv4Address(o_.honest_host, 0, honest_source_)) {
      kCommandLine.Die("bad --honest-host " + o_.honest_host);
    }
    const std::string host_header = "Host: " + o_.call.host + ":" + std::to_string(o_.call.port) + "\r\n";
    if (o_.slowloris) {
      request_ = bench::PostRequest(o_.call);
      trickle_first_ = "GET " + o_.trickle_path + " HTTP/1.1\r\n";
      trickle_host_ = host_header;
    } else {
      request_ = "GET " + o_.idle_path + " HTTP/1.1\r\n" + host_header;
      for (const std::string& h : o_.call.headers) request_ += h + "\r\n";
      request_ += "\r\n";
    }
    conns_.resize(static_cast<size_t>(o_.connections) + (o_.slowloris ? o_.honest_clients : 0));
    for (size_t i = 0; i < conns_.size(); ++i) {
      conns_[i].kind = i < static_cast<size_t>(o_.connections)
                           ? (o_.slowloris ? Conn::Kind::kTrickle : Conn::Kind::kIdle)
                           : Conn::Kind::kHonest;
    }
  }

  int Run() {
    epoll_ = epoll_create1(0);
    if (epoll_ < 0) kCommandLine.Die(std::string("epoll_create1: ") + std::strerror(errno));
    if (o_.watch_pid) {
      before_ = ReadProc(o_.watch_pid);
      peak_ = before_;
    }
    begin_ = NowUs();
    const int64_t deadline = begin_ + static_cast<int64_t>(o_.timeout_s) * 1000000;
    if (o_.slowloris) {
      for (size_t i = o_.connections; i < conns_.size(); ++i) StartHonest(i);
    }
    std::vector<epoll_event> ready(4096);
    int64_t next_scan = 0;
    int64_t next_sample = 0;
    // Bounded by the deadline.
    while (!finished_ && NowUs() < deadline) {
      StartMore();
      int wait_ms = 10;
      if (!timers_.empty()) {
        const int64_t until = timers_.top().at_us - NowUs();
        wait_ms = static_cast<int>(std::clamp<int64_t>(until / 1000, 0, 10));
      }
      const int n = epoll_wait(epoll_, ready.data(), static_cast<int>(ready.size()), wait_ms);
      if (n < 0 && errno != EINTR) kCommandLine.Die(std::string("epoll_wait: ") + std::strerror(errno));
      for (int k = 0; k < n; ++k) Handle(static_cast<size_t>(ready[k].data.u64), ready[k].events);
      RunTimers();
      const int64_t now = NowUs();
      if (now >= next_scan) {  // Timeouts, every 100 ms: O(connections) each.
        ScanTimeouts(now);
        next_scan = now + 100000;
      }
      if (o_.watch_pid && now >= next_sample) {
        Sample();
        next_sample = now + 100000;
      }
      Advance(now);
    }
    for (size_t i = 0; i < conns_.size(); ++i) {
      Conn& c = conns_[i];
      if (c.phase == Conn::Phase::kFree || c.phase == Conn::Phase::kDone) continue;
      if (c.kind == Conn::Kind::kHonest) {
        EndHonest(i, "timeout (run deadline)");
      } else {
        ++errors_["open at the run deadline"];
        Close(i);
      }
    }
    if (o_.watch_pid) {
      Sample();
      end_ = ReadProc(o_.watch_pid);
    }
    Print();
    close(epoll_);
    return 0;
  }

 private:
  // ------------------------------------------------------------ connecting
  bool Connect(size_t i, const sockaddr_in* source) {
    Conn& c = conns_[i];
    c.started_us = NowUs();
    c.phase = Conn::Phase::kConnecting;
    if (c.kind != Conn::Kind::kHonest) {
      ++connecting_;
      ++unsettled_;
    }
    c.fd = bench::OpenSocket();
    if (c.fd < 0) return Fail(i, std::string("socket: ") + std::strerror(errno));
    ++open_;
    max_open_ = std::max(max_open_, open_);
    if (source != nullptr) {
      // The port is chosen at connect() (per destination), not at bind().
      int one = 1;
      setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
      if (bind(c.fd, reinterpret_cast<const sockaddr*>(source), sizeof(*source)) != 0) {
        return Fail(i, std::string("bind: ") + std::strerror(errno));
      }
    }
    const std::string error = bench::StartConnect(epoll_, c.fd, addr_, i);
    if (!error.empty()) return Fail(i, error);
    return true;
  }

  // Starts trickling / idle connections, at most max_connecting handshakes at
  // once (a burst of thousands of SYNs would measure the listen backlog).
  void StartMore() {
    const int64_t now = NowUs();
    if (now - begin_ > static_cast<int64_t>(o_.ramp_timeout_s) * 1000000) {
      if (next_start_ < o_.connections) {
        not_started_ = o_.connections - next_start_;
        next_start_ = o_.connections;
      }
      return;
    }
    // Bounded by connections.
    while (next_start_ < o_.connections && connecting_ < o_.max_connecting) {
      Connect(static_cast<size_t>(next_start_++), nullptr);
    }
  }

  void StartHonest(size_t i) {
    Conn& c = conns_[i];
    c.sent = 0;
    c.reader = ResponseReader();
    ++c.generation;
    ++honest_started_;
    Connect(i, &honest_source_);
  }

  // --------------------------------------------------------------- events
  void Handle(size_t i, uint32_t events) {
    if (i >= conns_.size()) return;
    Conn& c = conns_[i];
    if (c.phase == Conn::Phase::kConnecting) {
      const int err = bench::SocketError(c.fd);
      if (err != 0) {
        Fail(i, std::string("connect: ") + std::strerror(err));
        return;
      }
      if ((events & EPOLLOUT) == 0) return;
      c.connected_us = NowUs();
      if (c.kind != Conn::Kind::kHonest) {
        --connecting_;
        ++connected_;
        connect_us_.push_back(c.connected_us - c.started_us);
      }
      if (c.kind == Conn::Kind::kTrickle) {
        c.phase = Conn::Phase::kOpen;
        ++open_conns_;
        Watch(i, EPOLLIN | EPOLLRDHUP);
        SendLine(i, trickle_first_);
        if (c.phase == Conn::Phase::kOpen) {
          timers_.push({c.connected_us + o_.line_interval_ms * 1000LL, static_cast<uint32_t>(i), c.generation});
        }
        return;
      }
      c.phase = Conn::Phase::kSending;
    }
    if (c.phase == Conn::Phase::kSending) {
      const bench::SendState sending = bench::SendRest(c.fd, request_, c.sent);
      if (sending == bench::SendState::kBlocked) return;
      if (sending == bench::SendState::kFailed) {
        Fail(i, std::string("send: ") + std::strerror(errno));
        return;
      }
      c.phase = Conn::Phase::kOpen;
      if (c.kind != Conn::Kind::kHonest) ++open_conns_;
      Watch(i, EPOLLIN | EPOLLRDHUP);
    }
    if (c.phase == Conn::Phase::kOpen) Read(i);
  }

  void Read(size_t i) {
    Conn& c = conns_[i];
    char buf[16384];
    // Bounded: at most 16 reads per wake-up; level-triggered epoll comes back.
    for (int reads = 0; reads < 16 && c.phase == Conn::Phase::kOpen; ++reads) {
      const ssize_t r = recv(c.fd, buf, sizeof(buf), 0);
      if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        PeerClosed(i, errno == ECONNRESET ? "reset" : std::string("recv: ") + std::strerror(errno));
        return;
      }
      if (r == 0) {
        c.reader.Eof();
        PeerClosed(i, "closed");
        return;
      }
      if (c.kind == Conn::Kind::kTrickle) {
        if (c.first_bytes.size() < 64) c.first_bytes.append(buf, std::min<size_t>(r, 64 - c.first_bytes.size()));
        continue;
      }
      if (c.kind == Conn::Kind::kIdle && c.answered) {
        ++idle_unexpected_bytes_;
        continue;
      }
      c.reader.Feed(buf, static_cast<size_t>(r), [](const char*, size_t) {});
      if (c.reader.state() == ResponseReader::State::kDone || c.reader.state() == ResponseReader::State::kBad) {
        Answered(i);
      }
    }
  }

  // A complete (or malformed) answer on an idle or honest connection.
  void Answered(size_t i) {
    Conn& c = conns_[i];
    const std::string error = bench::ResponseError(c.reader);
    if (c.kind == Conn::Kind::kHonest) {
      EndHonest(i, error);
      return;
    }
    if (!error.empty()) {
      Fail(i, error);
      return;
    }
    c.answered = true;
    --unsettled_;
    c.answered_us = NowUs();
    ++answered_;
    answer_us_.push_back(c.answered_us - c.connected_us);
  }

  // The server closed (or reset) connection i.
  void PeerClosed(size_t i, const std::string& how) {
    Conn& c = conns_[i];
    const int64_t now = NowUs();
    if (c.kind == Conn::Kind::kTrickle) {
      ++server_closed_[how];
      server_close_us_.push_back(now - c.connected_us);
      ++close_histogram_s_[static_cast<int>((now - c.connected_us) / 1000000)];
      if (!c.first_bytes.empty()) {
        const std::string status = c.first_bytes.rfind("HTTP/1.", 0) == 0 && c.first_bytes.size() >= 12
                                       ? c.first_bytes.substr(9, 3)
                                       : "not HTTP";
        ++close_answers_[status];
      }
      Close(i);
    } else if (c.kind == Conn::Kind::kIdle) {
      if (c.answered) {
        ++idle_closed_[how];
        idle_closed_after_us_.push_back(now - c.answered_us);
        if (hold_start_us_ != 0) ++idle_closed_during_hold_;
        Close(i);
      } else {
        Fail(i, "closed before the answer (" + how + ")");
      }
    } else {
      Answered(i);  // Connection: close: the end of a close-delimited answer, or an error.
    }
  }

  // ---------------------------------------------------------------- timers
  void RunTimers() {
    const int64_t now = NowUs();
    // Bounded: each iteration pops one timer; a trickle timer pushes one a
    // line interval later, so this ends when the earliest is in the future.
    while (!timers_.empty() && timers_.top().at_us <= now) {
      const Timer t = timers_.top();
      timers_.pop();
      Conn& c = conns_[t.index];
      if (c.generation != t.generation) continue;
      if (c.kind == Conn::Kind::kHonest) {
        if (c.phase == Conn::Phase::kFree && !stop_honest_) StartHonest(t.index);
        continue;
      }
      if (c.phase != Conn::Phase::kOpen) continue;
      if (now - c.connected_us >= static_cast<int64_t>(o_.hold_s) * 1000000) {
        ++held_to_end_;
        Close(t.index);
        continue;
      }
      char line[64];
      std::snprintf(line, sizeof(line), "X-Trickle-%d: %d\r\n", c.lines, c.lines);
      SendLine(t.index, c.lines == 1 ? trickle_host_ : std::string(line));
      if (c.phase == Conn::Phase::kOpen) {
        timers_.push({t.at_us + o_.line_interval_ms * 1000LL, t.index, t.generation});
      }
    }
  }

  void SendLine(size_t i, const std::string& line) {
    Conn& c = conns_[i];
    const ssize_t w = send(c.fd, line.data(), line.size(), MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        ++lines_blocked_;
        return;
      }
      PeerClosed(i, errno == EPIPE || errno == ECONNRESET ? "reset" : std::string("send: ") + std::strerror(errno));
      return;
    }
    ++c.lines;
    ++lines_sent_;
  }

  void ScanTimeouts(int64_t now) {
    const int64_t connect_limit = static_cast<int64_t>(o_.connect_timeout_s) * 1000000;
    const int64_t call_limit = static_cast<int64_t>(o_.call_timeout_s) * 1000000;
    const int64_t answer_limit = static_cast<int64_t>(o_.response_timeout_s) * 1000000;
    for (size_t i = 0; i < conns_.size(); ++i) {
      const Conn& c = conns_[i];
      if (c.phase == Conn::Phase::kFree || c.phase == Conn::Phase::kDone) continue;
      if (c.kind == Conn::Kind::kHonest) {
        if (now - c.started_us > call_limit) {
          EndHonest(i, c.phase == Conn::Phase::kConnecting ? "timeout: not connected" : "timeout: no answer");
        }
      } else if (c.phase == Conn::Phase::kConnecting && now - c.started_us > connect_limit) {
        Fail(i, "connect timeout");
      } else if (c.kind == Conn::Kind::kIdle && !c.answered && now - c.started_us > answer_limit) {
        Fail(i, "no answer in time");
      }
    }
  }

  // Moves the run through its phases: trickle/idle connections settled, the
  // hold, the end.
  void Advance(int64_t now) {
    const bool all_started = next_start_ >= o_.connections;
    if (o_.slowloris) {
      if (hold_start_us_ == 0 && all_started && connecting_ == 0) {
        hold_start_us_ = now;  // Every trickling connection connected (or failed).
        at_hold_ = o_.watch_pid ? ReadProc(o_.watch_pid) : ProcSample();
        open_at_hold_ = CountOpen();
      }
      if (!stop_honest_ && all_started && connecting_ == 0 && CountOpen() == 0) {
        stop_honest_ = true;  // Every trickling connection ended: the honest calls stop.
        trickle_end_us_ = now;
      }
      if (stop_honest_) {
        bool busy = false;
        for (size_t i = o_.connections; i < conns_.size(); ++i) {
          if (conns_[i].phase != Conn::Phase::kFree && conns_[i].phase != Conn::Phase::kDone) busy = true;
        }
        finished_ = !busy;
      }
      return;
    }
    if (hold_start_us_ == 0) {
      // Settled: every connection answered (and open) or failed.
      if (!all_started || unsettled_ > 0) return;
      hold_start_us_ = now;
      at_hold_ = o_.watch_pid ? ReadProc(o_.watch_pid) : ProcSample();
      open_at_hold_ = CountOpen();
    } else if (now - hold_start_us_ >= static_cast<int64_t>(o_.hold_s) * 1000000) {
      open_at_end_ = CountOpen();
      if (o_.watch_pid) end_ = ReadProc(o_.watch_pid);
      for (size_t i = 0; i < conns_.size(); ++i) {
        if (conns_[i].phase == Conn::Phase::kOpen) Close(i);
      }
      finished_ = true;
    }
  }

  // Trickling or idle connections open (connected, not closed).
  int CountOpen() const { return open_conns_; }

  void Sample() {
    const ProcSample s = ReadProc(o_.watch_pid);
    if (!s.valid()) return;
    ++samples_;
    if (!peak_.valid()) peak_ = s;
    peak_.rss_kb = std::max(peak_.rss_kb, s.rss_kb);
    peak_.threads = std::max(peak_.threads, s.threads);
  }

  // --------------------------------------------------------------- endings
  void Watch(size_t i, uint32_t events) { bench::EpollWatch(epoll_, EPOLL_CTL_MOD, conns_[i].fd, events, i); }

  void Close(size_t i) {
    Conn& c = conns_[i];
    if (c.kind != Conn::Kind::kHonest && c.phase != Conn::Phase::kDone) {
      if (c.phase == Conn::Phase::kConnecting) --connecting_;
      if (c.phase == Conn::Phase::kOpen) --open_conns_;
      if (!c.answered) --unsettled_;
    }
    if (c.fd >= 0) {
      epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
      close(c.fd);
      --open_;
      c.fd = -1;
    }
    c.phase = Conn::Phase::kDone;
  }

  // A trickling or idle connection failed (or an honest call: see EndHonest).
  bool Fail(size_t i, const std::string& error) {
    if (conns_[i].kind == Conn::Kind::kHonest) {
      EndHonest(i, error);
    } else {
      ++errors_[error];
      Close(i);
    }
    return false;
  }

  // Ends the current call of honest slot i; `error` empty means success.
  // The slot's next call starts --honest-interval-ms later.
  void EndHonest(size_t i, const std::string& error) {
    Conn& c = conns_[i];
    if (c.phase == Conn::Phase::kFree || c.phase == Conn::Phase::kDone) return;
    const int64_t now = NowUs();
    Close(i);
    c.phase = Conn::Phase::kFree;
    if (error.empty()) {
      ++honest_ok_;
      honest_us_.push_back(now - c.started_us);
      if (hold_start_us_ != 0 && c.started_us >= hold_start_us_ && server_close_us_.empty() && held_to_end_ == 0) {
        honest_all_open_us_.push_back(now - c.started_us);
      }
    } else {
      ++honest_errors_[error];
    }
    if (!stop_honest_) timers_.push({now + o_.honest_interval_ms * 1000LL, static_cast<uint32_t>(i), c.generation});
  }

  // ---------------------------------------------------------------- output
  void Print() {
    std::ostringstream out;
    int error_count = 0;
    for (const auto& [k, v] : errors_) error_count += v;
    const auto rel = [this](int64_t t) { return t == 0 ? -1 : t - begin_; };
    out << "{\"label\":\"" << JsonEscape(o_.label) << "\",\"mode\":\"" << (o_.slowloris ? "slowloris" : "idle")
        << "\",\"connections\":" << o_.connections << ",\"connected\":" << connected_
        << ",\"not_started\":" << not_started_ << ",\"errors\":" << MapJson(errors_)
        << ",\"error_count\":" << error_count << ",\"max_open\":" << max_open_
        << ",\"hold_s\":" << o_.hold_s << ",\"hold_start_us\":" << rel(hold_start_us_)
        << ",\"open_at_hold_start\":" << open_at_hold_ << ",\"elapsed_us\":" << NowUs() - begin_
        << ",\"connect_us\":" << Summary(connect_us_);
    if (o_.slowloris) {
      int closed = 0;
      for (const auto& [k, v] : server_closed_) closed += v;
      std::map<std::string, int> histogram;
      for (const auto& [s, n] : close_histogram_s_) histogram[std::to_string(s)] = n;
      int honest_errors = 0;
      for (const auto& [k, v] : honest_errors_) honest_errors += v;
      out << ",\"line_interval_ms\":" << o_.line_interval_ms << ",\"lines_sent\":" << lines_sent_
          << ",\"lines_blocked\":" << lines_blocked_ << ",\"closed_by_server\":" << closed
          << ",\"closed_by_server_how\":" << MapJson(server_closed_)
          << ",\"answers_before_close\":" << MapJson(close_answers_)
          << ",\"server_close_after_us\":" << Summary(server_close_us_)
          << ",\"server_close_histogram_s\":" << MapJson(histogram) << ",\"held_to_end\":" << held_to_end_
          << ",\"trickle_end_us\":" << rel(trickle_end_us_) << ",\"honest\":{\"clients\":" << o_.honest_clients
          << ",\"source\":\"" << JsonEscape(o_.honest_host) << "\",\"interval_ms\":" << o_.honest_interval_ms
          << ",\"call_timeout_s\":" << o_.call_timeout_s << ",\"calls\":" << honest_ok_ + honest_errors
          << ",\"ok\":" << honest_ok_ << ",\"errors\":" << MapJson(honest_errors_)
          << ",\"error_count\":" << honest_errors << ",\"latency_us\":" << Summary(honest_us_)
          << ",\"latency_all_open_us\":" << Summary(honest_all_open_us_) << "}";
    } else {
      int closed = 0;
      for (const auto& [k, v] : idle_closed_) closed += v;
      out << ",\"answered\":" << answered_ << ",\"answer_us\":" << Summary(answer_us_)
          << ",\"open_at_end\":" << open_at_end_ << ",\"closed_by_server\":" << closed
          << ",\"closed_by_server_during_hold\":" << idle_closed_during_hold_
          << ",\"closed_after_answer_us\":" << Summary(idle_closed_after_us_)
          << ",\"unexpected_bytes\":" << idle_unexpected_bytes_;
    }
    if (o_.watch_pid) {
      out << ",\"watch\":{\"pid\":" << o_.watch_pid << ",\"samples\":" << samples_
          << ",\"before\":" << SampleJson(before_) << ",\"at_hold_start\":" << SampleJson(at_hold_)
          << ",\"peak\":" << SampleJson(peak_) << ",\"end\":" << SampleJson(end_) << "}";
    }
    out << "}";
    std::cout << out.str() << std::endl;
  }

  const Options o_;
  std::string request_;
  std::string trickle_first_;
  std::string trickle_host_;
  sockaddr_in addr_{};
  sockaddr_in honest_source_{};
  int epoll_ = -1;
  std::vector<Conn> conns_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  int64_t begin_ = 0;
  bool finished_ = false;
  int next_start_ = 0;
  int not_started_ = 0;
  int connecting_ = 0;
  int connected_ = 0;
  int open_ = 0;        // File descriptors open.
  int open_conns_ = 0;  // Trickling or idle connections in kOpen.
  int unsettled_ = 0;   // Trickling or idle connections neither answered nor closed.
  int max_open_ = 0;
  int64_t hold_start_us_ = 0;
  int open_at_hold_ = -1;
  int open_at_end_ = -1;
  std::map<std::string, int> errors_;
  std::vector<int64_t> connect_us_;
  // slowloris
  int64_t lines_sent_ = 0;
  int64_t lines_blocked_ = 0;
  std::map<std::string, int> server_closed_;
  std::map<std::string, int> close_answers_;
  std::vector<int64_t> server_close_us_;
  std::map<int, int> close_histogram_s_;
  int held_to_end_ = 0;
  int64_t trickle_end_us_ = 0;
  bool stop_honest_ = false;
  int honest_started_ = 0;
  int honest_ok_ = 0;
  std::map<std::string, int> honest_errors_;
  std::vector<int64_t> honest_us_;
  std::vector<int64_t> honest_all_open_us_;
  // idle
  int answered_ = 0;
  std::vector<int64_t> answer_us_;
  std::map<std::string, int> idle_closed_;
  int idle_closed_during_hold_ = 0;
  std::vector<int64_t> idle_closed_after_us_;
  int idle_unexpected_bytes_ = 0;
  // --watch-pid
  int samples_ = 0;
  ProcSample before_, at_hold_, peak_, end_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options = ParseArgs(argc, argv);
  bench::RaiseOpenFileLimit();
  rlimit limit{};
  const size_t needed = static_cast<size_t>(options.connections) + static_cast<size_t>(options.honest_clients) + 16;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < needed) {
    kCommandLine.Die("RLIMIT_NOFILE is " + std::to_string(limit.rlim_cur) + ", " + std::to_string(needed) +
        " file descriptors are needed (raise the hard limit: ulimit -Hn)");
  }
  return Runner(std::move(options)).Run();
}
