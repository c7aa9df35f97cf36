#pragma once
// Image hosting (UPLOAD_PROVIDER) in the gateway: uploads the inline images
// of a Gemini answer to the configured host (libs/imagehost builds each
// request and reads each answer) and puts the host's link in each image's
// place, so an OpenAI client gets "![image](https://...)" instead of a
// multi-megabyte data: URI. An image that cannot be uploaded stays inline
// and a warning (for x-gempool-warnings) says why; UPLOAD_PROVIDER=none keeps
// every image inline without a warning.
//
// The uploads are asynchronous on the gateway's event loop (their own
// upstream::UpstreamClient, so image hosts never share connections or
// proxies with Gemini calls): no thread waits for a host. Each upload is
// bounded by TIME_OUT as a whole (connect, send, answer). Settings come with
// each call (the request's live snapshot).
//
// Thread-safe. Callbacks run on a loop thread, one upload at a time per
// answer.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "absl/status/statusor.h"
#include "gempool/config/config.h"
#include "gempool/imagehost/upload.h"
#include "nlohmann/json.hpp"
#include "upstream/upstream_client.h"

namespace gempool::gateway {

// What an upload needs from the settings in force.
struct ImageHosting {
  ImageHostSettings settings;  // UPLOAD_PROVIDER and the host's settings.
  int timeout_seconds = 300;   // TIME_OUT: the longest one upload may take.

  // Whether answers with images need looking at (provider not "none").
  bool Enabled() const { return settings.provider != "none"; }
  // UPLOAD_PROVIDER=none (a default ImageHostSettings says "smms").
  static ImageHosting Off() {
    ImageHosting off;
    off.settings.provider = "none";
    return off;
  }
};

class ImageUploader {
 public:
  // The uploads run on `io`, which must outlive the uploader. The settings
  // come with each call (ImageHosting from the request's snapshot).
  explicit ImageUploader(boost::asio::io_context& io);
  ~ImageUploader();
  ImageUploader(const ImageUploader&) = delete;
  ImageUploader& operator=(const ImageUploader&) = delete;

  using LinkDone = std::function<void(absl::StatusOr<std::string>)>;
  // Uploads one image; `done` gets the public link or why not (the status
  // message names the host). Runs on a loop thread, never inside this call.
  void Upload(imagehost::Image image, const ImageHosting& hosting, LinkDone done);

  using AnswerDone = std::function<void(std::vector<std::string> warnings)>;
  // Replaces each inline image of `*answer` (a GenerateContentResponse or
  // one stream event) with its link, one upload after the other; `done`
  // gets a warning per image left inline. With nothing to upload (no image,
  // provider "none") or no usable host (missing settings: one warning)
  // `done` runs inside this call.
  void ReplaceInlineImages(std::shared_ptr<nlohmann::json> answer, const ImageHosting& hosting, AnswerDone done);

  // The same for a buffered call on a worker thread: blocks until done. Never
  // on a loop thread.
  std::vector<std::string> ReplaceInlineImagesBlocking(nlohmann::json& answer, const ImageHosting& hosting);

  // The warning for an image left inline because of `why`.
  static std::string InlineWarning(absl::string_view why);
  // The warning when `settings` lack what their provider needs; "" when
  // uploads can be tried (or the provider is "none").
  static std::string MissingSettingsWarning(const ImageHostSettings& settings);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gempool::gateway
