#pragma once
// The OpenAI Responses API as entries of the HTTP server's route table,
// under /v1, /hf/v1 and /v1beta/openai:
//   POST   /responses, /responses/input_tokens
//   GET    /responses/{id}, /responses/{id}/input_items
//   DELETE /responses/{id}
// (ResponsesHandler). The client token is checked as for the OpenAI chat
// route, with OpenAI's 401. Stored responses live in the persistence
// service (PERSISTENCE_ADDR), kept RESPONSES_STORE_DAYS, at most
// RESPONSES_STORE_MAX_KB each. Owns the handler and what it uses.
// Thread-safe.

#include <functional>
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

class ResponsesRoutes {
 public:
  using BlockingRunner = std::function<void(std::function<void()>)>;

  // `forwarder` and `clock` must outlive the routes; `run_blocking` runs
  // persistence calls off the event loop. BASE_URL, the conversion settings
  // and RESPONSES_STORE_* come from each call's settings snapshot.
  static std::unique_ptr<ResponsesRoutes> Create(const Config& config, Forwarder& forwarder, const Clock& clock,
                                                 BlockingRunner run_blocking);
  ~ResponsesRoutes();

  // The route entries, bound to this object (which must outlive them).
  std::vector<ApiRoute> Routes();

 private:
  struct Parts;
  explicit ResponsesRoutes(std::unique_ptr<Parts> parts);

  std::unique_ptr<Parts> parts_;
};

}  // namespace gempool::gateway
