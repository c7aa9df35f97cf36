#pragma once
// The Anthropic Messages API the gateway serves, as entries of the HTTP
// server's route table (ahead of the OpenAI and native APIs):
//   POST {/v1, /anthropic/v1}/messages, /messages/count_tokens
//   GET  /v1/models[/{id}] when the request carries anthropic-version (what
//        Anthropic clients send; others get the OpenAI or native list),
//        /anthropic/v1/models[/{id}] always
// plus Anthropic-shaped 404s for unknown paths under /anthropic/v1. The
// client token comes as x-api-key (the SDK, Claude Code with
// ANTHROPIC_API_KEY) or Authorization: Bearer (ANTHROPIC_AUTH_TOKEN);
// without an allowed one the answer is Anthropic's 401. Claude model names
// map through ANTHROPIC_MODEL_MAP, live. Owns the handlers and what they
// share. Thread-safe.

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/common/clock.h"
#include "gempool/config/config.h"
#include "gempool/gemini/upstream_url.h"
#include "http/client_call.h"
#include "live_settings.h"
#include "upstream/forwarder.h"

namespace gempool::gateway {

class AnthropicRoutes {
 public:
  // BASE_URL, ANTHROPIC_MODEL_MAP and the conversion settings come from
  // each call's settings snapshot (ClientCall::settings). `forwarder` and
  // `clock` must outlive the routes.
  static std::unique_ptr<AnthropicRoutes> Create(const Config& config, Forwarder& forwarder, const Clock& clock);
  ~AnthropicRoutes();

  // The route entries, bound to this object (which must outlive them).
  std::vector<ApiRoute> Routes();

 private:
  struct Parts;
  explicit AnthropicRoutes(std::unique_ptr<Parts> parts);

  std::unique_ptr<Parts> parts_;
};

}  // namespace gempool::gateway
