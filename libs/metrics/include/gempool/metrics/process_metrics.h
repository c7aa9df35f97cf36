#pragma once
// The process's own metrics, read from /proc/self at each scrape under the
// names Prometheus' client libraries use: process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes,
// process_threads, process_open_fds, process_max_fds,
// process_start_time_seconds. Linux only. Thread-safe.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/metrics/registry.h"

namespace gempool::metrics {

// What /proc/self/stat says, in units.
struct ProcStat {
  double cpu_seconds = 0;          // utime + stime.
  double start_seconds_after_boot = 0;
  uint64_t virtual_bytes = 0;
  uint64_t resident_bytes = 0;
  int64_t threads = 0;
};

// Parses the line of /proc/<pid>/stat (the command name may hold spaces
// and parentheses); `ticks_per_second` is sysconf(_SC_CLK_TCK).
absl::StatusOr<ProcStat> ParseProcStat(absl::string_view line, int64_t ticks_per_second, int64_t page_size);
// The boot time (Unix seconds) from /proc/stat's "btime" line.
absl::StatusOr<int64_t> ParseBootTime(absl::string_view proc_stat);

// Registers the process_* metrics in `registry`.
void AddProcessMetrics(Registry& registry);

}  // namespace gempool::metrics
