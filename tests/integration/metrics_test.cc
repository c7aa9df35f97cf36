// GET /metrics of all three services against a running stack: each scrape
// passes `promtool check metrics`, the gateway's public /metrics follows
// METRICS_TOKEN (401 without it, 200 with it, 404 when unset), and the
// request counter equals the calls made.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "gempool/testing/subprocess.h"
#include "gempool/testing/prometheus_text.h"
#include "integration/stack_test_base.h"

namespace gempool::integration {
namespace {

using ::testing::HasSubstr;
using ::gempool::testing::FindProgram;
using ::gempool::testing::PromtoolCheckMetrics;
using ::gempool::testing::SampleValue;
using ::gempool::testing::SumOf;

constexpr char kMetricsToken[] = "metrics-token-5d2b";
constexpr int kWaitMs = 10000;

class MetricsTest : public StackTest {
 protected:
  void StartWithMetrics() {
    gateway_metrics_port_ = testing::FreePort();
    keybroker_metrics_port_ = testing::FreePort();
    persistence_metrics_port_ = testing::FreePort();
    StackOptions options;
    options.extra_env = {
        {"METRICS_TOKEN", kMetricsToken},
        {"GATEWAY_METRICS_LISTEN", absl::StrCat("127.0.0.1:", gateway_metrics_port_)},
        {"KEYBROKER_METRICS_LISTEN", absl::StrCat("127.0.0.1:", keybroker_metrics_port_)},
        {"PERSISTENCE_METRICS_LISTEN", absl::StrCat("127.0.0.1:", persistence_metrics_port_)},
    };
    StartStack(options);
  }

  // One GET /metrics on a metrics listener, as it came (polls call this
  // and assert nothing).
  struct Scraped {
    bool answered = false;
    int status = 0;
    std::string content_type;
    std::string body;
  };
  static Scraped Fetch(int port) {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(10, 0);
    httplib::Result result = client.Get("/metrics");
    Scraped scraped;
    if (!result) return scraped;
    scraped.answered = true;
    scraped.status = result->status;
    scraped.content_type = result->get_header_value("Content-Type");
    scraped.body = result->body;
    return scraped;
  }

  // Asserts `scraped` is a 200 in the text exposition format; its body.
  static std::string Checked(const Scraped& scraped, int port) {
    EXPECT_TRUE(scraped.answered) << "no answer from the metrics listener on port " << port;
    EXPECT_EQ(scraped.status, 200);
    EXPECT_THAT(scraped.content_type, HasSubstr("version=0.0.4"));
    return scraped.body;
  }

  // GET /metrics on a metrics listener; "" (and a test failure) if it fails.
  static std::string Scrape(int port) { return Checked(Fetch(port), port); }

  // Scrapes `port` until `done` holds for the text (or the deadline), then
  // asserts once on the last scrape and returns its text.
  static std::string ScrapeUntil(int port, const std::function<bool(const std::string&)>& done) {
    Scraped last;
    gempool::testing::WaitFor(
        [&] {
          last = Fetch(port);
          return last.answered && last.status == 200 && done(last.body);
        },
        kWaitMs);
    return Checked(last, port);
  }

