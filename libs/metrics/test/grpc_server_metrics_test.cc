#include "gempool/metrics/grpc_server_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::metrics {
namespace {

using ::testing::HasSubstr;

TEST(GrpcServerMetricsTest, CountsByServiceMethodAndCode) {
  Registry registry;
  GrpcServerMetrics metrics(registry);
  metrics.Handled("/gempool.v1.KeyBroker/AcquireKey", grpc::StatusCode::OK);
  metrics.Handled("/gempool.v1.KeyBroker/AcquireKey", grpc::StatusCode::OK);
  metrics.Handled("/gempool.v1.Persistence/WriteRequestLogs", grpc::StatusCode::UNAVAILABLE);
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("gempool_grpc_server_handled_total{service=\"gempool.v1.KeyBroker\","
                              "method=\"AcquireKey\",code=\"OK\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("gempool_grpc_server_handled_total{service=\"gempool.v1.Persistence\","
                              "method=\"WriteRequestLogs\",code=\"UNAVAILABLE\"} 1\n"));
  EXPECT_NE(metrics.MakeInterceptorFactory(), nullptr);
}

TEST(GrpcServerMetricsTest, CodeNames) {
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::DEADLINE_EXCEEDED), "DEADLINE_EXCEEDED");
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::UNAUTHENTICATED), "UNAUTHENTICATED");
}

}  // namespace
}  // namespace gempool::metrics
