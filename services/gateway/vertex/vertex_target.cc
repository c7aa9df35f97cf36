#include "vertex/vertex_target.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gempool/gemini/url.h"

namespace gempool::gateway {

gemini::UpstreamTarget VertexTarget(const gemini::BaseUrl& base, const gemini::Route& route,
                                    absl::string_view client_raw_query) {
  std::string query = gemini::RemoveQueryParam(client_raw_query, "key");
  if (route.IsStream() && !gemini::QueryParam(query, "alt").has_value()) {
    query = query.empty() ? "alt=sse" : absl::StrCat("alt=sse&", query);
  }
  gemini::UpstreamTarget target;
  target.scheme_host_port = base.SchemeHostPort();
  // ParseBaseUrl splits a trailing version segment off the path: put it back.
  target.path_and_query = absl::StrCat(base.path, base.version.empty() ? "" : "/", base.version, "/models/",
                                       route.model, ":", gemini::MethodName(route.method),
                                       query.empty() ? "" : "?", query);
  return target;
}

}  // namespace gempool::gateway
