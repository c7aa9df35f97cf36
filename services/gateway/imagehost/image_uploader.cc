#include "imagehost/image_uploader.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/common/logging.h"
#include "gempool/common/mutex.h"
#include "gempool/imagehost/inline_images.h"
#include "openai/openai_answers.h"

namespace gempool::gateway {
namespace {

using nlohmann::json;

// A host's answer is a small JSON or XML document; more is not an answer.
constexpr size_t kMaxAnswerBytes = 1 << 20;

// One upload in flight: the call, its deadline, what came back.
// `mu` is where the deadline timer's handler meets the call's callbacks; the
// callbacks (on_head, on_body, on_done) run one at a time and alone own what
// came back and `done`.
struct UploadCall : std::enable_shared_from_this<UploadCall> {
  UploadCall(boost::asio::io_context& io, ImageHostSettings s, imagehost::HttpUpload u, ImageUploader::LinkDone d)
      : timer(io), settings(std::move(s)), upload(std::move(u)), done(std::move(d)) {}

  Mutex mu;
  boost::asio::steady_timer timer ABSL_GUARDED_BY(mu);
  std::shared_ptr<upstream::UpstreamCall> call ABSL_GUARDED_BY(mu);
  bool timed_out ABSL_GUARDED_BY(mu) = false;
  const ImageHostSettings settings;
  const imagehost::HttpUpload upload;
  ImageUploader::LinkDone done;
  int status = 0;
  std::string body;
  bool too_big = false;
};

}  // namespace

struct ImageUploader::Impl {
  explicit Impl(boost::asio::io_context& io_context)
      : io(io_context), client(io_context, upstream::UpstreamClient::Options{}) {}
  boost::asio::io_context& io;
  upstream::UpstreamClient client;
};

ImageUploader::ImageUploader(boost::asio::io_context& io) : impl_(std::make_shared<Impl>(io)) {}

ImageUploader::~ImageUploader() { impl_->client.AbortAll(); }

std::string ImageUploader::InlineWarning(absl::string_view why) {
  return absl::StrCat("image left inline as a data: URI: ", why);
}

std::string ImageUploader::MissingSettingsWarning(const ImageHostSettings& settings) {
  const std::vector<std::string> missing = settings.MissingSettings();
  if (missing.empty() || settings.provider == "none") return "";
  return InlineWarning(absl::StrCat("UPLOAD_PROVIDER is ", settings.provider, " but ", absl::StrJoin(missing, ", "),
                                    missing.size() == 1 ? " is" : " are", " not set (set ",
                                    missing.size() == 1 ? "it" : "them",
                                    ", or UPLOAD_PROVIDER=none to keep images inline without this warning)"));
}

void ImageUploader::Upload(imagehost::Image image, const ImageHosting& hosting, LinkDone done) {
  absl::StatusOr<imagehost::HttpUpload> prepared =
      imagehost::PrepareUpload(hosting.settings, image, imagehost::FreshUploadEnv());
  if (!prepared.ok()) {
    boost::asio::post(impl_->io, [done = std::move(done), status = prepared.status()] { done(status); });
    return;
  }
  const int timeout = std::max(hosting.timeout_seconds, 1);
  auto state = std::make_shared<UploadCall>(impl_->io, hosting.settings, *prepared, std::move(done));
  upstream::UpstreamRequest request;
  request.method = prepared->method;
  request.scheme_host_port = prepared->scheme_host_port;
  request.path_and_query = prepared->path_and_query;
  request.headers = prepared->headers;
  request.body = std::move(prepared->body);
  // The deadline below ends the upload first; the client's own per-step
  // timeout is only a backstop.
  request.timeout_seconds = timeout + 1;

  upstream::AsyncUpstreamCallbacks callbacks;
  callbacks.on_head = [state](const upstream::UpstreamResponseHead& head) {
    state->status = head.status;
    return true;
  };
  callbacks.on_body = [state](absl::string_view piece) {
    if (state->body.size() + piece.size() > kMaxAnswerBytes) {
      state->too_big = true;
      return upstream::BodyAction::kCancel;
    }
    state->body.append(piece.data(), piece.size());
    return upstream::BodyAction::kContinue;
  };
  callbacks.on_done = [state, timeout](upstream::UpstreamResult result) {
    bool timed_out = false;
    {
      MutexLock lock(&state->mu);
      state->timer.cancel();
      state->call.reset();
      timed_out = state->timed_out;
    }
    const std::string label = imagehost::ProviderLabel(state->settings.provider);
    absl::StatusOr<std::string> link;
    if (result.kind == upstream::UpstreamResult::Kind::kComplete) {
      link = imagehost::ReadUploadAnswer(state->settings, state->upload, state->status, state->body);
    } else if (timed_out) {
      link = absl::DeadlineExceededError(
          absl::StrCat("the upload to ", label, " took longer than ", timeout, " s (TIME_OUT)"));
    } else if (state->too_big) {
      link = absl::FailedPreconditionError(absl::StrCat(label, " answered more than 1 MiB: not an upload answer"));
    } else {
      link = absl::UnavailableError(absl::StrCat("the upload to ", label, " failed: ",
                                                 result.detail.empty() ? "cancelled" : result.detail));
    }
    ImageUploader::LinkDone done = std::move(state->done);
    done(std::move(link));
  };
  // The whole upload within TIME_OUT (the client's own timeout is per step).
  {
    MutexLock lock(&state->mu);  // async_wait only queues the handler.
    state->timer.expires_after(std::chrono::seconds(timeout));
    state->timer.async_wait([weak = std::weak_ptr<UploadCall>(state)](const boost::system::error_code& ec) {
      if (ec) return;
      std::shared_ptr<UploadCall> alive = weak.lock();
      if (alive == nullptr) return;
      std::shared_ptr<upstream::UpstreamCall> to_cancel;
      {
        MutexLock lock(&alive->mu);
        alive->timed_out = true;
        to_cancel = alive->call;
      }
      if (to_cancel != nullptr) to_cancel->Cancel();
    });
  }
  std::shared_ptr<upstream::UpstreamCall> call = impl_->client.Start(std::move(request), std::move(callbacks));
  bool cancel_now = false;
  {
    MutexLock lock(&state->mu);
    state->call = call;
    cancel_now = state->timed_out;
  }
  if (cancel_now) call->Cancel();
}

namespace {

// The uploads of one answer, one after the other.
struct AnswerUploads : std::enable_shared_from_this<AnswerUploads> {
  ImageUploader* uploader = nullptr;
  std::shared_ptr<json> answer;
  ImageHosting hosting;
  std::vector<imagehost::InlineImageAt> images;
  size_t next = 0;
  std::vector<std::string> warnings;
  ImageUploader::AnswerDone done;

