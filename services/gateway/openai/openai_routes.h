#pragma once
// The OpenAI-compatible API the gateway serves, as entries of the HTTP
// server's route table (ahead of the native Gemini API):
//   POST {/v1, /hf/v1, /v1beta/openai}/chat/completions, /embeddings,
//        /images/generations, /audio/speech
//   GET  /v1/models[/{id}]  (Bearer clients only: Gemini clients' GET
//        /v1/models is the native list), /hf/v1/models[/{id}],
//        /v1beta/openai/models[/{id}]
//   GET|POST /openai/v1/*   (verbatim passthrough to Google's endpoint)
// plus OpenAI-shaped 404s for unknown paths under /hf/v1 and
// /v1beta/openai. The client token is checked as for the native API; its
// absence is answered as OpenAI's 401. Owns the handlers and what they
// share (conversion settings, the model-list cache, the media fetcher).
// Thread-safe.

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "http/client_call.h"
#include "upstream/forwarder.h"
#include "gempool/common/clock.h"
#include "gempool/config/config.h"
#include "gempool/openai/options.h"
#include "gempool/gemini/upstream_url.h"
#include "live_settings.h"

namespace gempool::gateway {

class OpenAIRoutes {
 public:
  // `forwarder` and `clock` must outlive the routes. The conversion
  // settings (SEARCH_MODELS, SAFETY_SETTINGS, ...), BASE_URL, TIME_OUT and
  // the image host come from each call's settings snapshot
  // (ClientCall::settings).
  static std::unique_ptr<OpenAIRoutes> Create(const Config& config, Forwarder& forwarder, const Clock& clock);
  ~OpenAIRoutes();

  // The route entries, bound to this object (which must outlive them).
  std::vector<ApiRoute> Routes();

 private:
  struct Parts;
  explicit OpenAIRoutes(std::unique_ptr<Parts> parts);

  std::unique_ptr<Parts> parts_;
};

}  // namespace gempool::gateway
