#include "openai/openai_routes.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "openai/chat_handler.h"
#include "openai/embeddings_handler.h"
#include "upstream/gemini_caller.h"
#include "gempool/openai/errors.h"
#include "imagehost/image_uploader.h"
#include "openai/images_handler.h"
#include "upstream/media_fetcher.h"
#include "openai/model_list_cache.h"
#include "openai/models_handler.h"
#include "openai/openai_answers.h"
#include "openai/openai_options.h"
#include "openai/openai_passthrough.h"
#include "openai/speech_handler.h"

namespace gempool::gateway {
namespace {

using gemini::AuthForm;

// The prefixes the converted API is served under.
constexpr const char* kPrefixes[] = {"/v1", "/hf/v1", "/v1beta/openai"};

ClientAnswer UnknownEndpoint(const ClientCall& call) {
  ClientAnswer answer;
  answer.operation = "unknown";
  answer.reply = OpenAIJsonReply(
      openai::OpenAIErrorBody(404,
                              absl::StrCat(call.method, " ", call.path,
                                           " is not an endpoint of gempool's OpenAI-compatible API; it serves "
                                           "POST /chat/completions, /responses, /embeddings, "
                                           "/images/generations, /audio/speech and GET /models[/{id}], "
                                           "/responses/{id} under /v1, /hf/v1 and /v1beta/openai"),
                              "", "unknown_url"),
      404);
  return answer;
}

}  // namespace

struct OpenAIRoutes::Parts {
  Parts(Forwarder& forwarder, const Clock& clock, MediaFetcher::Options fetch_options)
      : caller(forwarder),
        fetcher(std::move(fetch_options)),
        uploader(forwarder.io()),
        models_cache(caller, clock, ModelListCache::Options()),
        chat(caller, fetcher, clock, &uploader),
        models(models_cache),
        embeddings(caller),
        images(caller, clock, &uploader),
        speech(caller),
        passthrough(caller) {}

  GeminiCaller caller;
  MediaFetcher fetcher;
  ImageUploader uploader;  // UPLOAD_PROVIDER: image answers as links.
  ModelListCache models_cache;
  ChatHandler chat;
  ModelsHandler models;
  EmbeddingsHandler embeddings;
  ImagesHandler images;
  SpeechHandler speech;
  OpenAIPassthrough passthrough;
};

std::unique_ptr<OpenAIRoutes> OpenAIRoutes::Create(const Config& config, Forwarder& forwarder, const Clock& clock) {
  return std::unique_ptr<OpenAIRoutes>(
      new OpenAIRoutes(std::make_unique<Parts>(forwarder, clock, MediaFetchOptions(config))));
}

OpenAIRoutes::OpenAIRoutes(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

OpenAIRoutes::~OpenAIRoutes() = default;

std::vector<ApiRoute> OpenAIRoutes::Routes() {
  Parts* p = parts_.get();
  std::vector<ApiRoute> routes;
  auto add = [&routes](const char* verb, std::string path, std::vector<AuthForm> forms, ClientHandler handler) {
    ApiRoute route;
    route.verb = verb;
    route.path = std::move(path);
    route.auth_forms = std::move(forms);
    route.handler = std::move(handler);
    route.unauthenticated = &OpenAIUnauthenticatedReply;
    route.refusal = &OpenAIRefusal;
    routes.push_back(std::move(route));
  };
  for (const char* prefix : kPrefixes) {
    const std::string base = prefix;
    add("POST", base + "/chat/completions", {}, [p](const ClientCall& c) { return p->chat.Handle(c); });
    routes.back().try_on_loop = true;  // Blocks only to fetch image URLs.
    add("POST", base + "/embeddings", {}, [p](const ClientCall& c) { return p->embeddings.Handle(c); });
    add("POST", base + "/images/generations", {}, [p](const ClientCall& c) { return p->images.Handle(c); });
    add("POST", base + "/audio/speech", {}, [p](const ClientCall& c) { return p->speech.Handle(c); });
    // /v1/models is also the native Gemini v1 list (@google/genai 3.x's
    // default): only Bearer clients get the OpenAI form there.
    const std::vector<AuthForm> models_forms =
        base == "/v1" ? std::vector<AuthForm>{AuthForm::kBearer} : std::vector<AuthForm>{};
    add("GET", base + "/models/?", models_forms, [p](const ClientCall& c) { return p->models.List(c); });
    add("GET", base + "/models/(.+)", models_forms, [p](const ClientCall& c) { return p->models.Retrieve(c); });
  }
  for (const char* verb : {"GET", "POST"}) {
    add(verb, "/openai/v1/.*", {}, [p](const ClientCall& c) { return p->passthrough.Handle(c); });
    for (const char* unknown : {"/hf/v1", "/hf/v1/.*", "/v1beta/openai", "/v1beta/openai/.*"}) {
      add(verb, unknown, {}, &UnknownEndpoint);
    }
  }
  return routes;
}

}  // namespace gempool::gateway
