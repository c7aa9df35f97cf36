#pragma once
// Returning freed memory to the operating system. glibc keeps freed heap
// pages resident (and spread over per-thread arenas) until asked; a process
// that just dropped a large temporary (parsing 100,000 keys, installing a
// pool snapshot, the buffers of thousands of finished streams) calls this
// so that its resident size follows what it holds. Thread-safe; costs a walk
// over the heap (milliseconds), so call it after big releases, not per call.

namespace gempool {

// Gives free heap pages back to the OS (malloc_trim on glibc; nothing
// elsewhere).
void ReleaseFreeMemory();

}  // namespace gempool
