#include "gempool/rpc/request_metadata.h"

#include "gempool/common/request_id.h"

namespace gempool::rpc {

void AddRequestId(grpc::ClientContext& context, absl::string_view request_id) {
  if (!request_id.empty()) context.AddMetadata(std::string(kRequestIdHeader), std::string(request_id));
}

std::string RequestIdOf(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  const auto found = metadata.find(grpc::string_ref(kRequestIdHeader.data(), kRequestIdHeader.size()));
  if (found == metadata.end()) return "";
  const absl::string_view id(found->second.data(), found->second.size());
  // Metadata is the caller's word: only a sane id goes into logs.
  return IsSaneRequestId(id) ? std::string(id) : "";
}

}  // namespace gempool::rpc
