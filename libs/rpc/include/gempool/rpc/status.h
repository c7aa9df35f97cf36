#pragma once
// The one place absl::Status and grpc::Status are translated. Canonical codes
// are the same numbers in both, so messages and codes pass through unchanged.

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace gempool::rpc {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace gempool::rpc
