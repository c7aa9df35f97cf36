#pragma once
// Prometheus text from the tests: `promtool check metrics` (Debian's
// prometheus package) on a scrape, a sample's value, and where a program is
// on PATH. Used by libs/metrics' tests, the gateway's and the integration
// tests. Not thread-safe.

#include <string>

#include "absl/status/status.h"

namespace gempool::testing {

// The absolute path of `program` on PATH; "" when it is not installed.
std::string FindProgram(const std::string& program);

// Pipes `text` into `promtool check metrics`: OK, or what promtool said
// (FailedPrecondition when promtool is not installed: it comes with
// Debian's prometheus package, which scripts/install-deps.sh --test installs).
absl::Status PromtoolCheckMetrics(const std::string& text);

// The value of the sample whose name and labels are exactly `series` (as
// written in the scrape, e.g. `x_total{a="b"}`); -1 when absent (compare
// sums of doubles with a tolerance).
double SampleValue(const std::string& scrape, const std::string& series);
// The sum of every sample of metric `name` (any labels).
double SumOf(const std::string& scrape, const std::string& name);

}  // namespace gempool::testing
