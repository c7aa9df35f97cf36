#include "gempool/metrics/process_metrics.h"

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::metrics {
namespace {

using ::testing::ContainsRegex;

TEST(ParseProcStatTest, ReadsFieldsAfterACommandNameWithSpacesAndParens) {
  // pid (comm) state, then fields 4..; utime=14 stime=15 threads=20 start=22 vsize=23 rss=24.
  const std::string line =
      "1234 (my (odd) cmd) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 1000 104857600 2560 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
  absl::StatusOr<ProcStat> stat = ParseProcStat(line, 100, 4096);
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_DOUBLE_EQ(stat->cpu_seconds, 3.0);
  EXPECT_EQ(stat->threads, 7);
  EXPECT_DOUBLE_EQ(stat->start_seconds_after_boot, 10.0);
  EXPECT_EQ(stat->virtual_bytes, 104857600u);
  EXPECT_EQ(stat->resident_bytes, 2560u * 4096u);
}

TEST(ParseProcStatTest, RefusesGarbage) {
  EXPECT_FALSE(ParseProcStat("no parens here", 100, 4096).ok());
  EXPECT_FALSE(ParseProcStat("1 (x) S 1 2", 100, 4096).ok());
}

TEST(ParseBootTimeTest, FindsBtime) {
  EXPECT_EQ(*ParseBootTime("cpu  1 2 3\nbtime 1700000000\nprocesses 5\n"), 1700000000);
  EXPECT_FALSE(ParseBootTime("cpu 1\n").ok());
}

TEST(ProcessMetricsTest, ReportsThisProcess) {
  Registry registry;
  AddProcessMetrics(registry);
  const std::string text = registry.Render();
  EXPECT_THAT(text, ContainsRegex("\nprocess_resident_memory_bytes [1-9][0-9]*\n"));
  EXPECT_THAT(text, ContainsRegex("\nprocess_virtual_memory_bytes [1-9][0-9]*\n"));
  EXPECT_THAT(text, ContainsRegex("\nprocess_threads [1-9][0-9]*\n"));
  EXPECT_THAT(text, ContainsRegex("\nprocess_open_fds [1-9][0-9]*\n"));
  EXPECT_THAT(text, ContainsRegex("\nprocess_max_fds [1-9][0-9]*\n"));
  EXPECT_THAT(text, ContainsRegex("\nprocess_cpu_seconds_total [0-9.e+-]+\n"));
  EXPECT_THAT(text, ContainsRegex("\nprocess_start_time_seconds 1[0-9]{9}"));
}

}  // namespace
}  // namespace gempool::metrics
