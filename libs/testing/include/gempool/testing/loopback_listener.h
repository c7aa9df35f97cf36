#pragma once
// A TCP listener on 127.0.0.1 (a free port) for in-test servers and proxies:
// each accepted connection is served by `serve` on its own thread, and the
// socket is closed when `serve` returns. Sockets get 100 ms kernel timeouts,
// so every loop here notices Stop() quickly without anyone closing a socket
// under a thread that uses it. Header-only. Thread-safe: mu_ guards the list
// of serving threads (the accepting thread adds, Stop() takes them); the
// listening socket is the accepting thread's until Stop() has joined it.
//
// Also the blocking socket helpers those servers share (read, write, connect,
// and a two-way relay for proxies).

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "gempool/common/mutex.h"

namespace gempool::testing {

inline void SetSocketTimeouts(int fd) {
  timeval tv{};
  tv.tv_usec = 100 * 1000;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

inline bool TimedOut() { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR; }

// Reads what is there (waiting for it): > 0 bytes, 0 at EOF, -1 on error or
// once `stopping` is set.
inline int ReadSome(int fd, char* data, size_t size, const std::atomic<bool>& stopping) {
  while (!stopping) {
    const ssize_t n = ::recv(fd, data, size, 0);
    if (n >= 0) return static_cast<int>(n);
    if (!TimedOut()) return -1;
  }
  return -1;
}

// Writes everything; false when the peer is gone or `stopping` is set. When
// the peer stops reading for `stall_ms` (the kernel buffers are full),
// `on_stall` runs once, and writing goes on.
inline bool WriteAll(int fd, absl::string_view data, const std::atomic<bool>& stopping,
                     const std::function<void()>& on_stall = nullptr, int stall_ms = 300) {
  int stalled_ms = 0;
  bool reported = false;
  while (!data.empty()) {
    if (stopping) return false;
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      stalled_ms = 0;
      continue;
    }
    if (n < 0 && !TimedOut()) return false;
    stalled_ms += 100;  // One SO_SNDTIMEO period passed without progress.
    if (!reported && on_stall && stalled_ms >= stall_ms) {
      reported = true;
      on_stall();
    }
  }
  return true;
}

// A blocking TCP connection to host:port with the timeouts above; -1 when it
// fails.
inline int ConnectTcp(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(found);
  if (fd >= 0) SetSocketTimeouts(fd);
  return fd;
}

// Copies bytes both ways between `a` and `b` until both directions have
// ended (an EOF is passed on as a half-close), either breaks, or `stopping`.
inline void Relay(int a, int b, const std::atomic<bool>& stopping) {
  bool a_open = true;  // Still reading from a.
  bool b_open = true;
  char buffer[16 * 1024];
  while ((a_open || b_open) && !stopping) {
    pollfd fds[2] = {{a, static_cast<short>(a_open ? POLLIN : 0), 0}, {b, static_cast<short>(b_open ? POLLIN : 0), 0}};
    if (::poll(fds, 2, 100) < 0 && errno != EINTR) return;
    for (int i = 0; i < 2; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const int from = i == 0 ? a : b;
      const int to = i == 0 ? b : a;
      const ssize_t n = ::recv(from, buffer, sizeof(buffer), MSG_DONTWAIT);
      if (n < 0 && TimedOut()) continue;
      if (n < 0) return;  // Reset: the caller closes both, which passes it on.
      if (n == 0) {
        (i == 0 ? a_open : b_open) = false;
        ::shutdown(to, SHUT_WR);
        continue;
      }
      if (!WriteAll(to, absl::string_view(buffer, static_cast<size_t>(n)), stopping)) return;
    }
  }
}

class LoopbackListener {
 public:
  using Serve = std::function<void(int fd)>;

  explicit LoopbackListener(Serve serve) : serve_(std::move(serve)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd_, 64) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;
  ~LoopbackListener() { Stop(); }

  // 0 when the listener could not be set up.
  int port() const { return port_; }
  // Connections accepted so far.
  int accepted() const { return accepted_; }
  const std::atomic<bool>& stopping() const { return stopping_; }

  // Stops accepting, makes every serving thread give up, and joins them all.
  // Idempotent. Owners whose `serve` uses their members call it first thing
  // in their destructor.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_) {
    stopping_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    std::vector<std::thread> workers;
    {
      MutexLock lock(&mu_);
      workers.swap(workers_);
    }
    for (std::thread& t : workers) t.join();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  void AcceptLoop() ABSL_LOCKS_EXCLUDED(mu_) {
    while (!stopping_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      SetSocketTimeouts(client);
      ++accepted_;
      MutexLock lock(&mu_);
      workers_.emplace_back([this, client] {
        serve_(client);
        ::close(client);
      });
    }
  }

  Serve serve_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  Mutex mu_;
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::testing
