#pragma once
// The gateway's event loop: one asio::io_context run by a small fixed set of
// threads (one per two cores by default). Client connections (http/) and upstream calls
// (upstream/) live on it as asynchronous state machines, so a connection or a
// stream costs memory for its buffers, never a thread. Code that blocks
// (gRPC to the broker, a media fetch, the admin UI) never runs on these
// threads: it goes to the worker pool (ElasticThreadPool).
//
// Thread-safe. Start() once; Stop() (or the destructor) ends the loop and
// joins its threads; work still queued is dropped.

#include <cstddef>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace gempool::gateway {

class EventLoop {
 public:
  // `threads` 0: one per two cores (at least 1). The gateway shares its
  // machine with the broker, persistence and usually the database, and every
  // hand-off between loop threads costs a wake-up: on two cores one loop
  // thread spent 71 µs of CPU per chat call against 98 µs with two, and
  // served 12% more calls (bench/ab.py, GATEWAY_IO_THREADS=1 vs 2).
  explicit EventLoop(size_t threads, std::string thread_name = "gw-io");
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  ~EventLoop();

  void Start();
  void Stop();

  boost::asio::io_context& context() { return context_; }
  boost::asio::io_context::executor_type executor() { return context_.get_executor(); }

 private:
  const size_t thread_count_;
  const std::string thread_name_;
  boost::asio::io_context context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  bool started_ = false;
};

}  // namespace gempool::gateway
