#include "gempool/rpc/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"

namespace gempool::rpc {

absl::StatusOr<RunningServer> StartServer(
    const std::string& what, const std::string& listen_addr, const std::vector<grpc::Service*>& services,
    int max_receive_message_bytes,
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  if (max_receive_message_bytes > 0) builder.SetMaxReceiveMessageSize(max_receive_message_bytes);
  RunningServer running;
  builder.AddListeningPort(listen_addr, grpc::InsecureServerCredentials(), &running.port);
  for (grpc::Service* service : services) builder.RegisterService(service);
  if (!interceptors.empty()) builder.experimental().SetInterceptorCreators(std::move(interceptors));
  running.server = builder.BuildAndStart();
  if (running.server == nullptr || running.port == 0) {
    return absl::UnavailableError(absl::StrCat(
        what, " could not listen on ", listen_addr,
        ": the address is invalid or the port is already in use (is another gempool running? "
        "choose another port in the environment or .env)"));
  }
  return running;
}

}  // namespace gempool::rpc
