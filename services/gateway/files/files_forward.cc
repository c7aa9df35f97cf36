#include "files/files_forward.h"

#include "absl/strings/str_cat.h"

namespace gempool::gateway {

ForwardRequest FilesForwardRequest(absl::string_view http_method, gemini::UpstreamTarget target,
                                   absl::string_view operation) {
  ForwardRequest request;
  // A model-less route: QuotaModel() is "" for kGetModel, so only the key's
  // own state (not a model cooldown) decides whether it can be used.
  request.route.method = gemini::Method::kGetModel;
  request.route.model.clear();
  request.http_method = std::string(http_method);
  request.target = std::move(target);
  request.operation = std::string(operation);
  return request;
}

gemini::UpstreamTarget FilesTarget(const gemini::BaseUrl& base, absl::string_view path) {
  gemini::UpstreamTarget target;
  target.scheme_host_port = base.SchemeHostPort();
  target.path_and_query = absl::StrCat(base.path, path);
  return target;
}

}  // namespace gempool::gateway
