#pragma once
// Builds and runs a gRPC server the way every gempool service does: the
// standard health service (for container health checks and gempoolctl
// health), server reflection (for grpcurl), and a bound listening port that is
// checked, so a busy port fails start-up with a clear message.

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gempool::rpc {

struct RunningServer {
  std::unique_ptr<grpc::Server> server;
  // The port actually bound (useful with port 0 in tests).
  int port = 0;
};

// Starts a server on `listen_addr` ("host:port") serving `services` (which
// must outlive the server). `what` names the service in errors.
// `max_receive_message_bytes` > 0 raises gRPC's 4 MiB limit on one request
// (persistence takes log batches of many 16 KiB messages). `interceptors`
// see every call (the metrics' RPC counts: metrics::GrpcServerMetrics).
absl::StatusOr<RunningServer> StartServer(
    const std::string& what, const std::string& listen_addr, const std::vector<grpc::Service*>& services,
    int max_receive_message_bytes = 0,
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors = {});

}  // namespace gempool::rpc
