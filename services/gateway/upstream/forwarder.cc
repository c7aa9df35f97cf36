#include "upstream/forwarder.h"

#include <algorithm>
#include <future>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"
#include "gempool/common/request_scope.h"
#include "gempool/common/secrets.h"
#include "gempool/gemini/error_classifier.h"
#include "gempool/gemini/request_body_for_log.h"
#include "gempool/gemini/usage_scanner.h"
#include "gempool/keypool/proto_convert.h"
#include "logs/log_text.h"

namespace gempool::gateway {
namespace {

// Upstream error bodies kept for the client and the logs; anything beyond is
// read and dropped (Google's error bodies are a few KiB).
constexpr size_t kMaxErrorBody = 1 << 20;
constexpr size_t kMaxErrorLogMessage = 16 * 1024;
// ERROR_LOG_RECORD_REQUEST_BODY: the redacted body is cut here.
constexpr size_t kMaxErrorLogRequestBody = 32 * 1024;
constexpr size_t kMaxReportMessage = 2 * 1024;

bool Is2xx(int status) { return status >= 200 && status < 300; }

// "Gemini API" or "Vertex AI Express", for messages.
const char* ApiName(v1::Pool pool) { return pool == v1::POOL_VERTEX ? "Vertex AI Express" : "Gemini API"; }

// Whether a pinned call may try its one key again after a failure of this
// kind: only when the failure says nothing about the key (5xx, timeouts,
// connection errors). A 429 would only be answered the same; a dead key or a
// client error never works.
bool RetryableWithTheSameKey(gemini::OutcomeKind kind) {
  return kind == gemini::OutcomeKind::kServerError || kind == gemini::OutcomeKind::kTimeout ||
         kind == gemini::OutcomeKind::kConnectionError;
}

// `request` with its request id filled in from the thread's scope.
ForwardRequest WithRequestId(const ForwardRequest& request) {
  ForwardRequest copy = request;
  if (copy.request_id.empty()) copy.request_id = CurrentRequestId();
  return copy;
}

// Whole seconds from now until `at_ms`, at least 1; "" when `at_ms` is 0.
std::string RetryAfterSeconds(int64_t at_ms, int64_t now_ms) {
  if (at_ms <= 0) return "";
  const int64_t seconds = (at_ms - now_ms + 999) / 1000;
  return absl::StrCat(seconds < 1 ? 1 : seconds);
}

}  // namespace

std::string ForwardRequest::OperationName() const {
  return operation.empty() ? std::string(gemini::MethodName(route.method)) : operation;
}

Forwarder::Forwarder(KeyBrokerClient& broker, OutcomeReporter& reporter, UpstreamClient& upstream,
                     RequestLogWriter& logs, const Clock& clock, boost::asio::io_context& io,
                     BlockingRunner run_blocking, Options options)
    : broker_(broker),
      reporter_(reporter),
      upstream_(upstream),
      logs_(logs),
      clock_(clock),
      io_(io),
      run_blocking_(std::move(run_blocking)),
      options_(std::move(options)) {}

void Forwarder::LogGatewayError(const ForwardRequest& request, const HttpReply& reply,
                                absl::string_view error_type, absl::string_view message) {
  v1::ErrorLogEntry entry;
  entry.set_time_ms(clock_.NowUnixMs());
  entry.set_model(request.route.model);
  entry.set_operation(request.OperationName());
  entry.set_status_code(reply.status);
  entry.set_error_type(std::string(error_type));
  entry.set_message(LogSafeText(message, kMaxErrorLogMessage));
  entry.set_request_id(request.request_id);
  logs_.Add(std::move(entry));
}

// One forward's attempts, as a state machine on a strand: acquire a key
// (waiting on a timer while every key is cooling), start the upstream call,
// and on its end report, log and either finish or try the next key. The
// upstream client's head and body callbacks run on its own strand and touch
// only the attempt's Exchange and the sink; everything else happens here.
class Forwarder::Attempts final : public ForwardCall, public std::enable_shared_from_this<Attempts> {
 public:
  Attempts(Forwarder& forwarder, const ForwardRequest& request, ResponseSink& sink, Done done)
      : f_(forwarder),
        request_(WithRequestId(request)),
        sink_(sink),
        done_(std::move(done)),
        strand_(boost::asio::make_strand(forwarder.io_)),
        timer_(strand_),
        model_(request.route.QuotaModel()),
        operation_(request.OperationName()),
        live_(request.settings != nullptr          ? request.settings
              : forwarder.options_.live != nullptr ? forwarder.options_.live->Get()
                                                   : nullptr),
        // A streamed body cannot be sent twice (forwarder.h, body_source).
        max_attempts_(request.body_source != nullptr ? 1
                      : live_ != nullptr           ? live_->max_attempts
                                                   : forwarder.options_.max_attempts),
        wait_budget_ms_(live_ != nullptr ? live_->max_key_wait_ms : forwarder.options_.max_key_wait_ms),
        pinned_key_id_(request.pinned_key_id) {}

