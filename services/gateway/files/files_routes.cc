#include "files/files_routes.h"

#include <string>
#include <utility>

namespace gempool::gateway {

std::vector<ApiRoute> FilesRoutes::Routes() {
  FilesHandler* h = &handler_;
  std::vector<ApiRoute> routes;
  auto add = [&routes](const char* verb, std::string path, ClientHandler handler) {
    ApiRoute route;
    route.verb = verb;
    route.path = std::move(path);
    route.handler = std::move(handler);
    routes.push_back(std::move(route));
  };
  // Groups: the optional /gemini prefix, the API version, the file id.
  const std::string upload = "(/gemini)?/upload/(v1beta|v1|v1alpha)/files";
  const std::string files = "(/gemini)?/(v1beta|v1|v1alpha)/files";
  add("POST", upload, [h](const ClientCall& c) { return h->Upload(c); });
  add("PUT", upload, [h](const ClientCall& c) { return h->Upload(c); });
  // Upload chunks are sent on as they arrive, not held whole (the start's
  // small metadata body comes on the same route: Upload reads it whole).
  for (size_t i = routes.size() - 2; i < routes.size(); ++i) routes[i].stream_request_body = true;
  add("GET", files, [h](const ClientCall& c) { return h->List(c); });
  add("GET", files + "/([A-Za-z0-9_-]+)", [h](const ClientCall& c) { return h->Get(c); });
  add("DELETE", files + "/([A-Za-z0-9_-]+)", [h](const ClientCall& c) { return h->Delete(c); });
  return routes;
}

}  // namespace gempool::gateway
