#include "pool/rpc_failure.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/rpc/status.h"

namespace gempool::gateway {

absl::Status DescribeRpcFailure(const grpc::Status& status, absl::string_view service,
                                absl::string_view address, absl::string_view call,
                                absl::string_view hint) {
  const absl::Status s = rpc::FromGrpcStatus(status);
  const absl::string_view message = s.message();
  const bool unreachable =
      s.code() == absl::StatusCode::kDeadlineExceeded ||
      (s.code() == absl::StatusCode::kUnavailable &&
       (absl::StrContains(message, "failed to connect") ||
        absl::StrContains(message, "onnection refused") ||
        absl::StrContains(message, "Socket closed") || absl::StrContains(message, "DNS") ||
        absl::StrContains(message, "connections to all backends failing")));
  if (unreachable) {
    return absl::UnavailableError(absl::StrCat(service, " at ", address, " is not answering (",
                                               call, ": ", message, "); ", hint));
  }
  return absl::Status(s.code(), absl::StrCat(service, " at ", address, ": ", call, ": ", message));
}

}  // namespace gempool::gateway
