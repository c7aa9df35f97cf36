#pragma once
// Vertex AI Express, as gemini-balance serves it:
//   POST /vertex-express/v1beta/models/{model}:generateContent
//   POST /vertex-express/v1beta/models/{model}:streamGenerateContent (SSE)
//   GET  /vertex-express/v1beta/models
// (also under /vertex-express/v1). A generate call goes to
// VERTEX_EXPRESS_BASE_URL (vertex_target.h) with a key of the Vertex pool
// (VERTEX_API_KEYS) in x-goog-api-key and the client's body byte for byte,
// through the Forwarder's attempt loop, so a 429 cools and a dead key
// disables a Vertex key exactly as a Gemini key; upstream error bodies reach
// the client with the key redacted. The model list is the native one (a
// Gemini pool key on BASE_URL, derived models added), as gemini-balance
// lists it. Client tokens are checked as on the native routes.
// Handlers run on the event loop and never block. Thread-safe.

#include <memory>
#include <vector>

#include "gempool/common/clock.h"
#include "gempool/gemini/upstream_url.h"
#include "gempool/openai/options.h"
#include "http/client_call.h"
#include "live_settings.h"
#include "upstream/forwarder.h"

namespace gempool::gateway {

class VertexRoutes {
 public:
  // VERTEX_EXPRESS_BASE_URL, BASE_URL and the model options (whose derived
  // models the list shows) come from each call's settings snapshot.
  // `forwarder` must outlive this.
  explicit VertexRoutes(Forwarder& forwarder);

  std::vector<ApiRoute> Routes();

  ClientAnswer Generate(const ClientCall& call);
  ClientAnswer ListModels(const ClientCall& call);

 private:
  Forwarder& forwarder_;
};

}  // namespace gempool::gateway
