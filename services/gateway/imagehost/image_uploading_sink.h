#pragma once
// Image hosting for a streamed Gemini answer: a ResponseSink between the
// Forwarder and the dialect's converting sink (e.g. ChatStreamSink). It
// splits Gemini's SSE body into events; an event with an inline image is
// held while ImageUploader uploads it, then passed on with the link in the
// image's place; events after it wait (in order) and the upstream read
// pauses meanwhile. Events without images pass on at once. An image that
// cannot be uploaded is passed on inline; the client then gets an SSE comment
// ": x-gempool-warnings: <why>" just before it (the response head has gone
// out by then), which SDKs skip, and the gateway log says it too.
//
// Threads: the Forwarder calls Begin/Write/PauseUntilDrained one at a time
// on loop threads; upload completions come on loop threads too. `mu_`
// serialises them and is held while writing to the inner sink and the
// client (which only buffer; no I/O). Must be owned by a shared_ptr.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gempool/common/mutex.h"
#include "gempool/gemini/sse_splitter.h"
#include "imagehost/image_uploader.h"
#include "upstream/forwarder.h"

namespace gempool::gateway {

class ImageUploadingSink final : public ResponseSink, public std::enable_shared_from_this<ImageUploadingSink> {
 public:
  // `inner` converts the (rewritten) Gemini stream; `client` is the
  // client's stream, for the warning comments. All must outlive the sink's
  // last callback (the handler keeps them alive until WhenDrained's `then`).
  ImageUploadingSink(ResponseSink& inner, ResponseSink& client, ImageUploader& uploader, ImageHosting hosting);

  void Begin(const UpstreamResponseHead& head) override ABSL_LOCKS_EXCLUDED(mu_);
  bool Write(absl::string_view data) override ABSL_LOCKS_EXCLUDED(mu_);
  bool Committed() const override { return inner_.Committed(); }
  bool PauseUntilDrained(std::function<void()> resume) override ABSL_LOCKS_EXCLUDED(mu_);

  // After the forward ended: runs `then` once every event has gone on to
  // the inner sink (at once, inside this call, when none waits). With
  // `flush_rest`, a last event the body did not end with a blank line goes
  // on too (a successful end).
  void WhenDrained(bool flush_rest, std::function<void()> then) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // An event that needs an upload, taken off the queue's front.
  struct UploadJob {
    uint64_t generation = 0;
    std::shared_ptr<nlohmann::json> event;
  };
  // Passes queued events on until one needs an upload (returned, to start
  // outside the lock). False in `ok` when the inner sink refused bytes.
  std::optional<UploadJob> PumpLocked(bool& ok) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Start(UploadJob job) ABSL_LOCKS_EXCLUDED(mu_);
  void OnUploaded(uint64_t generation, std::shared_ptr<nlohmann::json> event, std::vector<std::string> warnings)
      ABSL_LOCKS_EXCLUDED(mu_);
  // After the queue emptied, outside the lock: the paused read resumes
  // (`resume`, taken from resume_), a waiting `then` runs (`drained`, taken
  // from drained_). Either may be null.
  void AfterDrain(std::function<void()> resume, std::function<void()> drained) ABSL_LOCKS_EXCLUDED(mu_);
  bool WriteEventLocked(const std::string& data) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WarnLocked(const std::vector<std::string>& warnings) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ResponseSink& inner_;
  ResponseSink& client_;
  ImageUploader& uploader_;
  const ImageHosting hosting_;
  Mutex mu_;
  gemini::SseSplitter splitter_ ABSL_GUARDED_BY(mu_);
  bool passthrough_ ABSL_GUARDED_BY(mu_) = false;  // The splitter failed: bytes go on unread.
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);  // Event data waiting behind an upload.
  bool uploading_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;  // Bumped by Begin: a new attempt.
  bool refused_ ABSL_GUARDED_BY(mu_) = false;     // The inner sink refused bytes (client gone).
  std::function<void()> resume_ ABSL_GUARDED_BY(mu_);
  std::function<void()> drained_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::gateway
