#include "admin_client.h"

#include <utility>

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

}  // namespace gempool::ctl
