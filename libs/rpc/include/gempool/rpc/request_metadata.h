#pragma once
// The request id (gempool/common/request_id.h) on internal gRPC calls: the
// caller sends it as metadata `x-request-id` (rpc::SetDeadline adds the
// thread's current one, request_scope.h); the service reads it here and
// opens a ScopedRequestId for the call, so its log lines about the call
// name the client request that caused it.

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/string_view.h"

namespace gempool::rpc {

// Adds `request_id` to `context` as `x-request-id` (nothing when empty).
void AddRequestId(grpc::ClientContext& context, absl::string_view request_id);

// The caller's `x-request-id` when it is sane (IsSaneRequestId), else "".
std::string RequestIdOf(const grpc::ServerContext& context);

}  // namespace gempool::rpc
