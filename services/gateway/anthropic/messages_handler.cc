#include "anthropic/messages_handler.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "anthropic/anthropic_answers.h"
#include "anthropic/messages_stream_sink.h"
#include "gempool/anthropic/betas.h"
#include "gempool/anthropic/request_converter.h"
#include "gempool/anthropic/response_converter.h"
#include "gempool/common/logging.h"
#include "gempool/common/secrets.h"
#include "openai/openai_answers.h"
#include "upstream/remote_media.h"

namespace gempool::gateway {
namespace {

using nlohmann::json;

constexpr char kMessagesExample[] =
    R"({"model": "claude-sonnet-4-6", "max_tokens": 1024, "messages": [{"role": "user", "content": "hi"}]})";

ClientAnswer Refuse(const absl::Status& status, const char* operation, std::string model = "") {
  ClientAnswer answer;
  answer.reply = AnthropicStatusReply(status);
  answer.model = std::move(model);
  answer.operation = operation;
  return answer;
}

std::string RequestedModel(const json& body) {
  return body.is_object() && body.contains("model") && body["model"].is_string() ? body["model"].get<std::string>()
                                                                                 : "";
}

// The header of `call` named `name` (lower case), "" when absent.
std::string HeaderOf(const ClientCall& call, absl::string_view name) {
  if (call.request_headers == nullptr) return "";
  for (const auto& [key, value] : *call.request_headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

}  // namespace

MessagesHandler::MessagesHandler(const GeminiCaller& caller, const MediaFetcher& fetcher)
    : caller_(caller), fetcher_(fetcher) {}

ClientAnswer MessagesHandler::Messages(const ClientCall& call) {
  constexpr char kOperation[] = "messages";
  absl::StatusOr<json> parsed = ParseRequestJson(call.body, kMessagesExample);
  if (!parsed.ok()) return Refuse(parsed.status(), kOperation);
  const json& body = *parsed;
  const LiveSettings& settings = *call.settings;
  absl::StatusOr<anthropic::MessagesRequest> converted = anthropic::ConvertMessagesRequest(
      body, anthropic::RequestKind::kMessages, *settings.conversion, *settings.anthropic_models);
  if (!converted.ok()) return Refuse(converted.status(), kOperation, RequestedModel(body));
  auto request = std::make_shared<anthropic::MessagesRequest>(*std::move(converted));
  openai::GeminiRequest& gemini = request->gemini;
  const std::string model = gemini.model.upstream;

  if (absl::Status count = CheckRemoteMediaCount(gemini, "messages"); !count.ok()) {
    return Refuse(count, kOperation, model);
  }
  if (!gemini.fetches.empty() && !call.may_block) {
    // Fetching URLs blocks: do this call again on a worker thread.
    ClientAnswer later;
    later.needs_worker = true;
    return later;
  }
  if (absl::Status fetched = InlineRemoteMedia(gemini, fetcher_, settings.timeout_seconds); !fetched.ok()) {
    return Refuse(fetched, kOperation, model);
  }

  absl::StatusOr<gemini::Route> route = caller_.RouteFor(
      settings, model, gemini.stream ? gemini::Method::kStreamGenerateContent : gemini::Method::kGenerateContent);
  if (!route.ok()) return Refuse(route.status(), kOperation, model);

  const anthropic::ResponseContext context = anthropic::MakeResponseContext(*request, *settings.conversion, ids_.Next("msg_"));
  auto upstream_body = std::make_shared<const std::string>(DumpJson(gemini.body));

  ClientAnswer answer;
  answer.model = model;
  answer.operation = kOperation;
  std::vector<std::string> warnings = gemini.warnings;
  for (std::string& beta : anthropic::UnservedBetaWarnings(HeaderOf(call, "anthropic-beta"))) {
    warnings.push_back(std::move(beta));
  }
  AddWarningsHeader(warnings, answer.headers);
  GEMPOOL_LOG(DEBUG) << "messages for " << gemini.model.requested << " on " << model
                     << (request->user_id.empty() ? "" : absl::StrCat(" (metadata.user_id ", request->user_id, ")"))
                     << (warnings.empty() ? "" : absl::StrCat(": ", WarningsHeaderValue(warnings)));

  if (gemini.stream) {
    ForwardRequest forward =
        caller_.MakeRequest(call.settings, *route, "alt=sse", kOperation, *upstream_body, call.upstream_headers);
    forward.client_token_id = TokenId(call.auth.token);
    const HeaderList extra_headers = answer.headers;
    const GeminiCaller& caller = caller_;
    answer.stream = [forward = std::move(forward), upstream_body, context, extra_headers, &caller](
                        ResponseSink& client, StreamDone done) {
      // The sink lives until the forward is done; `forward.body` views
      // `upstream_body`, which the completion holds as long.
      auto sink = std::make_shared<MessagesStreamSink>(client, context, extra_headers, &caller.forwarder().io(),
                                                       kPingInterval);
      return caller.forwarder().ForwardAsync(
          forward, *sink, [sink, upstream_body, done = std::move(done)](ForwardResult result) {
            done(sink->Complete(std::move(result)));
          });
    };
    return answer;
  }

  const GeminiCaller& caller = caller_;
  const gemini::Route messages_route = *route;
  answer.later = [&caller, settings = call.settings, messages_route, upstream_body,
                  client_headers = call.upstream_headers, context, token_id = TokenId(call.auth.token),
                  answer](std::function<void(ClientAnswer)> done) -> std::shared_ptr<ForwardCall> {
    return caller.CallForJsonAsync(
        settings, messages_route, upstream_body, client_headers, answer,
        [context, done = std::move(done)](std::optional<json> gemini_response, ClientAnswer answer,
                                          std::string raw_body) {
          if (gemini_response.has_value()) {
            absl::StatusOr<json> message = anthropic::ConvertMessagesResponse(*gemini_response, context);
            if (message.ok()) {
              answer.reply = AnthropicJsonReply(*message);
            } else if (gemini_response->is_object() && gemini_response->contains("error")) {
              answer.reply = AnthropicUpstreamFailure(HttpReply{HttpStatusForCode(message.status().code()),
                                                                "application/json", std::move(raw_body), ""});
            } else {
              answer.reply = AnthropicBadUpstream(message.status().message());
            }
          }
          done(std::move(answer));
        },
        AnthropicReplyDialect(), token_id);
  };
  return answer;
}

ClientAnswer MessagesHandler::CountTokens(const ClientCall& call) {
  constexpr char kOperation[] = "messages.count_tokens";
  absl::StatusOr<json> parsed = ParseRequestJson(
      call.body, R"({"model": "claude-sonnet-4-6", "messages": [{"role": "user", "content": "hi"}]})");
  if (!parsed.ok()) return Refuse(parsed.status(), kOperation);
  absl::StatusOr<anthropic::MessagesRequest> converted =
      anthropic::ConvertMessagesRequest(*parsed, anthropic::RequestKind::kCountTokens, *call.settings->conversion,
                                        *call.settings->anthropic_models);
  if (!converted.ok()) return Refuse(converted.status(), kOperation, RequestedModel(*parsed));
  anthropic::MessagesRequest& request = *converted;
  const std::string model = request.gemini.model.upstream;
  if (absl::Status count = CheckRemoteMediaCount(request.gemini, "messages"); !count.ok()) {
    return Refuse(count, kOperation, model);
  }
  if (!request.gemini.fetches.empty() && !call.may_block) {
    ClientAnswer later;
    later.needs_worker = true;
    return later;
  }
  if (absl::Status fetched = InlineRemoteMedia(request.gemini, fetcher_, call.settings->timeout_seconds); !fetched.ok()) {
    return Refuse(fetched, kOperation, model);
  }
  absl::StatusOr<gemini::Route> route = caller_.RouteFor(*call.settings, model, gemini::Method::kCountTokens);
  if (!route.ok()) return Refuse(route.status(), kOperation, model);
  auto upstream_body = std::make_shared<const std::string>(DumpJson(anthropic::CountTokensBody(request)));

  ClientAnswer answer;
  answer.model = model;
  answer.operation = kOperation;
  AddWarningsHeader(request.gemini.warnings, answer.headers);
  const GeminiCaller& caller = caller_;
  const gemini::Route count_route = *route;
  answer.later = [&caller, settings = call.settings, count_route, upstream_body,
                  client_headers = call.upstream_headers, token_id = TokenId(call.auth.token),
                  answer](std::function<void(ClientAnswer)> done) -> std::shared_ptr<ForwardCall> {
    return caller.CallForJsonAsync(
        settings, count_route, upstream_body, client_headers, answer,
        [done = std::move(done)](std::optional<json> gemini_response, ClientAnswer answer, std::string) {
          if (gemini_response.has_value()) {
            absl::StatusOr<json> count = anthropic::ConvertCountTokensResponse(*gemini_response);
            answer.reply = count.ok() ? AnthropicJsonReply(*count) : AnthropicBadUpstream(count.status().message());
          }
          done(std::move(answer));
        },
        AnthropicReplyDialect(), token_id);
  };
  return answer;
}

}  // namespace gempool::gateway
