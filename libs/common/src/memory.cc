#include "gempool/common/memory.h"

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#include <cstdint>

namespace gempool {

void ReleaseFreeMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

void LimitHeapArenas(int arenas) {
#if defined(__GLIBC__)
  // glibc's own MALLOC_ARENA_MAX, when an operator sets it, wins.
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) return;
  if (arenas <= 0) {
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    arenas = static_cast<int>(cores > 2 ? cores : 2);
  }
  mallopt(M_ARENA_MAX, arenas);
#endif
}

void KeepHeapTrimmed() {
#if defined(__GLIBC__)
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") != nullptr) return;
  mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
}

void ReleaseUnusedStack() {
#if defined(__GLIBC__)
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* stack_low = nullptr;
  size_t stack_size = 0;
  const int got = pthread_attr_getstack(&attr, &stack_low, &stack_size);
  pthread_attr_destroy(&attr);
  if (got != 0 || stack_low == nullptr) return;
  // Kept below this frame for the calls the thread makes next (writing to a
  // socket, waiting on a condition variable), which would otherwise fault
  // the pages straight back in. Only memory depends on it: nothing below
  // the caller's frame is live.
  constexpr uintptr_t kMargin = 4 * 1024;
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  volatile char here = 0;
  const uintptr_t sp = reinterpret_cast<uintptr_t>(&here);
  const uintptr_t low = reinterpret_cast<uintptr_t>(stack_low);
  if (sp < low + kMargin + page || sp >= low + stack_size) return;  // Not on this stack, or no room.
  const uintptr_t begin = (low + page - 1) & ~(page - 1);
  const uintptr_t end = (sp - kMargin) & ~(page - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
#endif
}

DeferredMemoryRelease::DeferredMemoryRelease(std::chrono::milliseconds delay)
    : delay_(delay), thread_([this] { Run(); }) {}

DeferredMemoryRelease::~DeferredMemoryRelease() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void DeferredMemoryRelease::Request() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    due_ = std::chrono::steady_clock::now() + delay_;
  }
  changed_.notify_all();
}

int DeferredMemoryRelease::releases() const {
  std::lock_guard<std::mutex> lock(mu_);
  return releases_;
}

void DeferredMemoryRelease::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (!due_) {
      changed_.wait(lock, [this] { return stopping_ || due_.has_value(); });
      continue;
    }
    // A later Request moves the deadline; wake for it and wait again.
    const auto due = *due_;
    if (changed_.wait_until(lock, due, [this, due] { return stopping_ || !due_ || *due_ != due; })) continue;
    due_.reset();
    lock.unlock();
    ReleaseFreeMemory();
    lock.lock();
    ++releases_;
  }
}

}  // namespace gempool
