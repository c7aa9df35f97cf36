#pragma once
// Counts the RPCs a gRPC server answers, by service, method and status code
// (gempool_grpc_server_handled_total), through a server interceptor: the key
// broker and persistence pass MakeInterceptorFactory() to rpc::StartServer.
// Thread-safe; must outlive the server.

#include <grpcpp/support/server_interceptor.h>

#include <memory>

#include "gempool/metrics/registry.h"

namespace gempool::metrics {

class GrpcServerMetrics {
 public:
  // Registers the counter in `registry`, which must outlive this.
  explicit GrpcServerMetrics(Registry& registry);

  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeInterceptorFactory();

  // Counts one RPC of `full_method` ("/package.Service/Method") that ended
  // with `code`.
  void Handled(absl::string_view full_method, grpc::StatusCode code);

 private:
  Family<Counter>& handled_;
};

// "OK", "UNAVAILABLE", ... as gRPC names the codes.
const char* GrpcCodeName(grpc::StatusCode code);

}  // namespace gempool::metrics
