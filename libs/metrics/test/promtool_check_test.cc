// Pipes real output of the registry (every kind of metric, escaped label
// values, the "other" bucket, the process metrics) into `promtool check
// metrics` from Debian's prometheus package: the format and Prometheus'
// naming lints, as Prometheus itself reads them.

#include <string>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "gempool/metrics/grpc_server_metrics.h"
#include "gempool/metrics/process_metrics.h"
#include "gempool/metrics/registry.h"
#include "gempool/testing/prometheus_text.h"

namespace gempool::metrics {
namespace {

TEST(PromtoolCheckTest, RegistryOutputPassesPromtool) {
  Registry registry;
  Family<Counter>& requests = registry.AddCounter("gempool_test_requests_total", "Requests by \"route\".\nTwo lines.",
                                                  {"route", "status", "model"}, FamilyOptions{2, 2});
  requests.With({"generateContent", "200", "gemini-2.5-flash"}).Increment(5);
  requests.With({"chat.completions", "429", "we\"ird\\mo\ndel"}).Increment();
  requests.With({"chat.completions", "200", "bad utf8 \xff"}).Increment();
  requests.With({"chat.completions", "200", "past the bound"}).Increment();
  registry.AddGauge("gempool_test_streams_open", "Streams open.").Get().Set(3);
  Family<Histogram>& latency =
      registry.AddHistogram("gempool_test_request_duration_seconds", "Latency.", {"stream"}, LatencyBuckets());
  latency.With({"false"}).Observe(0.042);
  latency.With({"true"}).Observe(12);
  registry.AddCallback(MetricType::kGauge, "gempool_test_keys", "Keys by state.", {"pool", "state"},
                       [] { return std::vector<Sample>{{{"gemini", "active"}, 10}, {{"gemini", "cooling"}, 1}}; });
  GrpcServerMetrics grpc_metrics(registry);
  grpc_metrics.Handled("/gempool.v1.KeyBroker/WatchKeys", grpc::StatusCode::CANCELLED);
  AddProcessMetrics(registry);

  const std::string text = registry.Render();
  const absl::Status checked = testing::PromtoolCheckMetrics(text);
  EXPECT_TRUE(checked.ok()) << checked << "\nof:\n" << text;
}

// The check is not vacuous: promtool refuses what breaks the format.
TEST(PromtoolCheckTest, PromtoolRefusesBrokenOutput) {
  const absl::Status checked =
      testing::PromtoolCheckMetrics("# TYPE x_total counter\nx_total{model=\"unterminated} 1\n");
  // Refused by promtool, not for want of it (FailedPrecondition).
  EXPECT_EQ(checked.code(), absl::StatusCode::kInvalidArgument) << checked;
}

}  // namespace
}  // namespace gempool::metrics
