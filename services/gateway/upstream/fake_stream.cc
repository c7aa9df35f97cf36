#include "upstream/fake_stream.h"

#include <utility>

#include <boost/asio/steady_timer.hpp>

#include "gempool/common/mutex.h"
#include "http/http_message.h"
#include "upstream/buffered_sink.h"

namespace gempool::gateway {
namespace {

using Outcome = ForwardResult::Outcome;

class FakeStream final : public ForwardCall, public std::enable_shared_from_this<FakeStream> {
 public:
  FakeStream(Forwarder& forwarder, FakeStreamSpec spec, ResponseSink& client, StreamDone done)
      : forwarder_(forwarder),
        spec_(std::move(spec)),
        client_(client),
        done_(std::move(done)),
        timer_(forwarder.io()) {
    head_.status = 200;
    head_.content_type = spec_.dialect->ContentType();
    head_.passthrough = {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};
    head_.passthrough.insert(head_.passthrough.end(), spec_.extra_headers.begin(), spec_.extra_headers.end());
  }

  void Start() ABSL_LOCKS_EXCLUDED(mu_) {
    {
      MutexLock lock(&mu_);
      ArmLocked();
    }
    std::shared_ptr<FakeStream> self = shared_from_this();
    std::shared_ptr<ForwardCall> call =
        forwarder_.ForwardAsync(spec_.request, sink_, [self](ForwardResult result) { self->OnDone(std::move(result)); });
    MutexLock lock(&mu_);
    upstream_ = std::move(call);
  }

  void Cancel() override ABSL_LOCKS_EXCLUDED(mu_) {
    std::shared_ptr<ForwardCall> upstream;
    {
      MutexLock lock(&mu_);
      timer_.cancel();
      upstream = upstream_;
    }
    // The forward then ends kClientGone and OnDone reports it.
    if (upstream != nullptr) upstream->Cancel();
  }

 private:
  void ArmLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    timer_.expires_after(spec_.interval);
    std::weak_ptr<FakeStream> weak = weak_from_this();
    timer_.async_wait([weak](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->OnTick();
    });
  }

  void OnTick() ABSL_LOCKS_EXCLUDED(mu_) {
    bool client_gone = false;
    {
      MutexLock lock(&mu_);
      if (ended_) return;
      if (!committed_) {
        client_.Begin(head_);
        committed_ = true;
      }
      client_gone = !client_.Write(spec_.dialect->Heartbeat());
      if (!client_gone) ArmLocked();
    }
    if (client_gone) Cancel();
  }

  void OnDone(ForwardResult result) {
    if (result.outcome != Outcome::kSuccess) return End(std::move(result), "", "");
    // The dialect may work on the whole answer first; heartbeats go on.
    std::shared_ptr<FakeStream> self = shared_from_this();
    spec_.dialect->Prepare(std::move(sink_.body()),
                           [self, result](std::string body, std::string warnings) mutable {
                             self->End(std::move(result), body, warnings);
                           });
  }

  void End(ForwardResult result, const std::string& body, const std::string& warnings) ABSL_LOCKS_EXCLUDED(mu_) {
    {
      MutexLock lock(&mu_);
      ended_ = true;
      timer_.cancel();
      Finish(result, body, warnings);
    }
    StreamDone done = std::move(done_);
    done(std::move(result));
  }

  // Ends the client's stream for `result` (its converted `body` when it
  // succeeded) and makes it what the client got.
  void Finish(ForwardResult& result, const std::string& body, const std::string& warnings)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (result.outcome == Outcome::kClientGone) return;
    std::optional<FakeStreamDialect::Failure> failure;
    std::string answer;
    if (!warnings.empty()) {
      if (committed_) {
        answer = spec_.dialect->WarningEvent(warnings);
      } else {
        AppendHeaderValue(head_.passthrough, kWarningsHeader, warnings);  // Not sent yet.
      }
    }
    if (result.outcome == Outcome::kSuccess) {
      FakeStreamDialect::Answer converted = spec_.dialect->Convert(body);
      if (converted.failure.has_value()) {
        failure = std::move(converted.failure);
      } else {
        answer += converted.bytes;
      }
    } else {
      failure = spec_.dialect->UpstreamFailure(result.failure);
    }
    if (failure.has_value() && !committed_) {
      result.outcome = Outcome::kFailed;
      result.failure = std::move(failure->reply);
      return;
    }
    if (!committed_) {
      client_.Begin(head_);
      committed_ = true;
    }
    result.head = head_;
    if (failure.has_value()) {
      client_.Write(failure->event);
      result.outcome = Outcome::kBrokenAfterCommit;
      return;
    }
    result.outcome = client_.Write(answer) ? Outcome::kSuccess : Outcome::kClientGone;
  }

  Forwarder& forwarder_;
  const FakeStreamSpec spec_;
  ResponseSink& client_;
  StreamDone done_;
  // Filled by the Forwarder; read only once it is done.
  BufferedSink sink_;
  // The heartbeat timer (its handler on the io thread), the forward's
  // completion and Cancel (any thread) meet here.
  Mutex mu_;
  UpstreamResponseHead head_ ABSL_GUARDED_BY(mu_);
  boost::asio::steady_timer timer_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<ForwardCall> upstream_ ABSL_GUARDED_BY(mu_);
  bool committed_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

StreamJob FakeStreamJob(Forwarder& forwarder, FakeStreamSpec spec) {
  auto shared = std::make_shared<const FakeStreamSpec>(std::move(spec));
  return [&forwarder, shared](ResponseSink& client, StreamDone done) -> std::shared_ptr<ForwardCall> {
    auto stream = std::make_shared<FakeStream>(forwarder, *shared, client, std::move(done));
    stream->Start();
    return stream;
  };
}

std::string SseCommentHeartbeat() { return ": heartbeat\n\n"; }

}  // namespace gempool::gateway
