#include "imagehost/image_uploading_sink.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"
#include "gempool/imagehost/inline_images.h"
#include "openai/openai_answers.h"

namespace gempool::gateway {

using nlohmann::json;

ImageUploadingSink::ImageUploadingSink(ResponseSink& inner, ResponseSink& client, ImageUploader& uploader,
                                       ImageHosting hosting)
    : inner_(inner), client_(client), uploader_(uploader), hosting_(std::move(hosting)) {}

void ImageUploadingSink::Begin(const UpstreamResponseHead& head) {
  MutexLock lock(&mu_);
  // A new attempt: whatever the last one left is void, and an upload still
  // running for it is ignored when it ends.
  ++generation_;
  splitter_.Reset();
  passthrough_ = false;
  queue_.clear();
  uploading_ = false;
  refused_ = false;
  resume_ = nullptr;
  inner_.Begin(head);
}

bool ImageUploadingSink::Write(absl::string_view data) {
  std::optional<UploadJob> job;
  {
    MutexLock lock(&mu_);
    if (refused_) return false;
    if (passthrough_) return inner_.Write(data);
    absl::StatusOr<std::vector<std::string>> events = splitter_.Feed(data);
    if (!events.ok()) {
      // Let the converting sink judge the malformed stream itself.
      passthrough_ = true;
      return inner_.Write(data);
    }
    for (std::string& event : *events) queue_.push_back(std::move(event));
    bool ok = true;
    job = PumpLocked(ok);
    if (!ok) return false;
  }
  if (job.has_value()) Start(*std::move(job));
  return true;
}

bool ImageUploadingSink::PauseUntilDrained(std::function<void()> resume) {
  {
    MutexLock lock(&mu_);
    if (uploading_ || !queue_.empty()) {
      resume_ = std::move(resume);
      return true;
    }
  }
  return inner_.PauseUntilDrained(std::move(resume));
}

void ImageUploadingSink::WhenDrained(bool flush_rest, std::function<void()> then) {
  std::optional<UploadJob> job;
  bool drained_now = false;
  {
    MutexLock lock(&mu_);
    if (flush_rest && !passthrough_) {
      absl::StatusOr<std::vector<std::string>> rest = splitter_.Finish();
      if (rest.ok()) {
        for (std::string& event : *rest) queue_.push_back(std::move(event));
      }
    }
    bool ok = true;
    job = PumpLocked(ok);
    if (!uploading_ && !job.has_value()) {
      drained_now = true;  // `then` runs below, outside the lock.
    } else {
      drained_ = std::move(then);
    }
  }
  if (drained_now) {
    then();
    return;
  }
  if (job.has_value()) Start(*std::move(job));
}

std::optional<ImageUploadingSink::UploadJob> ImageUploadingSink::PumpLocked(bool& ok) {
  while (!uploading_ && !queue_.empty()) {
    if (refused_) {
      queue_.clear();
      ok = false;
      return std::nullopt;
    }
    if (imagehost::MayHoldInlineImage(queue_.front())) {
      auto event = std::make_shared<json>(json::parse(queue_.front(), nullptr, /*allow_exceptions=*/false));
      if (!event->is_discarded() && !imagehost::FindInlineImages(*event).empty()) {
        const std::string missing = ImageUploader::MissingSettingsWarning(hosting_.settings);
        if (missing.empty()) {
          uploading_ = true;
          queue_.pop_front();
          return UploadJob{generation_, std::move(event)};
        }
        WarnLocked({missing});  // No usable host: the image goes on inline.
      }
    }
    const std::string data = std::move(queue_.front());
    queue_.pop_front();
    if (!WriteEventLocked(data)) {
      ok = false;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void ImageUploadingSink::Start(UploadJob job) {
  std::weak_ptr<ImageUploadingSink> weak = weak_from_this();
  std::shared_ptr<json> event = job.event;
  uploader_.ReplaceInlineImages(event, hosting_,
                                [weak, generation = job.generation, event](std::vector<std::string> warnings) {
                                  if (std::shared_ptr<ImageUploadingSink> self = weak.lock()) {
                                    self->OnUploaded(generation, event, std::move(warnings));
                                  }
                                });
}

void ImageUploadingSink::OnUploaded(uint64_t generation, std::shared_ptr<json> event,
                                    std::vector<std::string> warnings) {
  std::optional<UploadJob> job;
  bool drained_now = false;
  std::function<void()> resume;
  std::function<void()> drained;
  {
    MutexLock lock(&mu_);
    if (generation != generation_) return;  // An attempt that was given up.
    uploading_ = false;
    WarnLocked(warnings);
    bool ok = WriteEventLocked(event->dump(-1, ' ', false, json::error_handler_t::replace));
    if (ok) job = PumpLocked(ok);
    if (!ok) {
      refused_ = true;
      queue_.clear();
    }
    if (!job.has_value() && !uploading_) {
      drained_now = true;
      resume = std::move(resume_);
      drained = std::move(drained_);
      resume_ = nullptr;
      drained_ = nullptr;
    }
  }
  if (drained_now) {
    AfterDrain(std::move(resume), std::move(drained));
    return;
  }
  if (job.has_value()) Start(*std::move(job));
}

void ImageUploadingSink::AfterDrain(std::function<void()> resume, std::function<void()> drained) {
  if (resume != nullptr && !inner_.PauseUntilDrained(resume)) resume();
  if (drained != nullptr) drained();
}

bool ImageUploadingSink::WriteEventLocked(const std::string& data) {
  if (!inner_.Write(absl::StrCat("data: ", data, "\n\n"))) {
    refused_ = true;
    return false;
  }
  return true;
}

void ImageUploadingSink::WarnLocked(const std::vector<std::string>& warnings) {
  if (warnings.empty()) return;
  const std::string value = WarningsHeaderValue(warnings);
  GEMPOOL_LOG(INFO) << "streamed answer: " << value;
  client_.Write(absl::StrCat(": ", kWarningsHeader, ": ", value, "\n\n"));
}

}  // namespace gempool::gateway
