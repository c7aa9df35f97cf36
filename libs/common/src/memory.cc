#include "gempool/common/memory.h"

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#include <chrono>
#include <cstdint>

#include "absl/time/time.h"

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
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  changed_.SignalAll();
  thread_.join();
}

void DeferredMemoryRelease::Request() {
  {
    MutexLock lock(&mu_);
    due_ = std::chrono::steady_clock::now() + delay_;
  }
  changed_.SignalAll();
}

int DeferredMemoryRelease::releases() const {
  MutexLock lock(&mu_);
  return releases_;
}

bool DeferredMemoryRelease::pending() const {
  MutexLock lock(&mu_);
  return due_.has_value() || releasing_;
}

void DeferredMemoryRelease::Run() {
  MutexLock lock(&mu_);
  while (!stopping_) {
    if (!due_) {
      while (!stopping_ && !due_.has_value()) changed_.Wait(&mu_);
      continue;
    }
    // A later Request moves the deadline; wake for it and wait again.
    const auto due = *due_;
    // Until `due` on the steady clock (the time left is measured again after
    // each wake-up, so a wall-clock jump does not move it).
    while (!stopping_ && due_ && *due_ == due) {
      const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(due - std::chrono::steady_clock::now());
      if (changed_.WaitWithTimeout(&mu_, absl::FromChrono(left))) break;
    }
    if (stopping_ || !due_ || *due_ != due) continue;
    due_.reset();
    releasing_ = true;
    mu_.Unlock();
    ReleaseFreeMemory();
    mu_.Lock();
    releasing_ = false;
    ++releases_;
  }
}

}  // namespace gempool
