#include "responses/responses_routes.h"

#include <string>
#include <utility>

#include "gempool/rpc/channel.h"
#include "openai/openai_answers.h"
#include "openai/openai_options.h"
#include "responses/responses_handler.h"
#include "responses/stored_responses_client.h"
#include "upstream/gemini_caller.h"
#include "upstream/media_fetcher.h"

namespace gempool::gateway {

struct ResponsesRoutes::Parts {
  Parts(const Config& config, Forwarder& forwarder, const Clock& clock, BlockingRunner run_blocking)
      : caller(forwarder),
        fetcher(MediaFetchOptions(config)),
        store(rpc::MakeChannel(config.persistence_addr), config.persistence_addr, config.rpc_timeout_ms),
        handler(caller, fetcher, store, std::move(run_blocking), clock) {}

  GeminiCaller caller;
  MediaFetcher fetcher;
  StoredResponsesClient store;
  ResponsesHandler handler;
};

std::unique_ptr<ResponsesRoutes> ResponsesRoutes::Create(const Config& config, Forwarder& forwarder,
                                                         const Clock& clock, BlockingRunner run_blocking) {
  return std::unique_ptr<ResponsesRoutes>(
      new ResponsesRoutes(std::make_unique<Parts>(config, forwarder, clock, std::move(run_blocking))));
}

ResponsesRoutes::ResponsesRoutes(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

ResponsesRoutes::~ResponsesRoutes() = default;

std::vector<ApiRoute> ResponsesRoutes::Routes() {
  ResponsesHandler* h = &parts_->handler;
  std::vector<ApiRoute> routes;
  auto add = [&routes](const char* verb, std::string path, ClientHandler handler) {
    ApiRoute route;
    route.verb = verb;
    route.path = std::move(path);
    route.handler = std::move(handler);
    route.unauthenticated = &OpenAIUnauthenticatedReply;
    route.refusal = &OpenAIRefusal;
    // Every handler says when it must block (persistence, media URLs).
    route.try_on_loop = true;
    routes.push_back(std::move(route));
  };
  for (const char* prefix : {"/v1", "/hf/v1", "/v1beta/openai"}) {
    const std::string base = prefix;
    add("POST", base + "/responses", [h](const ClientCall& c) { return h->Create(c); });
    add("POST", base + "/responses/input_tokens", [h](const ClientCall& c) { return h->InputTokens(c); });
    add("GET", base + "/responses/([^/]+)/input_items", [h](const ClientCall& c) { return h->InputItems(c); });
    add("GET", base + "/responses/([^/]+)", [h](const ClientCall& c) { return h->Retrieve(c); });
    add("DELETE", base + "/responses/([^/]+)", [h](const ClientCall& c) { return h->Delete(c); });
  }
  return routes;
}

}  // namespace gempool::gateway
