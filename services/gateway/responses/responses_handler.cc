#include "responses/responses_handler.h"

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"
#include "gempool/common/request_scope.h"
#include "gempool/common/secrets.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_reader.h"
#include "gempool/responses/errors.h"
#include "gempool/responses/response_converter.h"
#include "gempool/responses/storage.h"
#include "openai/openai_answers.h"
#include "responses/responses_stream_sink.h"
#include "upstream/remote_media.h"

namespace gempool::gateway {
namespace {

using nlohmann::json;

constexpr char kExample[] = R"({"model": "gemini-2.5-flash", "input": "hi"})";

ClientAnswer Refuse(const absl::Status& status, const char* operation, std::string model = "") {
  ClientAnswer answer;
  answer.reply = OpenAIStatusReply(status);
  answer.model = std::move(model);
  answer.operation = operation;
  return answer;
}

ClientAnswer OnWorker() {
  ClientAnswer later;
  later.needs_worker = true;
  return later;
}

std::string PreviousResponseId(const json& body) {
  if (!body.is_object()) return "";
  auto found = body.find("previous_response_id");
  return found != body.end() && found->is_string() ? found->get<std::string>() : "";
}

std::string PathId(const ClientCall& call) { return call.path_params.empty() ? "" : call.path_params[0]; }

}  // namespace

ResponsesHandler::ResponsesHandler(const GeminiCaller& caller, const MediaFetcher& fetcher,
                                   StoredResponsesClient& store, BlockingRunner run_blocking, const Clock& clock)
    : caller_(caller), fetcher_(fetcher), store_(store), run_blocking_(std::move(run_blocking)), clock_(clock) {}

absl::StatusOr<json> ResponsesHandler::Load(const std::string& id, const std::string& owner) const {
  absl::StatusOr<v1::StoredResponse> stored = store_.Get(id, owner);
  if (!stored.ok()) {
    // An id persistence refuses as malformed cannot name a stored response.
    if (absl::IsNotFound(stored.status()) || absl::IsInvalidArgument(stored.status())) {
      return absl::NotFoundError(stored.status().message());
    }
    return absl::UnavailableError(
        absl::StrCat("stored responses cannot be read now: ", stored.status().message()));
  }
  absl::StatusOr<json> parsed = openai::ParseJson(stored->body());
  if (!parsed.ok()) return absl::InternalError(absl::StrCat("the stored response ", id, " is damaged"));
  return parsed;
}

absl::StatusOr<std::optional<json>> ResponsesHandler::Previous(const json& body, const std::string& owner) const {
  const std::string previous_id = PreviousResponseId(body);
  if (previous_id.empty()) return std::optional<json>();
  absl::StatusOr<json> loaded = Load(previous_id, owner);
  if (!loaded.ok()) {
    return absl::IsNotFound(loaded.status()) ? responses::UnknownPreviousResponse(previous_id) : loaded.status();
  }
  return std::optional<json>(*std::move(loaded));
}

absl::Status ResponsesHandler::Store(const LiveSettings& settings, const responses::ResponsesRequest& request, const std::string& id,
                                     const std::string& owner, const json& stored_response) const {
  const std::string body = DumpJson(responses::BuildStoredResponse(request, stored_response));
  if (body.size() > settings.responses_store_max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the response was not stored: its stored form (input and output items) is ", body.size() >> 10,
        " KiB, more than RESPONSES_STORE_MAX_KB (", settings.responses_store_max_bytes >> 10,
        "); previous_response_id cannot continue from it, send the items instead"));
  }
  v1::StoredResponse row;
  row.set_id(id);
  row.set_owner(owner);
  const int64_t now = clock_.NowUnixMs();
  row.set_created_at_ms(now);
  row.set_expires_at_ms(now + int64_t{settings.responses_store_days} * 86'400'000);
  row.set_model(request.gemini.model.upstream);
  row.set_body(body);
  absl::Status put = store_.Put(row);
  if (!put.ok()) return absl::UnavailableError(absl::StrCat("the response was not stored: ", put.message()));
  return absl::OkStatus();
}

