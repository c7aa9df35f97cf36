#include "forwarder.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"
#include "gempool/common/secrets.h"
#include "gempool/gemini/error_classifier.h"
#include "log_text.h"

namespace gempool::gateway {
namespace {

// Upstream error bodies kept for the client and the logs; anything beyond is
// read and dropped (Google's error bodies are a few KiB).
constexpr size_t kMaxErrorBody = 1 << 20;
constexpr size_t kMaxErrorLogMessage = 16 * 1024;
constexpr size_t kMaxReportMessage = 2 * 1024;

v1::OutcomeKind ToProto(gemini::OutcomeKind kind) {
  switch (kind) {
    case gemini::OutcomeKind::kSuccess:
      return v1::OUTCOME_KIND_SUCCESS;
    case gemini::OutcomeKind::kRateLimited:
      return v1::OUTCOME_KIND_RATE_LIMITED;
    case gemini::OutcomeKind::kKeyInvalid:
      return v1::OUTCOME_KIND_KEY_INVALID;
    case gemini::OutcomeKind::kServerError:
      return v1::OUTCOME_KIND_SERVER_ERROR;
    case gemini::OutcomeKind::kTimeout:
      return v1::OUTCOME_KIND_TIMEOUT;
    case gemini::OutcomeKind::kConnectionError:
      return v1::OUTCOME_KIND_CONNECTION_ERROR;
    case gemini::OutcomeKind::kClientError:
      return v1::OUTCOME_KIND_CLIENT_ERROR;
  }
  return v1::OUTCOME_KIND_UNSPECIFIED;
}

bool Is2xx(int status) { return status >= 200 && status < 300; }

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
                     RequestLogWriter& logs, const Clock& clock, Options options)
    : broker_(broker),
      reporter_(reporter),
      upstream_(upstream),
      logs_(logs),
      clock_(clock),
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
  logs_.Add(std::move(entry));
}

