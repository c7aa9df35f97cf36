#pragma once
// Returning freed memory to the operating system. glibc keeps freed heap
// pages resident (and spread over per-thread arenas) until asked; a process
// that just dropped a large temporary (parsing 100,000 keys, installing a
// pool snapshot, the buffers of thousands of finished streams) calls this
// so that its resident size follows what it holds. Thread-safe; costs a walk
// over the heap (milliseconds), so call it after big releases, not per call.

#include <chrono>
#include <optional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "gempool/common/mutex.h"

namespace gempool {

// Gives free heap pages back to the OS (malloc_trim on glibc; nothing
// elsewhere).
void ReleaseFreeMemory();

// Caps glibc's heap arenas at `arenas` (<= 0: one per core, at least two);
// glibc's default is eight per core, and it trims each arena only down to its
// live top. Call it first in main(), before any thread starts; nothing
// outside glibc.
// - The key broker uses one arena, so that ReleaseFreeMemory gives back what
//   loading 100,000 keys used (10 MB freed by a loader thread stayed resident
//   in its own arena); it is off the request path, so malloc's lock costs
//   nothing there.
// - The gateway does not call it: with one arena per core its connection
//   threads queued on the arena locks (OpenAI chat at concurrency 64: 25%
//   more CPU per call), and since threads give their stacks and heaps back
//   (ReleaseUnusedStack, DeferredMemoryRelease) glibc's default arenas cost
//   nothing measurable: 2,000 streams peak at 174 MiB either way.
// glibc's own MALLOC_ARENA_MAX, when set, wins over this call.
void LimitHeapArenas(int arenas);

// Fixes glibc's trim threshold at 128 KiB (its initial value). glibc raises
// it, with its mmap threshold, each time a large block is freed (up to
// 64 MiB), and gives the free top of a thread's arena back to the OS only
// above it; malloc_trim does not trim those tops. With a thread per open
// stream and glibc's default arenas, the gateway stayed at 43-54 MiB after
// 2,000 streams (idle 29); with this, 35. Call it first in main(), with
// LimitHeapArenas if any; glibc's own MALLOC_TRIM_THRESHOLD_, when set,
// wins. Nothing outside glibc.
void KeepHeapTrimmed();

// Gives back the pages of the calling thread's stack below the current frame
// (less a margin for the calls it makes next), for a thread about to wait a
// long time at a shallow depth after deep work. A gateway connection thread
// that routed a request through httplib's std::regex (~22 KiB of recursion
// for a 56-character path) and then parks for a whole stream would keep
// those pages resident for nothing: 2,000 streams, 44 MB. The pages come
// back zeroed if touched again. Linux/glibc only; elsewhere nothing.
void ReleaseUnusedStack();

// Calls ReleaseFreeMemory on a thread of its own `delay` after the last
// Request, once per burst of requests. For releases that happen as threads
// exit: a thread that has just counted itself out still returns its cached
// allocations to the heap afterwards, so trimming at once, on the last
// exiting thread, missed most of a burst (measured: 121 MiB resident after
// 2,000 streams, 66 MiB after a later trim). Thread-safe.
class DeferredMemoryRelease {
 public:
  explicit DeferredMemoryRelease(std::chrono::milliseconds delay = std::chrono::milliseconds(500));
  DeferredMemoryRelease(const DeferredMemoryRelease&) = delete;
  DeferredMemoryRelease& operator=(const DeferredMemoryRelease&) = delete;
  ~DeferredMemoryRelease();

  void Request() ABSL_LOCKS_EXCLUDED(mu_);
  // Releases done so far.
  int releases() const ABSL_LOCKS_EXCLUDED(mu_);
  // Whether a release is due or running. Once false, releases() stays as it
  // is until the next Request (how a test shows a burst gave only one).
  bool pending() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  const std::chrono::milliseconds delay_;
  mutable Mutex mu_;
  CondVar changed_;  // Signalled when due_ or stopping_ changes.
  std::optional<std::chrono::steady_clock::time_point> due_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool releasing_ ABSL_GUARDED_BY(mu_) = false;
  int releases_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;  // Last: starts after the members it uses.
};

}  // namespace gempool
