#include "metrics/metrics_endpoint.h"

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "gempool/common/secrets.h"
#include "gempool/metrics/text_format.h"

namespace gempool::gateway {

HttpResponse ServeMetrics(const HttpRequest& request, const std::string& metrics_token,
                          const metrics::Registry& registry) {
  HttpResponse response;
  const std::optional<std::string> authorization = request.Header("Authorization");
  absl::string_view presented = authorization.has_value() ? absl::string_view(*authorization) : "";
  const bool bearer = absl::ConsumePrefix(&presented, "Bearer ") || absl::ConsumePrefix(&presented, "bearer ");
  if (metrics_token.empty() || !bearer || !SecretEquals(presented, metrics_token)) {
    response.status = 401;
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
    response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    response.body = "GET /metrics needs Authorization: Bearer <METRICS_TOKEN>\n";
    return response;
  }
  response.headers.emplace_back("Content-Type", metrics::kContentType);
  response.body = registry.Render();
  return response;
}

}  // namespace gempool::gateway
