#pragma once
// The process's open-file limit. Each client connection and upstream call is
// a file descriptor, and the usual soft limit (1024) is far below what a
// gateway serves.

namespace gempool {

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the limit in
// force afterwards (the old one if raising failed).
long RaiseOpenFileLimit();

}  // namespace gempool
