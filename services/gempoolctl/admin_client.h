#pragma once
// A KeyAdmin client for one gempoolctl command: the stub on the broker's
// address, and a call context carrying the admin token and the deadline.
// And how every command reports a failure: the message, the JSON error and
// the exit code.

#include <grpcpp/grpcpp.h>

#include <iosfwd>
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

// Reports a failed command: "gempoolctl: <message>" on `err`; with --json
// also {"error": {"code", "message"}} on `out`. Returns ExitCodeFor(code).
int Fail(const Invocation& inv, grpc::StatusCode code, const std::string& message, std::ostream& out,
         std::ostream& err);

// Fail for a failed KeyAdmin call. A transport failure (UNAVAILABLE or
// DEADLINE_EXCEEDED whose message is not the broker's own, which names the
// key broker or persistence, e.g. "still loading keys") gets a hint about
// where gempoolctl looked (`keybroker_addr`).
int FailRpc(const Invocation& inv, const grpc::Status& status, const std::string& keybroker_addr, std::ostream& out,
            std::ostream& err);

}  // namespace gempool::ctl