  void Start() {
    if (std::optional<HttpReply> refused = ModelRefusal(); refused.has_value()) {
      boost::asio::post(strand_, [self = shared_from_this(), refused = *std::move(refused)]() mutable {
        ForwardResult result;
        result.failure = std::move(refused);
        self->Finish(std::move(result));
      });
      return;
    }
    KeyAffinity* affinity = f_.options_.key_affinity;
    if (affinity == nullptr || pinned_key_id_ > 0 || !affinity->MayApply(request_)) {
      boost::asio::post(strand_, [self = shared_from_this()] { self->NextAttempt(); });
      return;
    }
    // The look-up may block (persistence over gRPC): off the event loop.
    f_.run_blocking_([self = shared_from_this(), affinity] {
      ScopedRequestId request_scope(self->request_.request_id);
      absl::StatusOr<int64_t> key_id = affinity->Resolve(self->request_);
      boost::asio::post(self->strand_,
                        [self, key_id = std::move(key_id)]() mutable { self->OnAffinity(std::move(key_id)); });
    });
  }

  void Cancel() override {
    boost::asio::post(strand_, [self = shared_from_this()] {
      if (self->finished_ || self->cancelled_) return;
      self->cancelled_ = true;
      if (self->call_ != nullptr) {
        self->call_->Cancel();  // Its end comes back through OnAttemptDone.
      } else {
        self->timer_.cancel();
        self->FinishClientGone();
      }
    });
  }

 private:
  // What one attempt's upstream callbacks share with OnAttemptDone.
  struct Exchange {
    UpstreamResponseHead head;
    std::string error_body;
    // Token usage in a 2xx body, scanned as it passes (a memmem per chunk).
    gemini::UsageScanner usage;
  };

  // 403 when the call's managed client token may not use its model (model
  // lists and model info name no model to refuse).
  std::optional<HttpReply> ModelRefusal() const {
    const ClientTokenReplica* tokens = f_.options_.client_tokens;
    if (tokens == nullptr || request_.client_token_id.empty() || request_.route.model.empty() ||
        request_.route.method == gemini::Method::kListModels || request_.route.method == gemini::Method::kGetModel) {
      return std::nullopt;
    }
    std::optional<clienttokens::LimitDecision> refused =
        tokens->CheckModel(request_.client_token_id, request_.route.model);
    if (!refused.has_value()) return std::nullopt;
    return ErrorReply(absl::PermissionDeniedError(refused->message));
  }

  // The key the call is bound to (0: any), or the client's answer.
  void OnAffinity(absl::StatusOr<int64_t> key_id) {
    if (finished_) return;
    if (cancelled_) return FinishClientGone();
    if (!key_id.ok()) {
      ForwardResult result;
      result.failure = ErrorReply(key_id.status());
      f_.LogGatewayError(request_, result.failure, "KEY_AFFINITY", key_id.status().message());
      return Finish(std::move(result));
    }
    pinned_key_id_ = *key_id > 0 ? *key_id : 0;
    NextAttempt();
  }

  void NextAttempt() {
    if (cancelled_) return FinishClientGone();
    if (++attempt_ > max_attempts_) return FinishWithLastFailure();
    Acquire();
  }

  KeyBrokerClient::KeyWanted Wanted() const {
    KeyBrokerClient::KeyWanted wanted;
    wanted.pool = request_.pool;
    wanted.model = model_;
    wanted.pinned_key_id = pinned_key_id_;
    if (pinned_key_id_ <= 0) wanted.exclude_key_ids = tried_;
    return wanted;
  }

