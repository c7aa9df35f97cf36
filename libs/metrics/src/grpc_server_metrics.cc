#include "gempool/metrics/grpc_server_metrics.h"

#include <string>

#include "absl/strings/string_view.h"

namespace gempool::metrics {
namespace {

using grpc::experimental::InterceptionHookPoints;

class HandledInterceptor final : public grpc::experimental::Interceptor {
 public:
  HandledInterceptor(GrpcServerMetrics& metrics, const char* method) : metrics_(metrics), method_(method) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_.Handled(method_, methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  GrpcServerMetrics& metrics_;
  const absl::string_view method_;
};

class HandledInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit HandledInterceptorFactory(GrpcServerMetrics& metrics) : metrics_(metrics) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new HandledInterceptor(metrics_, info->method() != nullptr ? info->method() : "");
  }

 private:
  GrpcServerMetrics& metrics_;
};

}  // namespace

const char* GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

GrpcServerMetrics::GrpcServerMetrics(Registry& registry)
    : handled_(registry.AddCounter("gempool_grpc_server_handled_total",
                                   "gRPC calls this server answered, by service, method and status code.",
                                   {"service", "method", "code"},
                                   // Methods are the server's own; bounded anyway.
                                   FamilyOptions{/*bounded_label=*/1, /*max_values=*/100})) {}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> GrpcServerMetrics::MakeInterceptorFactory() {
  return std::make_unique<HandledInterceptorFactory>(*this);
}

void GrpcServerMetrics::Handled(absl::string_view full_method, grpc::StatusCode code) {
  // "/gempool.v1.KeyBroker/AcquireKey" -> "gempool.v1.KeyBroker", "AcquireKey".
  absl::string_view path = full_method;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  const size_t slash = path.find('/');
  const absl::string_view service = slash == absl::string_view::npos ? absl::string_view() : path.substr(0, slash);
  const absl::string_view method = slash == absl::string_view::npos ? path : path.substr(slash + 1);
  handled_.With({service, method, GrpcCodeName(code)}).Increment();
}

}  // namespace gempool::metrics
