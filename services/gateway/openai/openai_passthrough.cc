#include "openai/openai_passthrough.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gempool/common/secrets.h"
#include "gempool/gemini/url.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_reader.h"
#include "nlohmann/json.hpp"
#include "openai/openai_answers.h"

namespace gempool::gateway {
namespace {

using nlohmann::json;

bool IsModelIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~' ||
         c == '@' || c == '+';
}

// The model the body names, as the key broker tracks quotas ("" when none or
// not a plain model id).
std::string QuotaModelOf(const json& body) {
  if (!body.is_object() || !body.contains("model") || !body["model"].is_string()) return "";
  absl::string_view model = body["model"].get_ref<const std::string&>();
  absl::ConsumePrefix(&model, "models/");
  for (char c : model) {
    if (!IsModelIdChar(c)) return "";
  }
  return std::string(model);
}

}  // namespace

OpenAIPassthrough::OpenAIPassthrough(const GeminiCaller& caller) : caller_(caller) {}

ClientAnswer OpenAIPassthrough::Handle(const ClientCall& call) {
  ClientAnswer answer;
  absl::string_view raw_rest = call.raw_path;
  if (!absl::ConsumePrefix(&raw_rest, "/openai/v1/")) raw_rest = "";
  const std::string rest = gemini::PercentDecode(raw_rest, /*plus_as_space=*/false);
  answer.operation = absl::StrCat("openai.", absl::StrReplaceAll(rest, {{"/", "."}}));
  for (absl::string_view segment : absl::StrSplit(rest, '/')) {
    if (segment == "." || segment == "..") {
      answer.reply = OpenAIStatusReply(absl::InvalidArgumentError(
          absl::StrCat("the path /openai/v1/", rest, " has '.' or '..' segments; name an endpoint such as "
                                                     "/openai/v1/chat/completions")));
      return answer;
    }
  }
  if (rest.empty()) {
    answer.reply = OpenAIStatusReply(absl::NotFoundError(
        "name an endpoint of Google's OpenAI-compatible API, e.g. POST /openai/v1/chat/completions or "
        "GET /openai/v1/models"));
    return answer;
  }

  // The body is only read (for the model and "stream"), never rewritten.
  // Null when it is not JSON (or not a POST): no model, no "stream".
  const json body = call.method == "POST" ? openai::ParseJson(call.body).value_or(json()) : json();
  const bool stream = body.is_object() && body.value("stream", false) == true;
  gemini::Route route = caller_.ListModelsRoute(*call.settings);
  route.model = QuotaModelOf(body);
  if (call.method == "POST") {
    route.method = stream ? gemini::Method::kStreamGenerateContent : gemini::Method::kGenerateContent;
    if (absl::StartsWith(rest, "embeddings")) route.method = gemini::Method::kBatchEmbedContents;
    if (absl::StartsWith(rest, "images")) route.method = gemini::Method::kPredict;
  } else if (!route.model.empty()) {
    route.method = gemini::Method::kGetModel;
  }
  answer.model = route.model;

  const gemini::BaseUrl& base = call.settings->base_url;
  ForwardRequest forward;
  forward.settings = call.settings;
  forward.route = route;
  forward.http_method = call.method;
  forward.target.scheme_host_port = base.SchemeHostPort();
  forward.target.path_and_query =
      absl::StrCat(base.path, base.version.empty() ? "" : "/", base.version, "/openai/", raw_rest);
  const std::string query = gemini::RemoveQueryParam(call.raw_query, "key");
  if (!query.empty()) absl::StrAppend(&forward.target.path_and_query, "?", query);
  forward.headers = call.upstream_headers;
  forward.key_placement = KeyPlacement::kBearerHeader;
  forward.operation = answer.operation;
  forward.client_token_id = TokenId(call.auth.token);

  if (stream) {
    auto owned_body = std::make_shared<const std::string>(call.body);
    const GeminiCaller& caller = caller_;
    forward.body = *owned_body;
    answer.stream = [forward = std::move(forward), owned_body, &caller](ResponseSink& sink, StreamDone done) {
      return caller.forwarder().ForwardAsync(forward, sink,
                                             [owned_body, done = std::move(done)](ForwardResult result) {
                                               if (result.outcome == ForwardResult::Outcome::kFailed) {
                                                 result.failure = OpenAIUpstreamFailure(result.failure);
                                               }
                                               done(std::move(result));
                                             });
    };
    return answer;
  }

  forward.body = call.body;
  GeminiCaller::Buffered result = caller_.Call(forward);
  answer.attempts = result.result.attempts;
  answer.upstream_ms = result.result.upstream_ms;
  answer.key_id = result.result.key_id;
  if (!result.ok()) {
    answer.reply = OpenAIUpstreamFailure(result.result.failure);
    return answer;
  }
  answer.reply.status = result.result.head.status;
  answer.reply.content_type =
      result.result.head.content_type.empty() ? "application/json" : result.result.head.content_type;
  answer.reply.body = std::move(result.body);
  return answer;
}

}  // namespace gempool::gateway
