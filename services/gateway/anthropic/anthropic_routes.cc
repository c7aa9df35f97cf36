#include "anthropic/anthropic_routes.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "anthropic/anthropic_answers.h"
#include "anthropic/anthropic_models_handler.h"
#include "anthropic/messages_handler.h"
#include "gempool/anthropic/errors.h"
#include "openai/model_list_cache.h"
#include "openai/openai_options.h"
#include "upstream/gemini_caller.h"
#include "upstream/media_fetcher.h"

namespace gempool::gateway {
namespace {

ClientAnswer UnknownEndpoint(const ClientCall& call) {
  ClientAnswer answer;
  answer.operation = "unknown";
  answer.reply = AnthropicJsonReply(
      anthropic::AnthropicErrorBody(
          "not_found_error", absl::StrCat(call.method, " ", call.path,
                                          " is not an endpoint of gempool's Anthropic-compatible API; it serves "
                                          "POST /v1/messages, /v1/messages/count_tokens and GET /v1/models[/{id}] "
                                          "(also under /anthropic)")),
      404);
  return answer;
}

}  // namespace

struct AnthropicRoutes::Parts {
  Parts(Forwarder& forwarder, const Clock& clock, MediaFetcher::Options fetch_options)
      : caller(forwarder),
        fetcher(std::move(fetch_options)),
        models_cache(caller, clock, ModelListCache::Options()),
        messages(caller, fetcher),
        models(models_cache) {}

  GeminiCaller caller;
  MediaFetcher fetcher;
  ModelListCache models_cache;
  MessagesHandler messages;
  AnthropicModelsHandler models;
};

std::unique_ptr<AnthropicRoutes> AnthropicRoutes::Create(const Config& config, Forwarder& forwarder,
                                                         const Clock& clock) {
  return std::unique_ptr<AnthropicRoutes>(
      new AnthropicRoutes(std::make_unique<Parts>(forwarder, clock, MediaFetchOptions(config))));
}

AnthropicRoutes::AnthropicRoutes(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

AnthropicRoutes::~AnthropicRoutes() = default;

std::vector<ApiRoute> AnthropicRoutes::Routes() {
  Parts* p = parts_.get();
  std::vector<ApiRoute> routes;
  auto add = [&routes](const char* verb, std::string path, ClientHandler handler) {
    ApiRoute route;
    route.verb = verb;
    route.path = std::move(path);
    route.handler = std::move(handler);
    route.unauthenticated = &AnthropicUnauthenticatedReply;
    route.refusal = &AnthropicRefusal;
    routes.push_back(std::move(route));
    return &routes.back();
  };
  for (const char* prefix : {"/v1", "/anthropic/v1"}) {
    const std::string base = prefix;
    // Both block only to fetch image or document URLs.
    add("POST", base + "/messages", [p](const ClientCall& c) { return p->messages.Messages(c); })->try_on_loop = true;
    add("POST", base + "/messages/count_tokens", [p](const ClientCall& c) { return p->messages.CountTokens(c); })
        ->try_on_loop = true;
    // /v1/models is also the OpenAI and the native list: Anthropic clients
    // say who they are with anthropic-version.
    const std::string version_header = base == "/v1" ? "anthropic-version" : "";
    add("GET", base + "/models/?", [p](const ClientCall& c) { return p->models.List(c); })->required_header =
        version_header;
    add("GET", base + "/models/(.+)", [p](const ClientCall& c) { return p->models.Retrieve(c); })->required_header =
        version_header;
  }
  for (const char* verb : {"GET", "POST"}) {
    for (const char* unknown : {"/anthropic", "/anthropic/.*"}) add(verb, unknown, &UnknownEndpoint);
  }
  return routes;
}

}  // namespace gempool::gateway
