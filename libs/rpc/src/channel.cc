#include "gempool/rpc/channel.h"

#include <chrono>

#include "gempool/common/request_scope.h"
#include "gempool/rpc/request_metadata.h"

namespace gempool::rpc {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& addr) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  // Fail fast on a dead peer instead of queueing calls for its reconnect backoff.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  // Replies can exceed gRPC's default 4 MiB (a page of 1000 error-log rows
  // with 16 KiB messages; a stored Responses API response of up to 64 MiB
  // with its other fields); internal peers are trusted.
  args.SetMaxReceiveMessageSize(65 * 1024 * 1024);
  return grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), args);
}

void SetDeadline(grpc::ClientContext& context, int timeout_ms) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  AddRequestId(context, CurrentRequestId());
}

}  // namespace gempool::rpc
