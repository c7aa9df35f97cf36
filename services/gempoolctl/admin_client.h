#pragma once
// A KeyAdmin client for one gempoolctl command: the stub on the broker's
// address, and a call context carrying the admin token and the deadline.
// And the exit code a failed call ends gempoolctl with.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "commands.h"
#include "gempool/v1/keybroker.grpc.pb.h"

namespace gempool::ctl {

class AdminClient {
 public:
  AdminClient(const Targets& targets, int timeout_ms);

  // A fresh context per call: "authorization: Bearer <token>" and the deadline.
  std::unique_ptr<grpc::ClientContext> Context() const;
  v1::KeyAdmin::Stub& stub() { return *stub_; }

 private:
  std::unique_ptr<v1::KeyAdmin::Stub> stub_;
  const std::string token_;
  const int timeout_ms_;
};

// kExitUnauthenticated for a refused admin token, kExitUsage for a request
// the server called invalid, else kExitError.
int ExitCodeFor(grpc::StatusCode code);

}  // namespace gempool::ctl