  void UploadNext() {
    while (next < images.size()) {
      const imagehost::InlineImageAt at = images[next++];
      absl::StatusOr<imagehost::Image> image = imagehost::ImageAt(*answer, at);
      if (!image.ok()) {
        warnings.push_back(ImageUploader::InlineWarning(image.status().message()));
        continue;
      }
      uploader->Upload(*std::move(image), hosting,
                       [self = shared_from_this(), at](absl::StatusOr<std::string> link) {
                         if (link.ok()) {
                           imagehost::ReplaceWithLink(*self->answer, at, *link);
                         } else {
                           GEMPOOL_LOG(WARNING) << "image upload: " << link.status().message();
                           self->warnings.push_back(ImageUploader::InlineWarning(link.status().message()));
                         }
                         self->UploadNext();
                       });
      return;
    }
    ImageUploader::AnswerDone finished = std::move(done);
    finished(std::move(warnings));
  }
};

}  // namespace

void ImageUploader::ReplaceInlineImages(std::shared_ptr<json> answer, const ImageHosting& hosting, AnswerDone done) {
  if (!hosting.Enabled()) return done({});
  std::vector<imagehost::InlineImageAt> images = imagehost::FindInlineImages(*answer);
  if (images.empty()) return done({});
  if (std::string missing = MissingSettingsWarning(hosting.settings); !missing.empty()) {
    return done({std::move(missing)});
  }
  auto uploads = std::make_shared<AnswerUploads>();
  uploads->uploader = this;
  uploads->answer = std::move(answer);
  uploads->hosting = hosting;
  uploads->images = std::move(images);
  uploads->done = std::move(done);
  uploads->UploadNext();
}

std::vector<std::string> ImageUploader::ReplaceInlineImagesBlocking(json& answer, const ImageHosting& hosting) {
  auto shared = std::make_shared<json>(std::move(answer));
  std::promise<std::vector<std::string>> finished;
  std::future<std::vector<std::string>> result = finished.get_future();
  ReplaceInlineImages(shared, hosting,
                      [&finished](std::vector<std::string> warnings) { finished.set_value(std::move(warnings)); });
  std::vector<std::string> warnings = result.get();
  answer = std::move(*shared);
  return warnings;
}

}  // namespace gempool::gateway
