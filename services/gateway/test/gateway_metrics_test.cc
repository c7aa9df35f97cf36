// GatewayMetrics as the request log writer and the forwarder feed it: the
// request counter by route, status and model (bounded), the latency
// histograms (total and added), attempts by outcome, the log-write timing.
#include "metrics/gateway_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gempool/testing/prometheus_text.h"
#include "metrics/metrics_endpoint.h"
#include "metrics/timed_log_sink.h"

namespace gempool::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::RequestLogEntry Row(const std::string& operation, int status, const std::string& model, int64_t latency_ms,
                        int64_t upstream_ms, bool stream = false) {
  v1::RequestLogEntry entry;
  entry.set_operation(operation);
  entry.set_status_code(status);
  entry.set_model(model);
  entry.set_latency_ms(latency_ms);
  entry.set_upstream_ms(upstream_ms);
  entry.set_stream(stream);
  return entry;
}

TEST(GatewayMetricsTest, CountsRequestsByRouteStatusAndModel) {
  metrics::Registry registry;
  GatewayMetrics metrics(registry);
  metrics.OnRequestFinished(Row("generateContent", 200, "gemini-2.5-flash", 120, 100));
  metrics.OnRequestFinished(Row("generateContent", 200, "gemini-2.5-flash", 40, 38));
  metrics.OnRequestFinished(Row("chat.completions", 429, "gemini-2.5-pro", 3, 0));
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("gempool_gateway_requests_total{route=\"generateContent\",status=\"200\","
                              "model=\"gemini-2.5-flash\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("gempool_gateway_requests_total{route=\"chat.completions\",status=\"429\","
                              "model=\"gemini-2.5-pro\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("gempool_gateway_request_duration_seconds_count{stream=\"false\"} 3\n"));
  // A sum of doubles: compared with a tolerance, not as text.
  EXPECT_NEAR(gempool::testing::SampleValue(text, "gempool_gateway_request_duration_seconds_sum{stream=\"false\"}"), 0.163, 1e-9);
  // Added: 20, 2 and 3 ms.
  EXPECT_THAT(text, HasSubstr("gempool_gateway_added_latency_seconds_bucket{stream=\"false\",le=\"0.001\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("gempool_gateway_added_latency_seconds_bucket{stream=\"false\",le=\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("gempool_gateway_added_latency_seconds_bucket{stream=\"false\",le=\"0.005\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("gempool_gateway_added_latency_seconds_bucket{stream=\"false\",le=\"0.025\"} 3\n"));
}

TEST(GatewayMetricsTest, StreamsHaveTheirOwnHistogramsAndAddedNeverGoesNegative) {
  metrics::Registry registry;
  GatewayMetrics metrics(registry);
  metrics.OnRequestFinished(Row("streamGenerateContent", 200, "m", 5000, 5003, /*stream=*/true));
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("gempool_gateway_request_duration_seconds_count{stream=\"true\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("gempool_gateway_added_latency_seconds_sum{stream=\"true\"} 0\n"));
}

TEST(GatewayMetricsTest, ModelsPastTheHundredthCountAsOther) {
  metrics::Registry registry;
  GatewayMetrics metrics(registry);
  for (int i = 0; i < 150; ++i) metrics.OnRequestFinished(Row("generateContent", 200, absl::StrCat("m", i), 1, 0));
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("model=\"m99\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("model=\"m100\"")));
  EXPECT_THAT(text, HasSubstr("gempool_gateway_requests_total{route=\"generateContent\",status=\"200\","
                              "model=\"other\"} 50\n"));
}

TEST(GatewayMetricsTest, AttemptsByOutcomeStartAtZero) {
  metrics::Registry registry;
  GatewayMetrics metrics(registry);
  metrics.OnAttempt(OutcomeKind::kRateLimited);
  metrics.OnAttempt(OutcomeKind::kSuccess);
  metrics.OnAttempt(OutcomeKind::kSuccess);
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("gempool_gateway_upstream_attempts_total{outcome=\"success\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("gempool_gateway_upstream_attempts_total{outcome=\"rate_limited\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("gempool_gateway_upstream_attempts_total{outcome=\"key_invalid\"} 0\n"));
}

TEST(GatewayMetricsTest, TimedLogSinkObservesEveryBatch) {
  class OkSink final : public LogSink {
   public:
    absl::Status WriteRequestLogs(absl::string_view /*sender*/,
                                  const std::vector<v1::RequestLogEntry>&) override { return absl::OkStatus(); }
    absl::Status WriteErrorLogs(absl::string_view /*sender*/, const std::vector<v1::ErrorLogEntry>&) override {
      return absl::UnavailableError("down");
    }
  } inner;
  metrics::Registry registry;
  GatewayMetrics metrics(registry);
  TimedLogSink sink(inner, metrics.request_log_write(), metrics.error_log_write());
  EXPECT_TRUE(sink.WriteRequestLogs("", {}).ok());
  EXPECT_FALSE(sink.WriteErrorLogs("", {}).ok());
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("gempool_gateway_log_write_duration_seconds_count{table=\"request\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("gempool_gateway_log_write_duration_seconds_count{table=\"error\"} 1\n"));
}

TEST(MetricsEndpointTest, NeedsTheMetricsTokenAsBearer) {
  metrics::Registry registry;
  registry.AddGauge("x_gauge", "X.").Get().Set(1);
  HttpRequest request;
  EXPECT_EQ(ServeMetrics(request, "secret", registry).status, 401);
  request.headers.emplace_back("Authorization", "Bearer wrong");
  EXPECT_EQ(ServeMetrics(request, "secret", registry).status, 401);
  request.headers.clear();
  request.headers.emplace_back("Authorization", "Bearer secret");
  HttpResponse ok = ServeMetrics(request, "secret", registry);
  EXPECT_EQ(ok.status, 200);
  EXPECT_THAT(ok.body, HasSubstr("x_gauge 1\n"));
  EXPECT_EQ(ServeMetrics(request, "", registry).status, 401) << "an empty token never matches";
}

}  // namespace
}  // namespace gempool::gateway
