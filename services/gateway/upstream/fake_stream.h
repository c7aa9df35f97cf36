#pragma once
// Fake streaming (FAKE_STREAM_ENABLED): a client that asked for a stream is
// served by ONE non-streamed upstream call (:generateContent, buffered
// through the Forwarder, so a failing attempt is retried with another key),
// while the client gets a heartbeat every `interval`; when the answer is in,
// it goes out whole in the stream's format, then the stream ends. This keeps
// long answers (thinking models) alive behind proxies that cut idle
// connections (Cloudflare, Hugging Face Spaces: ~100 s or less).
//
// The 200 head is committed only when the first heartbeat is due: an
// upstream failure within the first interval is still answered with its own
// HTTP status; after that it becomes the dialect's in-stream error event.
// The dialect (OpenAI chat chunks, the Gemini SSE or JSON-array stream)
// says how heartbeats, answers and errors are worded.
//
// Threads: the Forwarder's completion and the heartbeat timer run on event-
// loop threads; a mutex serialises them and is held while writing to the
// client sink (which only buffers; no I/O under it).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "http/client_call.h"
#include "upstream/forwarder.h"

namespace gempool::gateway {

class FakeStreamDialect {
 public:
  // A failure: `reply` when nothing reached the client yet, `event` (framed
  // bytes) as the stream's last words otherwise.
  struct Failure {
    HttpReply reply;
    std::string event;
  };
  // The whole answer as stream bytes, or why it cannot be.
  struct Answer {
    std::string bytes;
    std::optional<Failure> failure;
  };

  virtual ~FakeStreamDialect() = default;
  // Content-Type of the stream.
  virtual std::string ContentType() const = 0;
  // One heartbeat's bytes (must not change what the client parses).
  virtual std::string Heartbeat() const = 0;
  // Before Convert: an asynchronous step over the complete 2xx body (the
  // chat dialect uploads its inline images there, UPLOAD_PROVIDER);
  // heartbeats go on meanwhile. `then` gets the body to convert (a dialect
  // that kept the answer parsed for its Convert may pass "") and an
  // x-gempool-warnings value ("" for none), which goes on the response head
  // while it has not gone out, as WarningEvent() after. Default: the body as
  // it came.
  using Prepared = std::function<void(std::string body, std::string warnings)>;
  virtual void Prepare(std::string body, Prepared then) { then(std::move(body), ""); }
  // `warnings` as stream bytes the client's parser skips; "" when the
  // dialect has no such thing.
  virtual std::string WarningEvent(const std::string& /*warnings*/) const { return ""; }
  // The stream for the upstream's complete 2xx body.
  virtual Answer Convert(const std::string& body) = 0;
  // The Forwarder's (Gemini-shaped) failure in this dialect.
  virtual Failure UpstreamFailure(const HttpReply& gemini_failure) = 0;
};

struct FakeStreamSpec {
  // The non-streamed upstream call. Its body view must stay valid as long as
  // `keep_alive` (which the stream holds until it ends).
  ForwardRequest request;
  std::shared_ptr<const void> keep_alive;
  std::shared_ptr<FakeStreamDialect> dialect;
  std::chrono::milliseconds interval{5000};
  // Extra headers on the client's response head (e.g. x-gempool-warnings).
  HeaderList extra_headers;
};

// The stream job serving `spec` through `forwarder` (which must outlive it).
StreamJob FakeStreamJob(Forwarder& forwarder, FakeStreamSpec spec);

// SSE comment framing (": <text>\n\n"): both the openai npm SDK and
// @google/genai skip comment-only events without yielding anything.
std::string SseCommentHeartbeat();

}  // namespace gempool::gateway