  void Acquire() {
    if (std::optional<v1::AcquireKeyResponse> local = f_.broker_.TryAcquireLocally(Wanted())) {
      return OnKey(*std::move(local));
    }
    // No replica snapshot yet: only the broker can answer, over gRPC.
    f_.run_blocking_([self = shared_from_this()] {
      ScopedRequestId request_scope(self->request_.request_id);
      absl::StatusOr<v1::AcquireKeyResponse> key = self->f_.broker_.AcquireKey(self->Wanted());
      boost::asio::post(self->strand_, [self, key = std::move(key)]() mutable { self->OnKey(std::move(key)); });
    });
  }

  void OnKey(absl::StatusOr<v1::AcquireKeyResponse> key) {
    if (finished_) return;
    if (cancelled_) return FinishClientGone();
    const Clock& clock = f_.clock_;
    // Every key is cooling but the first frees up soon: wait for it rather
    // than fail the client (only before any attempt, so no byte was sent).
    if (key.ok() && !key->available() && !last_failure_.has_value() && key->retry_at_ms() > 0) {
      const int64_t wait_ms = key->retry_at_ms() - clock.NowUnixMs();
      if (wait_ms <= wait_budget_ms_) {
        if (wait_ms > 0) {
          wait_budget_ms_ -= wait_ms + 5;
          timer_.expires_after(std::chrono::milliseconds(wait_ms + 5));
          timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec) self->Acquire();
          });
          return;
        }
        wait_budget_ms_ -= 5;  // Freed meanwhile; bounded even if the broker disagrees.
        if (wait_budget_ms_ >= 0) return Acquire();
      }
    }
    if (!key.ok()) {
      GEMPOOL_LOG_REQUEST(WARNING, request_.request_id) << key.status().message();
      if (last_failure_.has_value()) return FinishWithLastFailure();
      ForwardResult result;
      result.failure = ErrorReply(key.status());
      f_.LogGatewayError(request_, result.failure, "KEYBROKER_UNAVAILABLE", key.status().message());
      return Finish(std::move(result));
    }
    if (!key->available()) {
      const std::string retry_after = RetryAfterSeconds(key->retry_at_ms(), clock.NowUnixMs());
      if (pinned_key_id_ > 0 && !last_failure_.has_value()) return FinishPinnedUnavailable(*key, retry_after);
      if (last_failure_.has_value()) {
        // Every other key is used up for this request: the last upstream
        // error is the most useful answer.
        if (last_failure_->retry_after.empty()) last_failure_->retry_after = retry_after;
        return FinishWithLastFailure();
      }
      const std::string what =
          absl::StrCat("no ", ApiName(request_.pool), " key is available",
                       model_.empty() ? std::string() : absl::StrCat(" for model ", model_), ": ",
                       key->unavailable_reason().empty() ? "the pool is empty or every key is off"
                                                         : key->unavailable_reason());
      ForwardResult result;
      result.failure = ErrorReply(key->retry_at_ms() > 0 ? absl::ResourceExhaustedError(what)
                                                         : absl::UnavailableError(what));
      result.failure.retry_after = retry_after;
      f_.LogGatewayError(request_, result.failure, "NO_KEY_AVAILABLE", what);
      return Finish(std::move(result));
    }
    StartUpstream(*std::move(key));
  }

  void StartUpstream(v1::AcquireKeyResponse key) {
    tried_.push_back(key.key_id());
    key_ = std::move(key);

    UpstreamRequest call;
    call.method = request_.http_method;
    call.scheme_host_port = request_.target.scheme_host_port;
    call.path_and_query = request_.target.path_and_query;
    call.headers = request_.headers;
    const HeaderList& custom_headers = live_ != nullptr ? live_->custom_headers : f_.options_.custom_headers;
    call.headers.insert(call.headers.end(), custom_headers.begin(), custom_headers.end());
    if (live_ != nullptr) call.timeout_seconds = live_->timeout_seconds;
    if (request_.key_placement == KeyPlacement::kBearerHeader) {
      call.headers.emplace_back("Authorization", absl::StrCat("Bearer ", key_.secret()));
    } else {
      call.headers.emplace_back("x-goog-api-key", key_.secret());
    }
    call.body = std::string(request_.body);
    call.body_source = request_.body_source;
    call.proxy = key_.proxy();

    auto exchange = std::make_shared<Exchange>();
    ResponseSink& sink = sink_;
    std::weak_ptr<Attempts> weak = weak_from_this();
    AsyncUpstreamCallbacks callbacks;
    callbacks.on_head = [exchange, &sink](const UpstreamResponseHead& h) {
      exchange->head = h;
      if (Is2xx(h.status)) sink.Begin(h);
      return true;
    };
    callbacks.on_body = [exchange, &sink, weak](absl::string_view data) {
      if (!Is2xx(exchange->head.status)) {
        if (exchange->error_body.size() < kMaxErrorBody) {
          exchange->error_body.append(data.data(), std::min(data.size(), kMaxErrorBody - exchange->error_body.size()));
        }
        return BodyAction::kContinue;
      }
      exchange->usage.Feed(data);
      if (!sink.Write(data)) return BodyAction::kCancel;
      const bool paused = sink.PauseUntilDrained([weak] {
        if (std::shared_ptr<Attempts> self = weak.lock()) {
          boost::asio::post(self->strand_, [self] {
            if (self->call_ != nullptr) self->call_->Resume();
          });
        }
      });
      return paused ? BodyAction::kPause : BodyAction::kContinue;
    };
    callbacks.on_done = [self = shared_from_this(), exchange](UpstreamResult sent) {
      boost::asio::post(self->strand_, [self, exchange, sent = std::move(sent)]() mutable {
        self->OnAttemptDone(*exchange, std::move(sent));
      });
    };
    started_unix_ms_ = f_.clock_.NowUnixMs();
    started_ms_ = f_.clock_.MonotonicMs();
    call_ = f_.upstream_.Start(std::move(call), std::move(callbacks));
  }

  void OnAttemptDone(Exchange& exchange, UpstreamResult sent) {
    call_.reset();
    const int64_t latency_ms = f_.clock_.MonotonicMs() - started_ms_;
    upstream_ms_ += latency_ms;
    const UpstreamResponseHead& head = exchange.head;
    ForwardResult result;
    result.attempts = attempt_;
    result.key_id = key_.key_id();
    result.head = head;
    if (Is2xx(head.status)) result.usage = exchange.usage.last();
    if (sent.kind == UpstreamResult::Kind::kAborted) {
      // Shutdown, not the key's doing: no outcome report, no retry.
      CountAttempt(AttemptOutcome::Aborted());
      if (sink_.Committed()) {
        result.outcome = ForwardResult::Outcome::kBrokenAfterCommit;
      } else {
        result.outcome = ForwardResult::Outcome::kFailed;
        result.failure = ErrorReply(absl::UnavailableError("the gempool gateway is shutting down; retry the request"));
      }
      return Finish(std::move(result));
    }

    v1::ReportOutcomeRequest report;
    report.set_key_id(key_.key_id());
    report.set_model(model_);
    report.set_latency_ms(latency_ms);
    report.set_http_status(head.status);
    report.set_request_id(request_.request_id);

    if (sent.kind == UpstreamResult::Kind::kCancelled && head.status == 0) {
      // The client left before Google answered: the key did nothing either
      // way, so it is neither blamed nor credited.
      CountAttempt(AttemptOutcome::ClientGone());
      result.outcome = ForwardResult::Outcome::kClientGone;
      return Finish(std::move(result));
    }
    if (sent.kind == UpstreamResult::Kind::kCancelled ||
        (sent.kind == UpstreamResult::Kind::kComplete && Is2xx(head.status))) {
      // The key did its job, whether or not the client stayed to the end.
      report.set_kind(v1::OUTCOME_KIND_SUCCESS);
      CountAttempt(OutcomeKind::kSuccess);
      f_.broker_.ApplyOutcomeLocally(report);
      f_.reporter_.Report(std::move(report));
      result.outcome = sent.kind == UpstreamResult::Kind::kCancelled ? ForwardResult::Outcome::kClientGone
                                                                     : ForwardResult::Outcome::kSuccess;
      return Finish(std::move(result));
    }

    const std::vector<std::string> secrets = {key_.secret()};
    gemini::Classification verdict;
    HttpReply reply;
    std::string log_text;
    if (sent.kind == UpstreamResult::Kind::kComplete) {
      verdict = gemini::ClassifyResponse(head.status, exchange.error_body, head.retry_after, f_.clock_.NowUnixMs());
      reply.status = head.status;
      reply.content_type = head.content_type.empty() ? "text/plain; charset=UTF-8" : head.content_type;
      reply.body = RedactSecrets(exchange.error_body, secrets);
      reply.retry_after = head.retry_after;
      log_text = reply.body;
    } else {
      verdict = gemini::ClassifyTransportFailure(sent.failure, sent.detail);
      report.set_http_status(0);
      const std::string what = absl::StrCat("the ", ApiName(request_.pool), " did not answer: ", sent.detail);
      reply = ErrorReply(verdict.kind == gemini::OutcomeKind::kTimeout ? absl::DeadlineExceededError(what)
                                                                       : absl::UnavailableError(what));
      log_text = sent.detail;
    }

    report.set_kind(keypool::ToProto(verdict.kind));
    CountAttempt(verdict.kind);
    report.set_error_reason(LogSafeText(verdict.error_reason, 256));
    report.set_retry_delay_ms(verdict.retry_delay_ms);
    report.set_quota_id(LogSafeText(verdict.quota_id, 256));
    report.set_message(LogSafeText(RedactSecrets(verdict.message, secrets), kMaxReportMessage));
    f_.broker_.ApplyOutcomeLocally(report);
    f_.reporter_.Report(std::move(report));

    v1::ErrorLogEntry entry;
    entry.set_time_ms(started_unix_ms_);
    entry.set_key_id(key_.key_id());
    entry.set_model(request_.route.model);
    entry.set_operation(operation_);
    entry.set_request_id(request_.request_id);
    entry.set_status_code(sent.kind == UpstreamResult::Kind::kComplete ? head.status : 0);
    entry.set_error_type(LogSafeText(verdict.error_reason, 256));
    entry.set_message(LogSafeText(RedactSecrets(log_text, secrets), kMaxErrorLogMessage));
    if (live_ != nullptr && live_->error_log_record_request_body && request_.body_source == nullptr) {
      // Parsed and scrubbed once per forward; each attempt masks its own key.
      if (!body_for_log_.has_value()) body_for_log_ = gemini::RequestBodyForLog(request_.body, {});
      entry.set_request_body(LogSafeText(RedactSecrets(*body_for_log_, secrets), kMaxErrorLogRequestBody));
    }
    f_.logs_.Add(std::move(entry));

    if (sink_.Committed()) {
      GEMPOOL_LOG_REQUEST(WARNING, request_.request_id)
          << operation_ << " stream for " << model_ << " broke after "
          << "streaming began (key #" << key_.key_id() << "): " << sent.detail;
      result.outcome = ForwardResult::Outcome::kBrokenAfterCommit;
      return Finish(std::move(result));
    }

    last_failure_ = std::move(reply);
    const bool pinned = pinned_key_id_ > 0;
    if (pinned ? !RetryableWithTheSameKey(verdict.kind) : !gemini::RetryableWithAnotherKey(verdict.kind)) {
      return FinishWithLastFailure();
    }
    GEMPOOL_LOG_REQUEST(INFO, request_.request_id)
        << operation_ << " " << model_ << ": attempt " << attempt_ << " with key #" << key_.key_id() << " failed ("
        << gemini::OutcomeKindName(verdict.kind) << " " << verdict.error_reason << ")"
        << (attempt_ < max_attempts_
                ? (pinned ? "; trying the same key again (the call is bound to it)" : "; trying another key")
                : "");
    NextAttempt();
  }

  // The one key a pinned call may use is not usable now and will not be
  // within MAX_KEY_WAIT_MS (cooling: 429 with Retry-After), or not at all
  // (disabled, paused, removed: what to do instead).
  void FinishPinnedUnavailable(const v1::AcquireKeyResponse& key, const std::string& retry_after) {
    const std::string reason = key.unavailable_reason().empty()
                                   ? absl::StrCat("key ", pinned_key_id_, " is not usable")
                                   : key.unavailable_reason();
    ForwardResult result;
    std::string what;
    if (key.retry_at_ms() > 0) {
      what = absl::StrCat("this call must use the pool key that owns what it refers to (e.g. an uploaded file), and ",
                          reason, "; retry after ", retry_after, " s");
      result.failure = ErrorReply(absl::ResourceExhaustedError(what));
      result.failure.retry_after = retry_after;
    } else {
      what = absl::StrCat("this call must use the pool key that owns what it refers to (e.g. an uploaded file), but ",
                          reason,
                          ". No other key can see it: upload the file again (or have an admin resume or reset the "
                          "key) and use the new file");
      result.failure = ErrorReply(absl::FailedPreconditionError(what));
    }
    f_.LogGatewayError(request_, result.failure, "PINNED_KEY_UNAVAILABLE", what);
    Finish(std::move(result));
  }

  void FinishWithLastFailure() {
    ForwardResult result;
    result.attempts = std::min(attempt_, max_attempts_);
    result.key_id = key_.key_id();
    result.outcome = ForwardResult::Outcome::kFailed;
    result.failure = last_failure_.has_value()
                         ? std::move(*last_failure_)
                         : ErrorReply(absl::InternalError("no upstream attempt was made (MAX_RETRIES < 1)"));
    Finish(std::move(result));
  }

  // Cancelled while no upstream call was running (acquiring a key, waiting
  // for one to cool down, or between attempts).
  void FinishClientGone() {
    ForwardResult result;
    result.attempts = std::min(attempt_, max_attempts_);
    result.key_id = key_.key_id();
    result.outcome = ForwardResult::Outcome::kFailed;
    result.failure = ErrorReply(absl::CancelledError("the client closed the connection before the answer"));
    Finish(std::move(result));
  }

  void CountAttempt(AttemptOutcome outcome) {
    if (f_.options_.attempt_observer != nullptr) f_.options_.attempt_observer->OnAttempt(outcome);
  }

  void Finish(ForwardResult result) {
    if (finished_) return;
    finished_ = true;
    result.upstream_ms = upstream_ms_;
    Done done = std::move(done_);
    done(std::move(result));
  }

  Forwarder& f_;
  const ForwardRequest request_;
  ResponseSink& sink_;
  Done done_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  const std::string model_;
  const std::string operation_;
  const std::shared_ptr<const LiveSettings> live_;
  const int max_attempts_;
  // Time this request may still spend waiting for a cooling key to free up.
  int64_t wait_budget_ms_;
  // The key every attempt must use (0: any key of the pool); on the strand
  // once the forward started.
  int64_t pinned_key_id_;

  // On the strand.
  int attempt_ = 0;
  std::vector<int64_t> tried_;
  std::optional<HttpReply> last_failure_;
  // The request body as the error log records it (RequestBodyForLog without
  // a key), made at the first failed attempt that records it.
  std::optional<std::string> body_for_log_;
  v1::AcquireKeyResponse key_;
  std::shared_ptr<UpstreamCall> call_;
  int64_t started_unix_ms_ = 0;
  int64_t started_ms_ = 0;
  // Time in upstream calls so far, every attempt's (ForwardResult::upstream_ms).
  int64_t upstream_ms_ = 0;
  bool cancelled_ = false;
  bool finished_ = false;
};

