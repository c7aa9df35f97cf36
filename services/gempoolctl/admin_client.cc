#include "admin_client.h"

#include <nlohmann/json.hpp>
#include <ostream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli.h"
#include "gempool/rpc/channel.h"

namespace gempool::ctl {

AdminClient::AdminClient(const Targets& targets, int timeout_ms)
    : stub_(v1::KeyAdmin::NewStub(rpc::MakeChannel(targets.keybroker_addr))),
      token_(targets.token),
      timeout_ms_(timeout_ms) {}

std::unique_ptr<grpc::ClientContext> AdminClient::Context() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  rpc::SetDeadline(*context, timeout_ms_);
  return context;
}

int ExitCodeFor(grpc::StatusCode code) {
  if (code == grpc::StatusCode::UNAUTHENTICATED) return kExitUnauthenticated;
  if (code == grpc::StatusCode::INVALID_ARGUMENT) return kExitUsage;
  return kExitError;
}

int Fail(const Invocation& inv, grpc::StatusCode code, const std::string& message, std::ostream& out,
         std::ostream& err) {
  err << "gempoolctl: " << message << "\n";
  if (inv.json) {
    const std::string code_name = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
    out << nlohmann::ordered_json{{"error", {{"code", code_name}, {"message", message}}}}.dump(2) << "\n";
  }
  return ExitCodeFor(code);
}

int FailRpc(const Invocation& inv, const grpc::Status& status, const std::string& keybroker_addr, std::ostream& out,
            std::ostream& err) {
  std::string message = status.error_message();
  const bool from_services =
      absl::StrContains(message, "key broker") || absl::StrContains(message, "persistence");
  if (!from_services && (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)) {
    message = absl::StrCat("could not reach the key broker at ", keybroker_addr, ": ", message,
                           " (is gempool-keybroker running? set KEYBROKER_ADDR or pass --addr)");
  }
  return Fail(inv, status.error_code(), message, out, err);
}

}  // namespace gempool::ctl