ForwardResult Forwarder::Forward(const ForwardRequest& request, ResponseSink& sink) {
  ForwardResult result;
  const std::string model = request.route.QuotaModel();
  const std::string operation = request.OperationName();
  std::vector<int64_t> tried;
  std::optional<HttpReply> last_failure;
  const std::shared_ptr<const LiveSettings> live =
      options_.live != nullptr ? options_.live->Get() : nullptr;
  const int max_attempts = live != nullptr ? live->max_attempts : options_.max_attempts;
  const HeaderList& custom_headers = live != nullptr ? live->custom_headers : options_.custom_headers;

  // Time this request may still spend waiting for a cooling key to free up.
  int64_t wait_budget_ms = options_.max_key_wait_ms;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    absl::StatusOr<v1::AcquireKeyResponse> key = broker_.AcquireKey(model, tried);
    // Every key is cooling but the first frees up soon: wait for it rather
    // than fail the client (only before any attempt, so no byte was sent).
    while (key.ok() && !key->available() && !last_failure.has_value() && key->retry_at_ms() > 0) {
      const int64_t wait_ms = key->retry_at_ms() - clock_.NowUnixMs();
      if (wait_ms > wait_budget_ms) break;
      if (wait_ms > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms + 5));
        wait_budget_ms -= wait_ms + 5;
      } else {
        wait_budget_ms -= 5;  // Freed meanwhile; bounded even if the broker disagrees.
        if (wait_budget_ms < 0) break;
      }
      key = broker_.AcquireKey(model, tried);
    }
    if (!key.ok()) {
      GEMPOOL_LOG(WARNING) << key.status().message();
      if (last_failure.has_value()) break;
      result.failure = ErrorReply(key.status());
      LogGatewayError(request, result.failure, "KEYBROKER_UNAVAILABLE", key.status().message());
      return result;
    }
    if (!key->available()) {
      const std::string retry_after = RetryAfterSeconds(key->retry_at_ms(), clock_.NowUnixMs());
      if (last_failure.has_value()) {
        // Every other key is used up for this request: the last upstream
        // error is the most useful answer.
        if (last_failure->retry_after.empty()) last_failure->retry_after = retry_after;
        break;
      }
      const std::string what =
          absl::StrCat("no Gemini API key is available",
                       model.empty() ? std::string() : absl::StrCat(" for model ", model), ": ",
                       key->unavailable_reason().empty() ? "the pool is empty or every key is off"
                                                         : key->unavailable_reason());
      result.failure = ErrorReply(key->retry_at_ms() > 0 ? absl::ResourceExhaustedError(what)
                                                         : absl::UnavailableError(what));
      result.failure.retry_after = retry_after;
      LogGatewayError(request, result.failure, "NO_KEY_AVAILABLE", what);
      return result;
    }

    tried.push_back(key->key_id());
    result.attempts = attempt;
    result.key_id = key->key_id();
    const std::vector<std::string> secrets = {key->secret()};

    UpstreamRequest call;
    call.method = request.http_method;
    call.scheme_host_port = request.target.scheme_host_port;
    call.path_and_query = request.target.path_and_query;
    call.headers = request.headers;
    call.headers.insert(call.headers.end(), custom_headers.begin(), custom_headers.end());
    if (live != nullptr) call.timeout_seconds = live->timeout_seconds;
    if (request.key_placement == KeyPlacement::kBearerHeader) {
      call.headers.emplace_back("Authorization", absl::StrCat("Bearer ", key->secret()));
    } else {
      call.headers.emplace_back("x-goog-api-key", key->secret());
    }
    call.body = std::string(request.body);
    call.proxy = key->proxy();

    UpstreamResponseHead head;
    std::string error_body;
    UpstreamCallbacks callbacks;
    callbacks.on_head = [&](const UpstreamResponseHead& h) {
      head = h;
      if (Is2xx(h.status)) sink.Begin(h);
      return true;
    };
    callbacks.on_body = [&](absl::string_view data) {
      if (Is2xx(head.status)) return sink.Write(data);
      if (error_body.size() < kMaxErrorBody) {
        error_body.append(data.data(), std::min(data.size(), kMaxErrorBody - error_body.size()));
      }
      return true;
    };

    const int64_t started_unix_ms = clock_.NowUnixMs();
    const int64_t started_ms = clock_.MonotonicMs();
    const UpstreamResult sent = upstream_.Send(std::move(call), callbacks);
    const int64_t latency_ms = clock_.MonotonicMs() - started_ms;
    if (sent.kind == UpstreamResult::Kind::kAborted) {
      // Shutdown, not the key's doing: no outcome report, no retry.
      result.head = head;
      if (sink.Committed()) {
        result.outcome = ForwardResult::Outcome::kBrokenAfterCommit;
      } else {
        result.outcome = ForwardResult::Outcome::kFailed;
        result.failure = ErrorReply(absl::UnavailableError(
            "the gempool gateway is shutting down; retry the request"));
      }
      return result;
    }

    v1::ReportOutcomeRequest report;
    report.set_key_id(key->key_id());
    report.set_model(model);
    report.set_latency_ms(latency_ms);
    report.set_http_status(head.status);

    if (sent.kind == UpstreamResult::Kind::kCancelled ||
        (sent.kind == UpstreamResult::Kind::kComplete && Is2xx(head.status))) {
      // The key did its job, whether or not the client stayed to the end.
      report.set_kind(v1::OUTCOME_KIND_SUCCESS);
      broker_.ApplyOutcomeLocally(report);
      reporter_.Report(std::move(report));
      result.head = head;
      result.outcome = sent.kind == UpstreamResult::Kind::kCancelled
                           ? ForwardResult::Outcome::kClientGone
                           : ForwardResult::Outcome::kSuccess;
      return result;
    }

    gemini::Classification verdict;
    HttpReply reply;
    std::string log_text;
    if (sent.kind == UpstreamResult::Kind::kComplete) {
      verdict = gemini::ClassifyResponse(head.status, error_body, head.retry_after,
                                         clock_.NowUnixMs());
      reply.status = head.status;
      reply.content_type =
          head.content_type.empty() ? "text/plain; charset=UTF-8" : head.content_type;
      reply.body = RedactSecrets(error_body, secrets);
      reply.retry_after = head.retry_after;
      log_text = reply.body;
    } else {
      verdict = gemini::ClassifyTransportFailure(sent.failure, sent.detail);
      report.set_http_status(0);
      const std::string what = absl::StrCat("the Gemini API did not answer: ", sent.detail);
      reply = ErrorReply(verdict.kind == gemini::OutcomeKind::kTimeout
                             ? absl::DeadlineExceededError(what)
                             : absl::UnavailableError(what));
      log_text = sent.detail;
    }

    report.set_kind(ToProto(verdict.kind));
    report.set_error_reason(LogSafeText(verdict.error_reason, 256));
    report.set_retry_delay_ms(verdict.retry_delay_ms);
    report.set_quota_id(LogSafeText(verdict.quota_id, 256));
    report.set_message(LogSafeText(RedactSecrets(verdict.message, secrets), kMaxReportMessage));
    broker_.ApplyOutcomeLocally(report);
    reporter_.Report(std::move(report));

    v1::ErrorLogEntry entry;
    entry.set_time_ms(started_unix_ms);
    entry.set_key_id(key->key_id());
    entry.set_model(request.route.model);
    entry.set_operation(operation);
    entry.set_status_code(sent.kind == UpstreamResult::Kind::kComplete ? head.status : 0);
    entry.set_error_type(LogSafeText(verdict.error_reason, 256));
    entry.set_message(LogSafeText(RedactSecrets(log_text, secrets), kMaxErrorLogMessage));
    logs_.Add(std::move(entry));

    if (sink.Committed()) {
      GEMPOOL_LOG(WARNING) << operation << " stream for " << model << " broke after "
                           << "streaming began (key #" << key->key_id() << "): " << sent.detail;
      result.head = head;
      result.outcome = ForwardResult::Outcome::kBrokenAfterCommit;
      return result;
    }

    last_failure = std::move(reply);
    if (!gemini::RetryableWithAnotherKey(verdict.kind)) break;
    GEMPOOL_LOG(INFO) << operation << " " << model << ": attempt " << attempt << " with key #"
                      << key->key_id() << " failed (" << gemini::OutcomeKindName(verdict.kind)
                      << " " << verdict.error_reason << ")"
                      << (attempt < max_attempts ? "; trying another key" : "");
  }

  result.outcome = ForwardResult::Outcome::kFailed;
  result.failure = last_failure.has_value()
                       ? std::move(*last_failure)
                       : ErrorReply(absl::InternalError("no upstream attempt was made (MAX_RETRIES < 1)"));
  return result;
}

}  // namespace gempool::gateway
