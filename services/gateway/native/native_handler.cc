#include "native/native_handler.h"

#include <utility>

#include "gempool/gemini/route.h"
#include "gempool/gemini/url.h"
#include "http/stream_serving.h"
#include "logs/request_log_row.h"
#include "upstream/buffered_sink.h"
#include "upstream/client_headers.h"

namespace gempool::gateway {

NativeHandler::NativeHandler(gemini::BaseUrl base_url, const LiveSettingsHolder* live, Forwarder& forwarder,
                             RequestLogWriter& logs, const Clock& clock)
    : base_url_(std::move(base_url)), live_(live), forwarder_(forwarder), logs_(logs), clock_(clock) {}

void NativeHandler::Serve(const std::shared_ptr<Exchange>& exchange, const gemini::ClientAuth& auth,
                          std::shared_ptr<void> hold) {
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

  // The request (and the body it views) lives as long as the forward.
  auto forward = std::make_shared<ForwardRequest>();
  forward->route = *route;
  forward->http_method = method;
  forward->target =
      gemini::BuildUpstreamTarget(live_ != nullptr ? live_->Get()->base_url : base_url_, *route, req.raw_query);
  forward->headers = UpstreamHeaders(req);
  forward->body = exchange->request().body;

  if (route->IsStream()) {
    Forwarder& forwarder = forwarder_;
    StreamJob job = [forward, exchange, &forwarder](ResponseSink& sink, StreamDone done) {
      return forwarder.ForwardAsync(*forward, sink, [forward, exchange, done = std::move(done)](ForwardResult result) {
        done(std::move(result));
      });
    };
    ServeStream(exchange, job, std::move(row), logs_, clock_, std::move(hold));
    return;
  }
  auto sink = std::make_shared<BufferedSink>();
  forwarder_.ForwardAsync(*forward, *sink,
                          [this, forward, sink, exchange, row = std::move(row), hold = std::move(hold)](
                              ForwardResult result) {
                            HttpResponse response;
                            if (result.outcome == ForwardResult::Outcome::kSuccess) {
                              response.status = result.head.status;
                              response.headers = result.head.passthrough;
                              response.headers.emplace_back("Content-Type", result.head.content_type.empty()
                                                                                ? "application/json; charset=UTF-8"
                                                                                : result.head.content_type);
                              response.body = std::move(sink->body());
                            } else {
                              response = ToResponse(result.failure);
                            }
                            exchange->Reply(std::move(response));
                            row.Write(logs_, clock_, result.ClientStatus(), result.attempts, result.key_id, false);
                          });
}

}  // namespace gempool::gateway
