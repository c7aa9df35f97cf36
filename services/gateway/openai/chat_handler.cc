#include "openai/chat_handler.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "openai/chat_fake_stream.h"
#include "openai/chat_stream_sink.h"
#include "gempool/imagehost/inline_images.h"
#include "imagehost/image_uploading_sink.h"
#include "gempool/common/logging.h"
#include "gempool/common/secrets.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/request_converter.h"
#include "gempool/openai/response_converter.h"
#include "openai/openai_answers.h"
#include "upstream/fake_stream.h"
#include "upstream/remote_media.h"

namespace gempool::gateway {
namespace {

using nlohmann::json;

constexpr char kOperation[] = "chat.completions";

ClientAnswer Refuse(const absl::Status& status, std::string model = "") {
  ClientAnswer answer;
  answer.reply = OpenAIStatusReply(status);
  answer.model = std::move(model);
  answer.operation = kOperation;
  return answer;
}

// The OpenAI answer for Gemini's `gemini_response` (`raw_body` as it came).
void FinishCompletion(const json& gemini_response, std::string raw_body, const openai::ResponseContext& context,
                      ClientAnswer& answer) {
  absl::StatusOr<json> completion = openai::ConvertChatResponse(gemini_response, context);
  if (!completion.ok()) {
    const bool upstream_error = gemini_response.is_object() && gemini_response.contains("error");
    answer.reply = upstream_error
                       ? OpenAIUpstreamFailure(HttpReply{openai::HttpStatusForCode(completion.status().code()),
                                                         "application/json", std::move(raw_body), ""})
                       : OpenAIBadUpstream(completion.status().message());
    return;
  }
  answer.reply = OpenAIJsonReply(*completion);
}

// The image chat model's answers go through the image host in force, as
// chat answers do (null without an uploader).
ImageChatHandler::HostImagesFn HostImagesWith(ImageUploader* uploader) {
  if (uploader == nullptr) return nullptr;
  return [uploader](json& answer, const LiveSettings& settings) {
    const ImageHosting hosting{settings.image_host, settings.timeout_seconds};
    return hosting.Enabled() ? uploader->ReplaceInlineImagesBlocking(answer, hosting) : std::vector<std::string>();
  };
}

}  // namespace

ChatHandler::ChatHandler(const GeminiCaller& caller, const MediaFetcher& fetcher, const Clock& clock,
                         ImageUploader* uploader)
    : caller_(caller),
      fetcher_(fetcher),
      clock_(clock),
      uploader_(uploader),
      image_chat_(caller, clock, HostImagesWith(uploader)) {}

ClientAnswer ChatHandler::Handle(const ClientCall& call) {
  const LiveSettings& settings = *call.settings;
  const openai::ConversionOptions& options = *settings.conversion;
  absl::StatusOr<json> parsed = ParseRequestJson(
      call.body, R"({"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]})");
  if (!parsed.ok()) return Refuse(parsed.status());
  const json& body = *parsed;
  if (image_chat_.Handles(body, options)) return image_chat_.Handle(call, body);
  absl::StatusOr<openai::GeminiRequest> converted = openai::ConvertChatRequest(body, options);
  if (!converted.ok()) {
    return Refuse(converted.status(), body.is_object() && body.contains("model") && body["model"].is_string()
                                          ? body["model"].get<std::string>()
                                          : "");
  }
  auto request = std::make_shared<openai::GeminiRequest>(*std::move(converted));
  const std::string model = request->model.requested;

  if (absl::Status count = CheckRemoteMediaCount(*request, "messages"); !count.ok()) return Refuse(count, model);
  if (!request->fetches.empty() && !call.may_block) {
    // Fetching image URLs blocks: do this call again on a worker thread.
    ClientAnswer later;
    later.needs_worker = true;
    return later;
  }
  if (absl::Status fetched = InlineRemoteMedia(*request, fetcher_, settings.timeout_seconds); !fetched.ok()) {
    return Refuse(fetched, model);
  }

  // FAKE_STREAM_ENABLED: a streamed call is served by one whole upstream
  // answer, with heartbeats meanwhile.
  const bool fake_stream = request->stream && settings.fake_stream;
  absl::StatusOr<gemini::Route> route = caller_.RouteFor(
      settings, request->model.upstream, request->stream && !fake_stream ? gemini::Method::kStreamGenerateContent
                                                               : gemini::Method::kGenerateContent);
  if (!route.ok()) return Refuse(route.status(), model);

  const openai::ResponseContext context =
      openai::MakeResponseContext(*request, options, clock_.NowUnixMs() / 1000, ids_.Next("chatcmpl-"));
  auto upstream_body = std::make_shared<const std::string>(DumpJson(request->body));
  const std::string token_id = TokenId(call.auth.token);

  // UPLOAD_PROVIDER and TIME_OUT as in force for this request; off for a
  // request that cannot be answered with images, so its stream is not
  // scanned for them.
  const ImageHosting hosting = uploader_ != nullptr && imagehost::RequestMayAnswerImages(
                                                           request->body, request->model.upstream)
                                   ? ImageHosting{settings.image_host, settings.timeout_seconds}
                                   : ImageHosting::Off();

  ClientAnswer answer;
  answer.model = model;
  answer.operation = kOperation;
  AddWarningsHeader(request->warnings, answer.headers);
  if (!request->warnings.empty()) {
    GEMPOOL_LOG(DEBUG) << "chat.completions for " << model << ": " << WarningsHeaderValue(request->warnings);
  }

  if (fake_stream) {
    FakeStreamSpec spec;
    spec.request = caller_.MakeRequest(call.settings, *route, "", kOperation, *upstream_body, call.upstream_headers);
    spec.request.client_token_id = token_id;
    spec.keep_alive = upstream_body;
    spec.dialect = MakeChatFakeStreamDialect(context, request->include_usage, uploader_, hosting);
    spec.interval = std::chrono::seconds(std::max(settings.fake_stream_interval_seconds, 1));
    spec.extra_headers = answer.headers;
    answer.stream = FakeStreamJob(caller_.forwarder(), std::move(spec));
    return answer;
  }

  if (request->stream) {
    ForwardRequest forward =
        caller_.MakeRequest(call.settings, *route, "alt=sse", kOperation, *upstream_body, call.upstream_headers);
    forward.client_token_id = token_id;
    const bool include_usage = request->include_usage;
    const HeaderList extra_headers = answer.headers;
    const GeminiCaller& caller = caller_;
    answer.stream = [forward = std::move(forward), upstream_body, context, include_usage, extra_headers,
                     &caller, uploader = uploader_, hosting](ResponseSink& client, StreamDone done) {
      // The converter lives until the forward is done; `forward.body` views
      // `upstream_body`, which the completion holds as long.
      auto sink = std::make_shared<ChatStreamSink>(client, context, include_usage, extra_headers);
      if (uploader == nullptr || !hosting.Enabled()) {
        return caller.forwarder().ForwardAsync(
            forward, *sink, [sink, upstream_body, done = std::move(done)](ForwardResult result) {
              done(sink->Complete(std::move(result)));
            });
      }
      // UPLOAD_PROVIDER: events with images wait for their links on the way
      // to the converter.
      auto images = std::make_shared<ImageUploadingSink>(*sink, client, *uploader, hosting);
      return caller.forwarder().ForwardAsync(
          forward, *images, [sink, images, upstream_body, done = std::move(done)](ForwardResult result) {
            const bool success = result.outcome == ForwardResult::Outcome::kSuccess;
            images->WhenDrained(success, [sink, images, result = std::move(result), done]() mutable {
              done(sink->Complete(std::move(result)));
            });
          });
    };
    return answer;
  }

  // The whole answer comes later: the call waits in the attempt loop on the
  // event loop, not on a thread.
  const GeminiCaller& caller = caller_;
  const gemini::Route chat_route = *route;
  answer.later = [&caller, settings = call.settings, chat_route, upstream_body, client_headers = call.upstream_headers, context, answer,
                  token_id, uploader = uploader_, hosting](std::function<void(ClientAnswer)> done)
                      -> std::shared_ptr<ForwardCall> {
    return caller.CallForJsonAsync(
        settings, chat_route, upstream_body, client_headers, answer,
        [context, uploader, hosting, done = std::move(done)](std::optional<json> gemini_response,
                                                             ClientAnswer answer, std::string raw_body) {
          if (gemini_response.has_value() && uploader != nullptr && hosting.Enabled() &&
              imagehost::MayHoldInlineImage(raw_body)) {
            // UPLOAD_PROVIDER: links in place of the inline images (on the
            // event loop, asynchronously), then the conversion.
            auto shared = std::make_shared<json>(*std::move(gemini_response));
            auto finish = [shared, context, answer, raw_body = std::move(raw_body),
                           done](std::vector<std::string> warnings) mutable {
              AddWarningsHeader(warnings, answer.headers);
              FinishCompletion(*shared, std::move(raw_body), context, answer);
              done(std::move(answer));
            };
            uploader->ReplaceInlineImages(shared, hosting, std::move(finish));
            return;
          }
          if (gemini_response.has_value()) FinishCompletion(*gemini_response, std::move(raw_body), context, answer);
          done(std::move(answer));
        },
        OpenAIReplyDialect(), token_id);
  };
  return answer;
}

}  // namespace gempool::gateway