ClientAnswer ResponsesHandler::Create(const ClientCall& call) {
  constexpr char kOperation[] = "responses";
  absl::StatusOr<json> parsed = ParseRequestJson(call.body, kExample);
  if (!parsed.ok()) return Refuse(parsed.status(), kOperation);
  const json& body = *parsed;
  const std::string owner = TokenId(call.auth.token);
  const std::shared_ptr<const LiveSettings>& settings = call.settings;
  const std::shared_ptr<const openai::ConversionOptions>& conversion = settings->conversion;

  if (!PreviousResponseId(body).empty() && !call.may_block) return OnWorker();
  absl::StatusOr<std::optional<json>> previous = Previous(body, owner);
  if (!previous.ok()) return Refuse(previous.status(), kOperation);
  absl::StatusOr<responses::ResponsesRequest> converted =
      responses::ConvertResponsesRequest(body, *conversion, previous->has_value() ? &**previous : nullptr);
  if (!converted.ok()) return Refuse(converted.status(), kOperation);
  auto request = std::make_shared<responses::ResponsesRequest>(*std::move(converted));
  openai::GeminiRequest& gemini = request->gemini;
  const std::string model = gemini.model.upstream;
  if (absl::Status count = CheckRemoteMediaCount(gemini, "input"); !count.ok()) return Refuse(count, kOperation, model);
  if (!gemini.fetches.empty() && !call.may_block) return OnWorker();
  if (absl::Status fetched = InlineRemoteMedia(gemini, fetcher_, call.settings->timeout_seconds); !fetched.ok()) {
    return Refuse(fetched, kOperation, model);
  }
  absl::StatusOr<gemini::Route> route = caller_.RouteFor(
      *settings, model, gemini.stream ? gemini::Method::kStreamGenerateContent : gemini::Method::kGenerateContent);
  if (!route.ok()) return Refuse(route.status(), kOperation, model);

  const std::string id = ids_.Next("resp_");
  const responses::ResponseContext context =
      responses::MakeResponseContext(*request, *conversion, id, clock_.NowUnixMs() / 1000);
  const bool store = request->store && settings->responses_store_days > 0;
  auto upstream_body = std::make_shared<const std::string>(DumpJson(gemini.body));

  ClientAnswer answer;
  answer.model = model;
  answer.operation = kOperation;
  std::vector<std::string> warnings = gemini.warnings;
  if (request->store && settings->responses_store_days == 0) {
    warnings.push_back("store: responses are not kept on this gateway (RESPONSES_STORE_DAYS is 0)");
  }
  AddWarningsHeader(warnings, answer.headers);
  // The store calls run later on another thread: they name the request there.
  const std::string request_id = CurrentRequestId();

  if (gemini.stream) {
    ForwardRequest forward =
        caller_.MakeRequest(settings, *route, "alt=sse", kOperation, *upstream_body, call.upstream_headers);
    forward.client_token_id = owner;
    const HeaderList extra_headers = answer.headers;
    answer.stream = [this, settings, forward = std::move(forward), upstream_body, request, context, extra_headers,
                     store, id, owner, request_id](ResponseSink& client, StreamDone done) {
      auto sink = std::make_shared<ResponsesStreamSink>(client, context, extra_headers, store);
      return caller_.forwarder().ForwardAsync(
          forward, *sink,
          [this, settings, sink, upstream_body, request, store, id, owner, request_id,
           done = std::move(done)](ForwardResult result) {
            ForwardResult finished = sink->Complete(std::move(result));
            const json stored = sink->Stored();
            if (!store || finished.outcome != ForwardResult::Outcome::kSuccess || stored.is_null()) {
              sink->Release();
              done(std::move(finished));
              return;
            }
            // Stored before the closing event goes out (see the header).
            run_blocking_([this, settings, sink, request, id, owner, stored, request_id,
                           finished = std::move(finished), done]() mutable {
              ScopedRequestId request_scope(request_id);
              if (absl::Status kept = Store(*settings, *request, id, owner, stored); !kept.ok()) {
                GEMPOOL_LOG(WARNING) << "responses " << id << ": " << kept.message();
              }
              sink->Release();
              done(std::move(finished));
            });
          });
    };
    return answer;
  }

  const gemini::Route create_route = *route;
  answer.later = [this, settings, create_route, upstream_body, request, context, store, id, owner, request_id,
                  client_headers = call.upstream_headers, answer](std::function<void(ClientAnswer)> done)
                      -> std::shared_ptr<ForwardCall> {
    return caller_.CallForJsonAsync(
        settings, create_route, upstream_body, client_headers, answer,
        [this, settings, request, context, store, id, owner, request_id, done = std::move(done)](
            std::optional<json> gemini_response, ClientAnswer answer, std::string raw_body) {
          if (!gemini_response.has_value()) return done(std::move(answer));
          absl::StatusOr<responses::ConvertedResponse> converted =
              responses::ConvertResponsesResponse(*gemini_response, context);
          if (!converted.ok()) {
            const bool upstream_error = gemini_response->is_object() && gemini_response->contains("error");
            answer.reply = upstream_error
                               ? OpenAIUpstreamFailure(HttpReply{HttpStatusForCode(converted.status().code()),
                                                                 "application/json", std::move(raw_body), ""})
                               : OpenAIConversionFailure(converted.status());
            return done(std::move(answer));
          }
          answer.reply = OpenAIJsonReply(converted->response);
          if (!store) return done(std::move(answer));
          run_blocking_([this, settings, request, id, owner, request_id, stored = std::move(converted->stored),
                         answer = std::move(answer), done]() mutable {
            ScopedRequestId request_scope(request_id);
            if (absl::Status kept = Store(*settings, *request, id, owner, stored); !kept.ok()) {
              GEMPOOL_LOG(WARNING) << "responses " << id << ": " << kept.message();
              std::vector<std::string> warning = {std::string(kept.message())};
              AddWarningsHeader(warning, answer.headers);
            }
            done(std::move(answer));
          });
        },
        OpenAIReplyDialect(), owner);
  };
  return answer;
}

