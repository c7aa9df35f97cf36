#pragma once
// GET /metrics on the gateway's public port: served only when METRICS_TOKEN
// is set (HttpServer does not route it otherwise: 404), and only to
// `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise). The separate
// GATEWAY_METRICS_LISTEN listener needs no token. Thread-safe.

#include <string>

#include "gempool/metrics/registry.h"
#include "http/http_message.h"

namespace gempool::gateway {

// The scrape answer for `request`, or 401 when it lacks the token.
HttpResponse ServeMetrics(const HttpRequest& request, const std::string& metrics_token,
                          const metrics::Registry& registry);

}  // namespace gempool::gateway
