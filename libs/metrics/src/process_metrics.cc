#include "gempool/metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace gempool::metrics {
namespace {

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<ProcStat> ReadSelfStat() {
  absl::StatusOr<ProcStat> stat =
      ParseProcStat(ReadFile("/proc/self/stat"), sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE));
  if (!stat.ok()) return std::nullopt;
  return *stat;
}

int64_t CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int64_t count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;  // The directory's own descriptor.
}

// A gauge or counter callback of one value read by `read` (none when it
// could not be read).
template <typename Read>
SampleFn One(Read read) {
  return [read]() -> std::vector<Sample> {
    const std::optional<double> value = read();
    if (!value.has_value()) return {};
    return {Sample{{}, *value}};
  };
}

}  // namespace

absl::StatusOr<ProcStat> ParseProcStat(absl::string_view line, int64_t ticks_per_second, int64_t page_size) {
  const size_t close = line.rfind(')');
  if (close == absl::string_view::npos || ticks_per_second <= 0) {
    return absl::InvalidArgumentError("not a /proc/<pid>/stat line");
  }
  // Fields from the third (state) on; field N is at N - 3.
  const std::vector<absl::string_view> fields =
      absl::StrSplit(absl::StripAsciiWhitespace(line.substr(close + 1)), ' ', absl::SkipEmpty());
  if (fields.size() < 22) return absl::InvalidArgumentError("a /proc/<pid>/stat line with too few fields");
  auto number = [&fields](size_t field, uint64_t* out) { return absl::SimpleAtoi(fields[field - 3], out); };
  uint64_t utime = 0, stime = 0, threads = 0, start = 0, vsize = 0, rss = 0;
  if (!number(14, &utime) || !number(15, &stime) || !number(20, &threads) || !number(22, &start) ||
      !number(23, &vsize) || !number(24, &rss)) {
    return absl::InvalidArgumentError("a /proc/<pid>/stat line with a field that is not a number");
  }
  ProcStat stat;
  const double ticks = static_cast<double>(ticks_per_second);
  stat.cpu_seconds = static_cast<double>(utime + stime) / ticks;
  stat.start_seconds_after_boot = static_cast<double>(start) / ticks;
  stat.virtual_bytes = vsize;
  stat.resident_bytes = rss * static_cast<uint64_t>(page_size);
  stat.threads = static_cast<int64_t>(threads);
  return stat;
}

absl::StatusOr<int64_t> ParseBootTime(absl::string_view proc_stat) {
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (!absl::ConsumePrefix(&line, "btime ")) continue;
    int64_t seconds = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &seconds)) return seconds;
  }
  return absl::NotFoundError("no btime line in /proc/stat");
}

void AddProcessMetrics(Registry& registry) {
  registry.AddCallback(MetricType::kCounter, "process_cpu_seconds_total",
                       "User and system CPU time spent in seconds.", {}, One([]() -> std::optional<double> {
                         const std::optional<ProcStat> stat = ReadSelfStat();
                         if (!stat.has_value()) return std::nullopt;
                         return stat->cpu_seconds;
                       }));
  registry.AddCallback(MetricType::kGauge, "process_resident_memory_bytes", "Resident memory size in bytes.", {},
                       One([]() -> std::optional<double> {
                         const std::optional<ProcStat> stat = ReadSelfStat();
                         if (!stat.has_value()) return std::nullopt;
                         return static_cast<double>(stat->resident_bytes);
                       }));
  registry.AddCallback(MetricType::kGauge, "process_virtual_memory_bytes", "Virtual memory size in bytes.", {},
                       One([]() -> std::optional<double> {
                         const std::optional<ProcStat> stat = ReadSelfStat();
                         if (!stat.has_value()) return std::nullopt;
                         return static_cast<double>(stat->virtual_bytes);
                       }));
  registry.AddCallback(MetricType::kGauge, "process_threads", "Number of OS threads in the process.", {},
                       One([]() -> std::optional<double> {
                         const std::optional<ProcStat> stat = ReadSelfStat();
                         if (!stat.has_value()) return std::nullopt;
                         return static_cast<double>(stat->threads);
                       }));
  registry.AddCallback(MetricType::kGauge, "process_open_fds", "Number of open file descriptors.", {},
                       One([]() -> std::optional<double> {
                         const int64_t fds = CountOpenFds();
                         if (fds < 0) return std::nullopt;
                         return static_cast<double>(fds);
                       }));
  registry.AddCallback(MetricType::kGauge, "process_max_fds", "Maximum number of open file descriptors.", {},
                       One([]() -> std::optional<double> {
                         rlimit limit{};
                         if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return std::nullopt;
                         return static_cast<double>(limit.rlim_cur);
                       }));
  // Read once: neither the boot time nor the start changes.
  std::optional<double> start;
  const std::optional<ProcStat> stat = ReadSelfStat();
  const absl::StatusOr<int64_t> boot = ParseBootTime(ReadFile("/proc/stat"));
  if (stat.has_value() && boot.ok()) start = static_cast<double>(*boot) + stat->start_seconds_after_boot;
  registry.AddCallback(MetricType::kGauge, "process_start_time_seconds",
                       "Start time of the process since unix epoch in seconds.", {},
                       One([start]() -> std::optional<double> { return start; }));
}

}  // namespace gempool::metrics