std::shared_ptr<ForwardCall> Forwarder::ForwardAsync(const ForwardRequest& request, ResponseSink& sink, Done done) {
  auto attempts = std::make_shared<Attempts>(*this, request, sink, std::move(done));
  attempts->Start();
  return attempts;
}

ForwardResult Forwarder::Forward(const ForwardRequest& request, ResponseSink& sink) {
  if (io_.get_executor().running_in_this_thread()) {
    // Waiting here would stall the loop that runs the call: a bug, not a
    // condition a client can cause.
    GEMPOOL_LOG(ERROR) << "Forwarder::Forward called on an event-loop thread";
    ForwardResult result;
    result.failure = ErrorReply(absl::InternalError("internal gempool gateway error; the gateway log has the details"));
    return result;
  }
  auto promise = std::make_shared<std::promise<ForwardResult>>();
  std::future<ForwardResult> future = promise->get_future();
  ForwardAsync(request, sink, [promise](ForwardResult result) { promise->set_value(std::move(result)); });
  try {
    return future.get();
  } catch (const std::future_error&) {
    // The loop stopped with the call still queued (shutdown).
    ForwardResult result;
    result.failure = ErrorReply(absl::UnavailableError("the gempool gateway is shutting down; retry the request"));
    return result;
  }
}

}  // namespace gempool::gateway