  int gateway_metrics_port_ = 0;
  int keybroker_metrics_port_ = 0;
  int persistence_metrics_port_ = 0;
};

TEST_F(MetricsTest, EveryServiceServesMetricsThatPassPromtool) {
  ASSERT_NO_FATAL_FAILURE(StartWithMetrics());
  for (int i = 0; i < 3; ++i) {
    auto r = Generate();
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  // The broker and persistence have had calls to count once the log rows
  // and outcome reports are in.
  const std::string broker = ScrapeUntil(keybroker_metrics_port_, [](const std::string& text) {
    return SampleValue(text, "gempool_keybroker_outcomes_total{kind=\"success\"}") >= 3;
  });
  const std::string persistence = ScrapeUntil(persistence_metrics_port_, [](const std::string& text) {
    return SampleValue(text,
                       "gempool_persistence_db_write_duration_seconds_count{method=\"WriteRequestLogs\"}") >= 1;
  });
  const std::string gateway = Scrape(gateway_metrics_port_);

  for (const auto& [name, text] : {std::pair<std::string, std::string>{"gateway", gateway},
                                   {"keybroker", broker},
                                   {"persistence", persistence}}) {
    EXPECT_TRUE(PromtoolCheckMetrics(text).ok()) << name << ": " << PromtoolCheckMetrics(text).message() << "\n"
                                                 << text;
    EXPECT_GT(SampleValue(text, "process_resident_memory_bytes"), 0) << name;
    EXPECT_GT(SampleValue(text, "process_threads"), 0) << name;
  }
  EXPECT_EQ(SampleValue(broker, "gempool_keybroker_keys{pool=\"gemini\",state=\"active\"}"), 3) << broker;
  EXPECT_EQ(SampleValue(broker, "gempool_keybroker_outcomes_total{kind=\"success\"}"), 3) << broker;
  EXPECT_EQ(SampleValue(broker, "gempool_keybroker_watchers"), 1) << broker;
  EXPECT_GE(SampleValue(broker, "gempool_grpc_server_handled_total{service=\"gempool.v1.KeyBroker\","
                                "method=\"ReportOutcomes\",code=\"OK\"}"),
            1)
      << broker;
  EXPECT_GE(SampleValue(persistence, "gempool_grpc_server_handled_total{service=\"gempool.v1.Persistence\","
                                     "method=\"WriteRequestLogs\",code=\"OK\"}"),
            1)
      << persistence;
  EXPECT_EQ(SampleValue(gateway, "gempool_gateway_keys{pool=\"gemini\",state=\"active\"}"), 3) << gateway;
  EXPECT_EQ(SampleValue(gateway, "gempool_gateway_upstream_attempts_total{outcome=\"success\"}"), 3) << gateway;
  EXPECT_EQ(SampleValue(gateway, "gempool_gateway_request_duration_seconds_count{stream=\"false\"}"), 3) << gateway;
  EXPECT_EQ(SampleValue(gateway, "gempool_gateway_added_latency_seconds_count{stream=\"false\"}"), 3) << gateway;
  EXPECT_EQ(SampleValue(gateway, "gempool_gateway_streams_open"), 0) << gateway;
  EXPECT_GE(SampleValue(gateway, "gempool_gateway_log_write_duration_seconds_count{table=\"request\"}"), 1)
      << gateway;
}

TEST_F(MetricsTest, RequestCounterEqualsTheCallsMade) {
  ASSERT_NO_FATAL_FAILURE(StartWithMetrics());
  constexpr int kCalls = 7;
  int ok = 0;
  for (int i = 0; i < kCalls; ++i) {
    auto r = Generate(i % 2 == 0 ? kFlash : kPro);
    ASSERT_TRUE(r);
    if (r->status == 200) ++ok;
  }
  ASSERT_EQ(ok, kCalls);
  auto stream = stack().Gateway()->Post(GeneratePath(kFlash, "streamGenerateContent") + "?alt=sse", Auth(),
                                        R"({"contents":[{"parts":[{"text":"hi"}]}]})", "application/json");
  ASSERT_TRUE(stream);
  ASSERT_EQ(stream->status, 200) << stream->body;
  // A row (and so the count) is written as the answer goes out: wait for it.
  const std::string text = ScrapeUntil(gateway_metrics_port_, [](const std::string& scrape) {
    return SumOf(scrape, "gempool_gateway_requests_total") >= kCalls + 1;
  });
  EXPECT_EQ(SumOf(text, "gempool_gateway_requests_total"), kCalls + 1) << text;
  EXPECT_EQ(SumOf(text, "gempool_gateway_request_duration_seconds_count"), kCalls + 1) << text;
  EXPECT_EQ(SampleValue(text, "gempool_gateway_request_duration_seconds_count{stream=\"true\"}"), 1) << text;
  EXPECT_EQ(SampleValue(text, "gempool_gateway_requests_total{route=\"generateContent\",status=\"200\",model=\"" +
                                  std::string(kFlash) + "\"}"),
            4)
      << text;
  EXPECT_EQ(SampleValue(text, "gempool_gateway_requests_total{route=\"generateContent\",status=\"200\",model=\"" +
                                  std::string(kPro) + "\"}"),
            3)
      << text;
}

TEST_F(MetricsTest, PublicPortServesMetricsOnlyWithTheToken) {
  ASSERT_NO_FATAL_FAILURE(StartWithMetrics());
  auto client = stack().Gateway();
  auto none = client->Get("/metrics");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  // A client token is not the metrics token.
  auto client_token = client->Get("/metrics", {{"Authorization", "Bearer " + stack().token()}});
  ASSERT_TRUE(client_token);
  EXPECT_EQ(client_token->status, 401);
  auto right = client->Get("/metrics", {{"Authorization", std::string("Bearer ") + kMetricsToken}});
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
  EXPECT_THAT(right->body, HasSubstr("# TYPE gempool_gateway_requests_total counter"));
  EXPECT_TRUE(PromtoolCheckMetrics(right->body).ok()) << PromtoolCheckMetrics(right->body).message();
}

TEST_F(MetricsTest, PublicPortHasNoMetricsWithoutAToken) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  auto none = stack().Gateway()->Get("/metrics");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);
  auto with_bearer = stack().Gateway()->Get("/metrics", {{"Authorization", "Bearer anything"}});
  ASSERT_TRUE(with_bearer);
  EXPECT_EQ(with_bearer->status, 404);
}

}  // namespace
}  // namespace gempool::integration
