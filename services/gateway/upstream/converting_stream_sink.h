#pragma once
// The ResponseSink between the Forwarder and a streaming client of a
// converted API (OpenAI chat, Anthropic messages): reads Gemini's
// :streamGenerateContent?alt=sse body as it arrives (events may be cut
// anywhere by the network), hands each event to the dialect's converter and
// writes what it returns to the client at once, never collected; Complete()
// adds the dialect's closing events. Nothing reaches the client before the
// first converted byte, so an attempt that fails before that is still retried
// with another key. Upstream errors become the dialect's errors: before the
// first byte as the HTTP answer (status kept), after it as a final error
// event.
//
// Heartbeat (optional): once the upstream has answered 2xx, a stream quiet
// for `interval` gets `bytes` (e.g. Anthropic's ping event), so clients that
// give up on a silent connection (Claude Code after 5 minutes) wait while a
// model thinks. The first heartbeat commits the response.
//
// Threads: the Forwarder feeds Begin/Write/Complete one call at a time from
// loop threads; the heartbeat timer runs on the loop too. `mu_` serialises
// them, and is held while writing to the client (which only buffers; no
// I/O). A sink with a heartbeat must be owned by a shared_ptr.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/status/statusor.h"
#include "gempool/common/mutex.h"
#include "upstream/forwarder.h"
#include "gempool/gemini/sse_splitter.h"
#include "nlohmann/json.hpp"

namespace gempool::gateway {

class ConvertingStreamSink : public ResponseSink, public std::enable_shared_from_this<ConvertingStreamSink> {
 public:
  struct Heartbeat {
    boost::asio::io_context* io = nullptr;  // nullptr: no heartbeat.
    std::chrono::milliseconds interval{10000};
    std::string bytes;
  };

  // `client` receives the converted stream; `extra_headers` go on its
  // response head (e.g. x-gempool-warnings).
  ConvertingStreamSink(ResponseSink& client, HeaderList extra_headers, Heartbeat heartbeat);
  ~ConvertingStreamSink() override;

  // ResponseSink, fed by the Forwarder.
  void Begin(const UpstreamResponseHead& head) final ABSL_LOCKS_EXCLUDED(mu_);
  bool Write(absl::string_view data) final ABSL_LOCKS_EXCLUDED(mu_);
  bool Committed() const final { return client_.Committed(); }
  bool PauseUntilDrained(std::function<void()> resume) final {
    return client_.PauseUntilDrained(std::move(resume));
  }

  // After the forward ended with `result`: ends the client's stream as the
  // result requires and returns what the client got (a kFailed result's
  // failure is a reply in the dialect).
  ForwardResult Complete(ForwardResult result) ABSL_LOCKS_EXCLUDED(mu_);

 protected:
  // A failure in the dialect: `reply` when nothing reached the client yet,
  // `event` (framed bytes) as the stream's last words otherwise.
  struct Failure {
    HttpReply reply;
    std::string event;
  };

  // Writes `bytes` to the client after Complete() (a sink that held back its
  // last events); false when the client is gone.
  bool WriteAfterComplete(const std::string& bytes) ABSL_LOCKS_EXCLUDED(mu_);

  // A new attempt begins: forget any converted state.
  virtual void ResetConversion() = 0;
  // The framed bytes for one Gemini event (possibly ""). A non-OK status
  // for an event the dialect cannot convert; an {"error":...} event also
  // lands here and is then passed to UpstreamErrorEvent.
  virtual absl::StatusOr<std::string> ConvertEvent(const nlohmann::json& event) = 0;
  // The closing bytes after the upstream body ended normally.
  virtual std::string Closing() = 0;
  // An in-stream Gemini error event.
  virtual Failure UpstreamErrorEvent(const nlohmann::json& event) = 0;
  // gempool's own 502 for a stream it cannot use (`message` says why).
  virtual Failure BadUpstream(absl::string_view message) = 0;
  // The last event of a stream whose upstream broke off after bytes reached
  // the client.
  virtual std::string BrokenStreamEvent() = 0;
  // The Forwarder's Gemini-shaped failure (nothing was committed).
  virtual HttpReply UpstreamFailure(const HttpReply& gemini_failure) = 0;
  // Called when the upstream ended cleanly but the dialect saw no finish
  // (worth a warning in the log).
  virtual bool UpstreamFinished() const = 0;
  // For log lines ("chat.completions", "messages").
  virtual const char* OperationName() const = 0;
  virtual const std::string& ModelName() const = 0;

 private:
  bool HandleEvents(const std::vector<std::string>& events) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool WriteLocked(const std::string& bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records `failure`; once the stream is committed its event also goes out.
  // Returns false (stop reading upstream).
  bool Fail(Failure failure) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ArmHeartbeatLocked(std::chrono::steady_clock::time_point at) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnHeartbeat() ABSL_LOCKS_EXCLUDED(mu_);

  ResponseSink& client_;
  const HeaderList extra_headers_;
  const Heartbeat heartbeat_;
  Mutex mu_;
  gemini::SseSplitter splitter_ ABSL_GUARDED_BY(mu_);
  bool saw_event_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<Failure> failure_ ABSL_GUARDED_BY(mu_);
  std::optional<boost::asio::steady_timer> timer_ ABSL_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point last_write_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::gateway
