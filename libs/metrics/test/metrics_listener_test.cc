#include "gempool/metrics/metrics_listener.h"

#include <httplib.h>

#include <gtest/gtest.h>

#include "gempool/metrics/text_format.h"

namespace gempool::metrics {
namespace {

TEST(SplitHostPortTest, HostsAndPorts) {
  EXPECT_EQ(*SplitHostPort("X", "127.0.0.1:9464"), std::make_pair(std::string("127.0.0.1"), 9464));
  EXPECT_EQ(*SplitHostPort("X", "[::1]:0"), std::make_pair(std::string("::1"), 0));
  EXPECT_FALSE(SplitHostPort("X", "9464").ok());
  EXPECT_FALSE(SplitHostPort("X", "host:port").ok());
  EXPECT_FALSE(SplitHostPort("X", "host:70000").ok());
  EXPECT_NE(SplitHostPort("GATEWAY_METRICS_LISTEN", "nope").status().message().find("GATEWAY_METRICS_LISTEN"),
            std::string::npos);
}

TEST(MetricsListenerTest, ServesMetricsAndNothingElse) {
  int scrapes = 0;
  MetricsListener listener([&scrapes] { return "x_total " + std::to_string(++scrapes) + "\n"; });
  absl::StatusOr<int> port = listener.Start("TEST_LISTEN", "127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();
  httplib::Client client("127.0.0.1", *port);
  httplib::Result metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->body, "x_total 1\n");
  EXPECT_EQ(metrics->get_header_value("Content-Type"), kContentType);
  httplib::Result other = client.Get("/");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  listener.Stop();
  listener.Stop();  // Idempotent.
}

TEST(MetricsListenerTest, ABusyPortIsAClearError) {
  MetricsListener first([] { return std::string(); });
  absl::StatusOr<int> port = first.Start("A", "127.0.0.1:0");
  ASSERT_TRUE(port.ok());
  MetricsListener second([] { return std::string(); });
  absl::StatusOr<int> again = second.Start("B_METRICS_LISTEN", "127.0.0.1:" + std::to_string(*port));
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("B_METRICS_LISTEN"), std::string::npos);
}

}  // namespace
}  // namespace gempool::metrics
