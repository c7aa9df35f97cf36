#include "http/event_loop.h"

#include <algorithm>

#include "gempool/common/logging.h"
#include "gempool/common/thread_role.h"

namespace gempool::gateway {
namespace {

size_t ResolveThreads(size_t threads) {
  if (threads > 0) return threads;
  return std::max<size_t>(std::thread::hardware_concurrency() / 2, 1);
}

}  // namespace

EventLoop::EventLoop(size_t threads, std::string thread_name)
    : thread_count_(ResolveThreads(threads)),
      thread_name_(std::move(thread_name)),
      context_(static_cast<int>(thread_count_)),
      work_(boost::asio::make_work_guard(context_)) {}

EventLoop::~EventLoop() { Stop(); }

void EventLoop::Start() {
  if (started_) return;
  started_ = true;
  for (size_t i = 0; i < thread_count_; ++i) {
    threads_.emplace_back([this] {
      SetThreadName(thread_name_);
      for (;;) {
        try {
          context_.run();
          return;
        } catch (const std::exception& e) {
          // A handler threw: log it and keep the loop serving the rest.
          GEMPOOL_LOG(ERROR) << "event loop: unexpected exception: " << e.what();
        }
      }
    });
  }
}

void EventLoop::Stop() {
  work_.reset();
  context_.stop();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace gempool::gateway
