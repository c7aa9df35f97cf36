#pragma once
// The client side of gempool's internal gRPC: channels to the other services
// and call deadlines. Kept apart from server.h so that a process that only
// calls other services (the gateway, gempoolctl) links neither the server
// side nor its reflection plugin (bench/idle_memory.py: resident memory).

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace gempool::rpc {

// A channel to `addr` with keepalive settings suited to long-lived internal
// connections, accepting replies up to 64 MiB.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& addr);

// Sets a deadline `timeout_ms` from now on `context`, and tags the call with
// the request id of the work the thread is doing (request_scope.h) as
// `x-request-id` metadata, so the service's log names it
// (request_metadata.h). Every internal call goes through here.
void SetDeadline(grpc::ClientContext& context, int timeout_ms);

}  // namespace gempool::rpc
