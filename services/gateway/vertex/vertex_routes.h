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
  // `live`: VERTEX_EXPRESS_BASE_URL and BASE_URL as saved in the admin UI
  // (else `vertex_base_url` and `base_url`). `options` (optional): the model
  // options in force, whose derived models the list shows. All must outlive
  // this.
  VertexRoutes(Forwarder& forwarder, const LiveSettingsHolder* live, gemini::BaseUrl vertex_base_url,
               gemini::BaseUrl base_url, ConversionOptionsFn options = nullptr);

  std::vector<ApiRoute> Routes();

  ClientAnswer Generate(const ClientCall& call);
  ClientAnswer ListModels(const ClientCall& call);

 private:
  Forwarder& forwarder_;
  const LiveSettingsHolder* const live_;
  const gemini::BaseUrl vertex_base_url_;
  const gemini::BaseUrl base_url_;
  const ConversionOptionsFn options_;
};

}  // namespace gempool::gateway
