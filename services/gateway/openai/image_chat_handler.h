#pragma once
// "<CREATE_IMAGE_MODEL>-chat" on /v1/chat/completions (gemini-balance's image
// chat model; libs/openai image_chat.h): the last user message's text drawn
// by CREATE_IMAGE_MODEL (Imagen :predict, served by PAID_KEY when it is set,
// as /v1/images/generations is; else the pool), answered as a chat message
// whose content is the images in Markdown. Streamed requests get the same
// answer as SSE chunks once the images are in. When image hosting is wired
// in (`host_images`), the images go through it first, so the answer carries
// links instead of data: URIs. Runs on a worker thread (it waits for the
// upstream call). Thread-safe.

#include <functional>
#include <string>
#include <vector>

#include "gempool/common/clock.h"
#include "gempool/openai/options.h"
#include "http/client_call.h"
#include "live_settings.h"
#include "nlohmann/json.hpp"
#include "upstream/gemini_caller.h"
#include "upstream/random_ids.h"

namespace gempool::gateway {

class ImageChatHandler {
 public:
  // Replaces the inline images of a Gemini answer with hosted links where it
  // can (the image host in `settings`, the request's snapshot); returns
  // warnings for x-gempool-warnings. Blocking (worker thread).
  using HostImagesFn =
      std::function<std::vector<std::string>(nlohmann::json& gemini_answer, const LiveSettings& settings)>;

  // Everything must outlive the handler; `host_images` may be null.
  ImageChatHandler(const GeminiCaller& caller, const Clock& clock, HostImagesFn host_images = nullptr);

  // Whether `body` (a parsed chat request) names the image chat model of
  // `options` (the request's).
  bool Handles(const nlohmann::json& body, const openai::ConversionOptions& options) const;

  // Answers `body` with the call's settings snapshot; `call.may_block`
  // false answers needs_worker.
  ClientAnswer Handle(const ClientCall& call, const nlohmann::json& body);

 private:
  const GeminiCaller& caller_;
  const Clock& clock_;
  const HostImagesFn host_images_;
  RandomIds ids_;
};

}  // namespace gempool::gateway
