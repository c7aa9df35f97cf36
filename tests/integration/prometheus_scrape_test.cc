// A real Prometheus (Debian's package) scrapes a running gateway's
// GATEWAY_METRICS_LISTEN every second; after N calls, its HTTP API
// (/api/v1/query) reads the request counter back as N.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "gempool/testing/subprocess.h"
#include "gempool/testing/prometheus_text.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::gempool::testing::FindProgram;

constexpr int kPrometheusStartMs = 30000;
constexpr int kQueryDeadlineMs = 30000;

class PrometheusScrapeTest : public StackTest {
 protected:
  void TearDown() override {
    if (prometheus_.has_value()) {
      if (HasFailure()) std::cerr << "==== prometheus ====\n" << prometheus_->Output() << "\n";
      prometheus_->Stop();
    }
    StackTest::TearDown();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // The value of `query` (an instant vector with one sample); nullopt when
  // Prometheus does not answer or has no sample yet.
  std::optional<double> Query(const std::string& query) {
    httplib::Client client("127.0.0.1", prometheus_port_);
    client.set_read_timeout(5, 0);
    httplib::Result result = client.Get("/api/v1/query", httplib::Params{{"query", query}}, httplib::Headers{});
    if (!result || result->status != 200) return std::nullopt;
    const json answer = json::parse(result->body, nullptr, /*allow_exceptions=*/false);
    if (!answer.is_object() || answer.value("status", "") != "success") return std::nullopt;
    const json& samples = answer["data"]["result"];
    if (!samples.is_array() || samples.size() != 1) return std::nullopt;
    return std::strtod(samples[0]["value"][1].get<std::string>().c_str(), nullptr);
  }

  std::optional<gempool::testing::Subprocess> prometheus_;
  int prometheus_port_ = 0;
  std::string dir_;
};

TEST_F(PrometheusScrapeTest, PrometheusReadsTheRequestCounterBack) {
  const std::string binary = FindProgram("prometheus");
  ASSERT_FALSE(binary.empty()) << "prometheus is not installed: Debian's prometheus package "
                                  "(scripts/install-deps.sh --test, or apt-get install prometheus)";
  const int metrics_port = testing::FreePort();
  StackOptions options;
  options.extra_env = {{"GATEWAY_METRICS_LISTEN", absl::StrCat("127.0.0.1:", metrics_port)}};
  ASSERT_NO_FATAL_FAILURE(StartStack(options));

  char dir_template[] = "/tmp/gempool_prometheus_XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  dir_ = dir_template;
  const std::string config = dir_ + "/prometheus.yml";
  std::ofstream(config) << "global:\n"
                        << "  scrape_interval: 1s\n"
                        << "  evaluation_interval: 1s\n"
                        << "scrape_configs:\n"
                        << "  - job_name: gempool-gateway\n"
                        << "    static_configs:\n"
                        << "      - targets: ['127.0.0.1:" << metrics_port << "']\n";
  prometheus_port_ = testing::FreePort();
  absl::StatusOr<gempool::testing::Subprocess> started = gempool::testing::Subprocess::Start(
      {binary, "--config.file=" + config, "--storage.tsdb.path=" + dir_ + "/data",
       absl::StrCat("--web.listen-address=127.0.0.1:", prometheus_port_)},
      {}, dir_ + "/work", dir_ + "/prometheus.log");
  ASSERT_TRUE(started.ok()) << started.status();
  prometheus_ = *std::move(started);
  // Up once its own target is: the gateway's metrics were scraped.
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] { return Query("up{job=\"gempool-gateway\"}") == std::optional<double>(1); }, kPrometheusStartMs))
      << "prometheus did not scrape the gateway within " << kPrometheusStartMs << " ms";

  constexpr int kCalls = 6;
  for (int i = 0; i < kCalls; ++i) {
    auto r = Generate();
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  std::optional<double> counted;
  gempool::testing::WaitFor(
      [&] {
        counted = Query("sum(gempool_gateway_requests_total{job=\"gempool-gateway\"})");
        return counted == std::optional<double>(kCalls);
      },
      kQueryDeadlineMs);
  ASSERT_TRUE(counted.has_value()) << "prometheus has no gempool_gateway_requests_total";
  EXPECT_EQ(*counted, kCalls);
  // The histograms came through too.
  EXPECT_EQ(Query("sum(gempool_gateway_request_duration_seconds_count)"), std::optional<double>(kCalls));
}

}  // namespace
}  // namespace gempool::integration
