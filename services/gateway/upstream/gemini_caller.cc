#include "upstream/gemini_caller.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "upstream/buffered_sink.h"
#include "gempool/common/secrets.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_reader.h"
#include "openai/openai_answers.h"
#include "openai/openai_options.h"

namespace gempool::gateway {
namespace {

bool IsModelIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~' ||
         c == '@' || c == '+';
}

}  // namespace

ReplyDialect OpenAIReplyDialect() { return ReplyDialect{&OpenAIUpstreamFailure, &OpenAIBadUpstream}; }

GeminiCaller::GeminiCaller(Forwarder& forwarder) : forwarder_(forwarder) {}

absl::StatusOr<gemini::Route> GeminiCaller::RouteFor(const LiveSettings& settings, absl::string_view model,
                                                     gemini::Method method) const {
  gemini::Route route;
  route.api_version = OpenAIUpstreamVersion(settings.base_url.version);
  route.method = method;
  absl::string_view id = model;
  if (absl::ConsumePrefix(&id, "tunedModels/")) {
    route.collection = "tunedModels";
  } else {
    absl::ConsumePrefix(&id, "models/");
  }
  if (id.empty()) return openai::FieldError("model", "must name a Gemini model, e.g. \"gemini-2.5-flash\"");
  for (char c : id) {
    if (!IsModelIdChar(c)) {
      return openai::FieldError("model", absl::StrCat("'", model,
                                                      "' is not a valid model id: use letters, digits and "
                                                      "- . _ ~ @ + only, e.g. gemini-2.5-flash"));
    }
  }
  route.model = std::string(id);
  return route;
}

gemini::Route GeminiCaller::ListModelsRoute(const LiveSettings& settings) const {
  gemini::Route route;
  route.api_version = OpenAIUpstreamVersion(settings.base_url.version);
  route.method = gemini::Method::kListModels;
  route.model.clear();
  return route;
}

ForwardRequest GeminiCaller::MakeRequest(const std::shared_ptr<const LiveSettings>& settings,
                                         const gemini::Route& route, absl::string_view query,
                                         absl::string_view operation, absl::string_view body,
                                         const HeaderList& client_headers) const {
  ForwardRequest request;
  request.settings = settings;
  request.route = route;
  request.http_method = route.method == gemini::Method::kListModels || route.method == gemini::Method::kGetModel
                            ? "GET"
                            : "POST";
  request.target = gemini::BuildUpstreamTarget(settings->base_url, route, query);
  request.body = body;
  request.operation = std::string(operation);
  if (request.http_method == "POST") request.headers.emplace_back("Content-Type", "application/json");
  std::string user_agent = "gempool-gateway";
  for (const auto& [name, value] : client_headers) {
    if (absl::EqualsIgnoreCase(name, "User-Agent")) user_agent = value;
  }
  request.headers.emplace_back("User-Agent", user_agent);
  request.headers.emplace_back("Accept-Encoding", "identity");
  return request;
}

GeminiCaller::Buffered GeminiCaller::Call(const ForwardRequest& request) const {
  BufferedSink sink;
  Buffered out;
  out.result = forwarder_.Forward(request, sink);
  if (out.ok()) out.body = std::move(sink.body());
  return out;
}

std::optional<nlohmann::json> GeminiCaller::CallForJson(const gemini::Route& route, absl::string_view upstream_body,
                                                        const ClientCall& call, ClientAnswer& answer,
                                                        std::string* raw_body) const {
  ForwardRequest request = MakeRequest(call.settings, route, "", answer.operation, upstream_body, call.upstream_headers);
  request.client_token_id = TokenId(call.auth.token);
  return InterpretJson(Call(request), answer, raw_body, OpenAIReplyDialect());
}

std::shared_ptr<ForwardCall> GeminiCaller::CallForJsonAsync(const std::shared_ptr<const LiveSettings>& settings, const gemini::Route& route, std::shared_ptr<const std::string> upstream_body,
                                    const HeaderList& client_headers, ClientAnswer answer, JsonDone done,
                                    ReplyDialect dialect, std::string client_token_id) const {
  auto request = std::make_shared<ForwardRequest>(
      MakeRequest(settings, route, "", answer.operation, *upstream_body, client_headers));
  request->client_token_id = std::move(client_token_id);
  auto sink = std::make_shared<BufferedSink>();
  return forwarder_.ForwardAsync(*request, *sink,
                          [request, sink, upstream_body, answer = std::move(answer), done = std::move(done),
                           dialect](ForwardResult result) mutable {
                            Buffered buffered;
                            buffered.result = std::move(result);
                            if (buffered.ok()) buffered.body = std::move(sink->body());
                            std::string raw_body;
                            std::optional<nlohmann::json> parsed =
                                InterpretJson(std::move(buffered), answer, &raw_body, dialect);
                            done(std::move(parsed), std::move(answer), std::move(raw_body));
                          });
}

std::optional<nlohmann::json> GeminiCaller::InterpretJson(Buffered result, ClientAnswer& answer,
                                                          std::string* raw_body, ReplyDialect dialect) {
  answer.attempts += result.result.attempts;
  answer.upstream_ms += result.result.upstream_ms;
  if (result.result.usage.has_value()) {
    if (!answer.usage.has_value()) answer.usage.emplace();
    answer.usage->Add(*result.result.usage);
  }
  answer.key_id = result.result.key_id;
  if (!result.ok()) {
    answer.reply = dialect.upstream_failure(result.result.failure);
    return std::nullopt;
  }
  absl::StatusOr<nlohmann::json> parsed = openai::ParseJson(result.body);
  if (!parsed.ok()) {
    answer.reply = dialect.bad_upstream("the Gemini API answered with a body that is not JSON");
    return std::nullopt;
  }
  if (raw_body != nullptr) *raw_body = std::move(result.body);
  return *std::move(parsed);
}

}  // namespace gempool::gateway
