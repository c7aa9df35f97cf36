#include "vertex/vertex_routes.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"
#include "gempool/gemini/url.h"
#include "gempool/openai/json_reader.h"
#include "gempool/openai/models.h"
#include "upstream/buffered_sink.h"
#include "vertex/vertex_target.h"

namespace gempool::gateway {
namespace {

// Path groups: the API version, the model, the method.
constexpr char kGeneratePath[] =
    "/vertex-express/(v1beta|v1)/models/([A-Za-z0-9._~@+-]+):(generateContent|streamGenerateContent)";
// The same call as @google/genai sends it in Vertex AI mode (`vertexai: true`
// with an API key and `baseUrl` ending in /vertex-express): Vertex's own path
// shape, with its default version v1beta1.
constexpr char kPublisherGeneratePath[] =
    "/vertex-express/(v1beta1|v1beta|v1)/publishers/google/models/([A-Za-z0-9._~@+-]+):"
    "(generateContent|streamGenerateContent)";
constexpr char kListPath[] = "/vertex-express/(v1beta|v1)/models";

// The answer to a buffered forward: the upstream's 2xx as it came, or the
// failure (already redacted by the Forwarder).
ClientAnswer AnswerOf(ForwardResult result, BufferedSink& sink, std::string model, std::string operation,
                      const std::function<std::optional<std::string>(const std::string&)>& rewrite = nullptr) {
  ClientAnswer answer;
  answer.model = std::move(model);
  answer.operation = std::move(operation);
  answer.attempts = result.attempts;
  answer.upstream_ms = result.upstream_ms;
  answer.usage = result.usage;
  answer.key_id = result.key_id;
  if (result.outcome != ForwardResult::Outcome::kSuccess) {
    answer.reply = std::move(result.failure);
    return answer;
  }
  answer.reply.status = result.head.status;
  answer.reply.content_type =
      result.head.content_type.empty() ? "application/json; charset=UTF-8" : result.head.content_type;
  std::optional<std::string> rewritten = rewrite ? rewrite(sink.body()) : std::nullopt;
  answer.reply.body = rewritten.has_value() ? *std::move(rewritten) : std::move(sink.body());
  answer.headers = result.head.passthrough;
  return answer;
}

}  // namespace

VertexRoutes::VertexRoutes(Forwarder& forwarder) : forwarder_(forwarder) {}

std::vector<ApiRoute> VertexRoutes::Routes() {
  std::vector<ApiRoute> routes;
  ApiRoute generate;
  generate.verb = "POST";
  generate.path = kGeneratePath;
  generate.handler = [this](const ClientCall& call) { return Generate(call); };
  generate.try_on_loop = true;
  ApiRoute publisher_generate = generate;
  publisher_generate.path = kPublisherGeneratePath;
  routes.push_back(std::move(generate));
  routes.push_back(std::move(publisher_generate));
  ApiRoute list;
  list.verb = "GET";
  list.path = kListPath;
  list.handler = [this](const ClientCall& call) { return ListModels(call); };
  list.try_on_loop = true;
  routes.push_back(std::move(list));
  return routes;
}

ClientAnswer VertexRoutes::Generate(const ClientCall& call) {
  gemini::Route route;
  route.api_version = call.path_params.size() > 0 ? call.path_params[0] : "v1beta";
  route.model = call.path_params.size() > 1 ? call.path_params[1] : "";
  route.method = call.path_params.size() > 2 && call.path_params[2] == "streamGenerateContent"
                     ? gemini::Method::kStreamGenerateContent
                     : gemini::Method::kGenerateContent;
  const gemini::BaseUrl& base = call.settings->vertex_base_url;

  // The call's body is only valid while the handler runs: the forward keeps
  // its own copy (the bytes unchanged).
  auto body = std::make_shared<const std::string>(call.body);
  auto forward = std::make_shared<ForwardRequest>();
  forward->settings = call.settings;
  forward->route = route;
  forward->http_method = "POST";
  forward->target = VertexTarget(base, route, call.raw_query);
  forward->body = *body;
  forward->headers = call.upstream_headers;
  forward->pool = v1::POOL_VERTEX;
  forward->client_token_id = TokenId(call.auth.token);
  forward->operation = absl::StrCat("vertex.", gemini::MethodName(route.method));

  ClientAnswer answer;
  answer.model = route.model;
  answer.operation = forward->operation;
  Forwarder& forwarder = forwarder_;
  if (route.IsStream()) {
    answer.stream = [forward, body, &forwarder](ResponseSink& sink, StreamDone done) {
      return forwarder.ForwardAsync(*forward, sink, [forward, body, done = std::move(done)](ForwardResult result) {
        done(std::move(result));
      });
    };
    return answer;
  }
  answer.later = [forward, body, &forwarder](std::function<void(ClientAnswer)> done) -> std::shared_ptr<ForwardCall> {
    auto sink = std::make_shared<BufferedSink>();
    return forwarder.ForwardAsync(*forward, *sink, [forward, body, sink, done = std::move(done)](ForwardResult result) {
      done(AnswerOf(std::move(result), *sink, forward->route.model, forward->operation));
    });
  };
  return answer;
}

ClientAnswer VertexRoutes::ListModels(const ClientCall& call) {
  gemini::Route route;
  route.api_version = "v1beta";  // Models are listed from the Gemini API, as gemini-balance does.
  route.method = gemini::Method::kListModels;
  route.model.clear();
  const gemini::BaseUrl& base = call.settings->base_url;
  auto forward = std::make_shared<ForwardRequest>();
  forward->settings = call.settings;
  forward->route = route;
  forward->http_method = "GET";
  forward->target = gemini::BuildUpstreamTarget(base, route, call.raw_query);
  forward->headers = call.upstream_headers;
  forward->pool = v1::POOL_GEMINI;
  forward->client_token_id = TokenId(call.auth.token);
  forward->operation = "vertex.listModels";

  // The list shows the derived models of the request's model options.
  std::function<std::optional<std::string>(const std::string&)> rewrite =
      [options = call.settings->conversion](const std::string& body) -> std::optional<std::string> {
    absl::StatusOr<nlohmann::json> page = openai::ParseJson(body);
    if (!page.ok()) return std::nullopt;
    absl::StatusOr<nlohmann::json> with_derived = openai::WithDerivedGeminiModels(*page, *options);
    if (!with_derived.ok()) return std::nullopt;
    return with_derived->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  ClientAnswer answer;
  answer.operation = forward->operation;
  Forwarder& forwarder = forwarder_;
  answer.later = [forward, rewrite, &forwarder](std::function<void(ClientAnswer)> done)
      -> std::shared_ptr<ForwardCall> {
    auto sink = std::make_shared<BufferedSink>();
    return forwarder.ForwardAsync(*forward, *sink, [forward, rewrite, sink, done = std::move(done)](ForwardResult result) {
      done(AnswerOf(std::move(result), *sink, "", forward->operation, rewrite));
    });
  };
  return answer;
}

}  // namespace gempool::gateway
