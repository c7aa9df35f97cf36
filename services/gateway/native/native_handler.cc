#include "native/native_handler.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_join.h"
#include "gempool/common/logging.h"
#include "gempool/common/secrets.h"
#include "gempool/gemini/route.h"
#include "gempool/gemini/url.h"
#include "gempool/openai/json_reader.h"
#include "gempool/openai/json_writer.h"
#include "gempool/openai/models.h"
#include "http/stream_serving.h"
#include "logs/request_log_row.h"
#include "native/native_fake_stream.h"
#include "native/native_options.h"
#include "upstream/buffered_sink.h"
#include "upstream/client_headers.h"
#include "upstream/fake_stream.h"

namespace gempool::gateway {
namespace {

using nlohmann::json;

// What a whole native answer's body becomes before it reaches the client
// (the model list with derived models); nullopt: as it came.
using BodyRewrite = std::function<std::optional<std::string>(const std::string& body)>;

// The list page with FILTERED_MODELS hidden and derived models added; an
// answer that is not a list page is passed on as it came.
BodyRewrite ListRewrite(std::shared_ptr<const openai::ConversionOptions> options) {
  return [options = std::move(options)](const std::string& body) -> std::optional<std::string> {
    absl::StatusOr<json> page = openai::ParseJson(body);
    if (!page.ok()) return std::nullopt;
    absl::StatusOr<json> rewritten = openai::WithDerivedGeminiModels(*page, *options);
    if (!rewritten.ok()) return std::nullopt;
    return openai::WriteJson(*rewritten);
  };
}

// The base model's object renamed to the derived id the client asked for.
BodyRewrite DerivedModelRewrite(openai::ResolvedModel model) {
  return [model = std::move(model)](const std::string& body) -> std::optional<std::string> {
    absl::StatusOr<json> base = openai::ParseJson(body);
    if (!base.ok() || !base->is_object()) return std::nullopt;
    return openai::WriteJson(openai::DerivedGeminiModel(*base, model));
  };
}

}  // namespace

NativeHandler::NativeHandler(Forwarder& forwarder, RequestLogWriter& logs, const Clock& clock)
    : forwarder_(forwarder), logs_(logs), clock_(clock) {}

void NativeHandler::Serve(const std::shared_ptr<Exchange>& exchange, const gemini::ClientAuth& auth,
                          std::shared_ptr<const LiveSettings> settings, std::shared_ptr<void> hold) {
  const HttpRequest& req = exchange->request();
  RequestLogRow row = RequestLogRow::Start(clock_, auth.token);
  const std::string method = req.method == "HEAD" ? "GET" : req.method;

  absl::StatusOr<gemini::Route> route = gemini::ParseRoute(method, req.path);
  if (!route.ok()) {
    const HttpReply reply = ErrorReply(route.status());
    exchange->Reply(ToResponse(reply));
    row.operation = "unknown";
    row.Write(logs_, clock_, reply.status, 0, 0, false);
    return;
  }
  row.model = route->model;
  row.operation = gemini::MethodName(route->method);

  // The gateway's model options: derived ids, FILTERED_MODELS, the settings
  // a generate call's body gets.
  NativeCall call;
  call.route = *route;
  BodyRewrite rewrite;
  const std::shared_ptr<const openai::ConversionOptions>& options = settings->conversion;
  absl::StatusOr<NativeCall> prepared = PrepareNativeCall(*route, req.body, *options);
  if (!prepared.ok()) {
    const HttpReply reply = ErrorReply(prepared.status());
    exchange->Reply(ToResponse(reply));
    row.Write(logs_, clock_, reply.status, 0, 0, false);
    return;
  }
  call = *std::move(prepared);
  if (!call.warnings.empty()) {
    GEMPOOL_LOG(DEBUG) << row.operation << " for " << route->model << ": " << absl::StrJoin(call.warnings, "; ");
  }
  if (route->method == gemini::Method::kListModels) {
    rewrite = ListRewrite(options);
  } else if (route->method == gemini::Method::kGetModel && call.route.model != route->model) {
    absl::StatusOr<openai::ResolvedModel> model = openai::ResolveModel(route->model, *options);
    if (model.ok()) rewrite = DerivedModelRewrite(*std::move(model));
  }

  const gemini::BaseUrl& base_url = settings->base_url;
  // The body the forward views: the client's bytes, or the rewritten ones.
  // Both live as long as the forward (the exchange and `body` are held).
  std::shared_ptr<const std::string> body =
      call.body.has_value() ? std::make_shared<const std::string>(*std::move(call.body)) : nullptr;
  auto forward = std::make_shared<ForwardRequest>();
  forward->settings = settings;
  forward->route = call.route;
  forward->http_method = method;
  forward->headers = UpstreamHeaders(req);
  forward->body = body != nullptr ? absl::string_view(*body) : absl::string_view(req.body);
  forward->client_token_id = TokenId(auth.token);

  if (route->IsStream() && settings->fake_stream) {
    // FAKE_STREAM_ENABLED: one whole answer, heartbeats meanwhile.
    gemini::Route whole = call.route;
    whole.method = gemini::Method::kGenerateContent;
    const bool sse = gemini::QueryParam(req.raw_query, "alt").value_or("") == "sse";
    forward->route = whole;
    forward->target = gemini::BuildUpstreamTarget(base_url, whole, gemini::RemoveQueryParam(req.raw_query, "alt"));
    FakeStreamSpec spec;
    spec.request = *forward;
    spec.keep_alive = std::make_shared<std::pair<std::shared_ptr<Exchange>, std::shared_ptr<const std::string>>>(
        exchange, body);
    spec.dialect = MakeNativeFakeStreamDialect(sse);
    spec.interval = std::chrono::seconds(std::max(settings->fake_stream_interval_seconds, 1));
    ServeStream(exchange, FakeStreamJob(forwarder_, std::move(spec)), std::move(row), logs_, clock_,
                std::move(hold));
    return;
  }
  forward->target = gemini::BuildUpstreamTarget(base_url, call.route, req.raw_query);

  if (route->IsStream()) {
    Forwarder& forwarder = forwarder_;
    StreamJob job = [forward, body, exchange, &forwarder](ResponseSink& sink, StreamDone done) {
      return forwarder.ForwardAsync(*forward, sink,
                                    [forward, body, exchange, done = std::move(done)](ForwardResult result) {
                                      done(std::move(result));
                                    });
    };
    ServeStream(exchange, job, std::move(row), logs_, clock_, std::move(hold));
    return;
  }
  auto sink = std::make_shared<BufferedSink>();
  std::shared_ptr<ForwardCall> pending = forwarder_.ForwardAsync(
      *forward, *sink,
      [this, forward, body, sink, exchange, rewrite = std::move(rewrite), row = std::move(row),
       hold = std::move(hold)](ForwardResult result) mutable {
        HttpResponse response;
        if (result.outcome == ForwardResult::Outcome::kSuccess) {
          response.status = result.head.status;
          response.headers = result.head.passthrough;
          response.headers.emplace_back("Content-Type", result.head.content_type.empty()
                                                            ? "application/json; charset=UTF-8"
                                                            : result.head.content_type);
          std::optional<std::string> rewritten = rewrite ? rewrite(sink->body()) : std::nullopt;
          response.body = rewritten.has_value() ? *std::move(rewritten) : std::move(sink->body());
        } else {
          response = ToResponse(result.failure);
        }
        exchange->Reply(std::move(response));
        row.upstream_ms = result.upstream_ms;
        row.SetUsage(result.usage);
        row.Write(logs_, clock_, result.ClientStatus(), result.attempts, result.key_id, false);
      });
  exchange->CancelOnDeparture(std::move(pending));
}

}  // namespace gempool::gateway
