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
  Parts(ConversionOptionsFn conversion, ResponsesHandler::OptionsFn store_options, const Config& config,
        const gemini::BaseUrl& base_url, Forwarder& forwarder, const Clock& clock, BlockingRunner run_blocking,
        const LiveSettingsHolder* live)
      : caller(forwarder, base_url, live),
        fetcher(MediaFetchOptions(config)),
        store(rpc::MakeChannel(config.persistence_addr), config.persistence_addr, config.rpc_timeout_ms),
        handler(std::move(conversion), caller, fetcher, store, std::move(run_blocking), clock,
                std::move(store_options)) {}

  GeminiCaller caller;
  MediaFetcher fetcher;
  StoredResponsesClient store;
  ResponsesHandler handler;
};

absl::StatusOr<std::unique_ptr<ResponsesRoutes>> ResponsesRoutes::Create(const Config& config,
                                                                         const gemini::BaseUrl& base_url,
                                                                         Forwarder& forwarder, const Clock& clock,
                                                                         BlockingRunner run_blocking,
                                                                         const LiveSettingsHolder* live) {
  ConversionOptionsFn conversion;
  ResponsesHandler::OptionsFn store_options;
  if (live != nullptr) {
    conversion = LiveConversionOptions(*live);
    store_options = [live] {
      const std::shared_ptr<const LiveSettings> settings = live->Get();
      return ResponsesHandler::Options{settings->responses_store_days, settings->responses_store_max_bytes};
    };
  } else {
    absl::StatusOr<openai::ConversionOptions> fixed =
        MakeConversionOptions(config, OpenAIUpstreamVersion(base_url.version));
    if (!fixed.ok()) return fixed.status();
    conversion = FixedConversionOptions(std::make_shared<const openai::ConversionOptions>(*std::move(fixed)));
    const ResponsesHandler::Options fixed_store{config.responses_store_days,
                                                static_cast<size_t>(config.responses_store_max_kb) << 10};
    store_options = [fixed_store] { return fixed_store; };
  }
  return std::unique_ptr<ResponsesRoutes>(new ResponsesRoutes(
      std::make_unique<Parts>(std::move(conversion), std::move(store_options), config, base_url, forwarder, clock,
                              std::move(run_blocking), live)));
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