ClientAnswer ResponsesHandler::FromStored(const ClientCall& call, const char* operation,
                                          const std::function<absl::StatusOr<json>(const json&)>& render) const {
  if (!call.may_block) return OnWorker();
  const std::string id = PathId(call);
  absl::StatusOr<json> stored = Load(id, TokenId(call.auth.token));
  if (!stored.ok()) {
    return Refuse(absl::IsNotFound(stored.status()) ? responses::UnknownResponse(id) : stored.status(), operation);
  }
  absl::StatusOr<json> rendered = render(*stored);
  if (!rendered.ok()) return Refuse(absl::InternalError(rendered.status().message()), operation);
  ClientAnswer answer;
  answer.operation = operation;
  answer.reply = OpenAIJsonReply(*rendered);
  return answer;
}

ClientAnswer ResponsesHandler::Retrieve(const ClientCall& call) {
  const bool include_encrypted = absl::StrContains(call.raw_query, "reasoning.encrypted_content");
  return FromStored(call, "responses.retrieve", [include_encrypted](const json& stored) {
    return responses::RetrievedResponse(stored, include_encrypted);
  });
}

ClientAnswer ResponsesHandler::InputItems(const ClientCall& call) {
  return FromStored(call, "responses.input_items", &responses::InputItemsList);
}

ClientAnswer ResponsesHandler::Delete(const ClientCall& call) {
  constexpr char kOperation[] = "responses.delete";
  if (!call.may_block) return OnWorker();
  const std::string id = PathId(call);
  absl::StatusOr<bool> deleted = store_.Delete(id, TokenId(call.auth.token));
  if (!deleted.ok()) {
    return Refuse(absl::IsNotFound(deleted.status()) || absl::IsInvalidArgument(deleted.status())
                      ? responses::UnknownResponse(id)
                      : absl::UnavailableError(absl::StrCat("stored responses cannot be changed now: ",
                                                            deleted.status().message())),
                  kOperation);
  }
  if (!*deleted) return Refuse(responses::UnknownResponse(id), kOperation);
  ClientAnswer answer;
  answer.operation = kOperation;
  answer.reply = OpenAIJsonReply(responses::DeletedResponse(id));
  return answer;
}

ClientAnswer ResponsesHandler::InputTokens(const ClientCall& call) {
  constexpr char kOperation[] = "responses.input_tokens";
  absl::StatusOr<json> parsed = ParseRequestJson(call.body, kExample);
  if (!parsed.ok()) return Refuse(parsed.status(), kOperation);
  if (!PreviousResponseId(*parsed).empty() && !call.may_block) return OnWorker();
  absl::StatusOr<std::optional<json>> previous = Previous(*parsed, TokenId(call.auth.token));
  if (!previous.ok()) return Refuse(previous.status(), kOperation);
  absl::StatusOr<responses::ResponsesRequest> converted =
      responses::ConvertResponsesRequest(*parsed, *call.settings->conversion,
                                         previous->has_value() ? &**previous : nullptr);
  if (!converted.ok()) return Refuse(converted.status(), kOperation);
  openai::GeminiRequest& gemini = converted->gemini;
  const std::string model = gemini.model.upstream;
  if (absl::Status count = CheckRemoteMediaCount(gemini, "input"); !count.ok()) return Refuse(count, kOperation, model);
  if (!gemini.fetches.empty() && !call.may_block) return OnWorker();
  if (absl::Status fetched = InlineRemoteMedia(gemini, fetcher_, call.settings->timeout_seconds); !fetched.ok()) {
    return Refuse(fetched, kOperation, model);
  }
  absl::StatusOr<gemini::Route> route = caller_.RouteFor(*call.settings, model, gemini::Method::kCountTokens);
  if (!route.ok()) return Refuse(route.status(), kOperation, model);
  auto upstream_body = std::make_shared<const std::string>(DumpJson(openai::CountTokensBody(gemini)));
  ClientAnswer answer;
  answer.model = model;
  answer.operation = kOperation;
  AddWarningsHeader(gemini.warnings, answer.headers);
  const gemini::Route count_route = *route;
  answer.later = [this, settings = call.settings, count_route, upstream_body,
                  client_headers = call.upstream_headers, token_id = TokenId(call.auth.token),
                  answer](std::function<void(ClientAnswer)> done) -> std::shared_ptr<ForwardCall> {
    return caller_.CallForJsonAsync(
        settings, count_route, upstream_body, client_headers, answer,
        [done = std::move(done)](std::optional<json> gemini_response, ClientAnswer answer, std::string) {
          if (gemini_response.has_value()) {
            const json* total = gemini_response->is_object() && gemini_response->contains("totalTokens")
                                    ? &(*gemini_response)["totalTokens"]
                                    : nullptr;
            if (total != nullptr && total->is_number_integer()) {
              json count = json::object();
              count["object"] = "response.input_tokens";
              count["input_tokens"] = *total;
              answer.reply = OpenAIJsonReply(count);
            } else {
              answer.reply = OpenAIBadUpstream("the Gemini API's countTokens answer has no totalTokens");
            }
          }
          done(std::move(answer));
        },
        OpenAIReplyDialect(), token_id);
  };
  return answer;
}

}  // namespace gempool::gateway
