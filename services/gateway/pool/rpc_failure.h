#pragma once
// Turns a failed internal gRPC call into an absl::Status a user can act on:
// an unreachable service reads "<service> at <address> is not answering" with
// what to check; any other failure keeps the service's own message (e.g. the
// database refusing the login).

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace gempool::gateway {

// `service` e.g. "key broker"; `hint` says what to check when unreachable.
absl::Status DescribeRpcFailure(const grpc::Status& status, absl::string_view service,
                                absl::string_view address, absl::string_view call,
                                absl::string_view hint);

}  // namespace gempool::gateway
