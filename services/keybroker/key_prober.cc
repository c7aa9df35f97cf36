#include "key_prober.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"
#include "gempool/config/custom_headers.h"
#include "gempool/gemini/error_classifier.h"
#include "gempool/gemini/route.h"
#include "gempool/gemini/upstream_url.h"

namespace gempool::keybroker {
namespace {

// The smallest request that proves a key can generate: one word in, at most
// one token out.
constexpr char kProbeBody[] =
    R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":1}})";

// Model ids are ASCII letters, digits and "-._~@+" (as the gateway's routes).
bool IsModelId(absl::string_view model) {
  if (model.empty()) return false;
  for (char c : model) {
    const bool allowed =
        absl::ascii_isalnum(static_cast<unsigned char>(c)) || absl::string_view("-._~@+").find(c) != absl::string_view::npos;
    if (!allowed) return false;
  }
  return true;
}

// "API_KEY_INVALID: API key not valid." or just the reason.
std::string ReasonAndMessage(const keypool::Outcome& outcome) {
  if (outcome.message.empty()) return outcome.error_reason;
  if (outcome.error_reason.empty()) return outcome.message;
  return absl::StrCat(outcome.error_reason, ": ", outcome.message);
}

}  // namespace

ProbeSettings ProbeSettings::FromConfig(const Config& config) {
  ProbeSettings settings;
  settings.base_url = config.base_url;
  settings.vertex_base_url = config.vertex_express_base_url;
  settings.test_model = config.test_model;
  settings.custom_headers = config.custom_headers;
  settings.timeout_seconds = config.time_out_seconds;
  return settings;
}

KeyProber::KeyProber(ProbeSettings settings, ProbeTransport& transport, const Clock& clock)
    : settings_(std::move(settings)), transport_(transport), clock_(clock) {
  model_ = settings_.test_model;
  if (absl::StartsWith(model_, "models/")) model_ = model_.substr(7);
  if (!IsModelId(model_)) {
    status_ = absl::InvalidArgumentError(absl::StrCat(
        "TEST_MODEL='", settings_.test_model,
        "' is not a model id: key verification needs one such as gemini-2.5-flash-lite"));
    return;
  }
  if (absl::Status headers = config::CheckCustomHeaders(settings_.custom_headers); !headers.ok()) {
    status_ = headers;
    return;
  }
  absl::StatusOr<gemini::BaseUrl> base = gemini::ParseBaseUrl(settings_.base_url);
  if (!base.ok()) {
    status_ = base.status();
    return;
  }
  gemini::Route route;
  route.api_version = base->version.empty() ? "v1beta" : base->version;
  route.model = model_;
  route.method = gemini::Method::kGenerateContent;
  const gemini::UpstreamTarget target = gemini::BuildUpstreamTarget(*base, route, "");
  scheme_host_port_ = target.scheme_host_port;
  path_ = target.path_and_query;

  // VERTEX_EXPRESS_BASE_URL is used as it is (its version is part of it):
  // {base}/models/{model}:generateContent.
  absl::StatusOr<gemini::BaseUrl> vertex = gemini::ParseBaseUrl(settings_.vertex_base_url);
  if (!vertex.ok()) {
    vertex_status_ = absl::InvalidArgumentError(
        absl::StrCat("VERTEX_EXPRESS_BASE_URL: ", vertex.status().message()));
    return;
  }
  vertex_scheme_host_port_ = vertex->SchemeHostPort();
  vertex_path_ = absl::StrCat(vertex->path, vertex->version.empty() ? "" : "/", vertex->version, "/models/", model_,
                              ":generateContent");
}

ProbeHttpResponse KeyProber::ProbeProxy(const std::string& proxy, int timeout_seconds) const {
  if (!status_.ok()) {
    ProbeHttpResponse response;
    response.detail = absl::StrCat("not checked: ", status_.message());
    return response;
  }
  ProbeHttpRequest request;
  request.scheme_host_port = scheme_host_port_;
  request.path = path_;
  request.body = kProbeBody;
  request.proxy = proxy;
  request.timeout_seconds = std::max(1, std::min(timeout_seconds, settings_.timeout_seconds));
  for (const auto& [name, value] : settings_.custom_headers) {
    if (absl::AsciiStrToLower(name) != "content-type") request.headers.emplace_back(name, value);
  }
  request.headers.emplace_back("Content-Type", "application/json");
  return transport_.Post(request);
}

ProbeResult KeyProber::Probe(const std::string& secret, keypool::Pool pool, const std::string& proxy) const {
  ProbeResult result;
  const bool vertex = pool == keypool::Pool::kVertex;
  const absl::Status& usable = !status_.ok() || !vertex ? status_ : vertex_status_;
  if (!usable.ok()) {
    result.outcome.kind = keypool::OutcomeKind::kClientError;
    result.message = absl::StrCat("not verified: ", usable.message());
    return result;
  }
  ProbeHttpRequest request;
  request.scheme_host_port = vertex ? vertex_scheme_host_port_ : scheme_host_port_;
  request.path = vertex ? vertex_path_ : path_;
  request.body = kProbeBody;
  request.proxy = proxy;
  request.timeout_seconds = settings_.timeout_seconds;
  for (const auto& [name, value] : settings_.custom_headers) {
    // The probe's body is JSON whatever CUSTOM_HEADERS says.
    if (absl::AsciiStrToLower(name) != "content-type") request.headers.emplace_back(name, value);
  }
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("x-goog-api-key", secret);

  const ProbeHttpResponse response = transport_.Post(request);
  const gemini::Classification verdict =
      response.responded
          ? gemini::ClassifyResponse(response.status, response.body, response.retry_after, clock_.NowUnixMs())
          : gemini::ClassifyTransportFailure(response.failure, response.detail);

  keypool::Outcome& outcome = result.outcome;
  outcome.kind = verdict.kind;
  outcome.http_status = response.responded ? response.status : 0;
  outcome.error_reason = verdict.error_reason;
  outcome.retry_delay_ms = verdict.retry_delay_ms;
  outcome.quota_id = verdict.quota_id;
  outcome.message = RedactSecrets(response.responded ? verdict.message : response.detail, {secret});
  result.http_status = outcome.http_status;

  const std::string unchanged = "; the key's state is unchanged";
  switch (outcome.kind) {
    case keypool::OutcomeKind::kSuccess:
      result.passed = true;
      result.message = absl::StrCat("the key works (HTTP ", response.status, " from ", model_, ")");
      break;
    case keypool::OutcomeKind::kRateLimited:
      result.passed = true;
      result.message = absl::StrCat("the key works but is rate-limited (HTTP ", response.status,
                                    outcome.quota_id.empty() ? "" : absl::StrCat(", ", outcome.quota_id),
                                    "): ", ReasonAndMessage(outcome));
      break;
    case keypool::OutcomeKind::kKeyInvalid:
      result.message = absl::StrCat("the key is invalid (HTTP ", response.status, "): ", ReasonAndMessage(outcome));
      break;
    case keypool::OutcomeKind::kServerError:
      result.message =
          absl::StrCat("upstream failed (HTTP ", response.status, "): ", ReasonAndMessage(outcome), unchanged);
      break;
    case keypool::OutcomeKind::kTimeout:
    case keypool::OutcomeKind::kConnectionError:
      result.message = absl::StrCat("no answer from upstream: ", outcome.message, unchanged);
      break;
    case keypool::OutcomeKind::kClientError:
      result.message = absl::StrCat("upstream rejected the test request (HTTP ", response.status,
                                    "): ", ReasonAndMessage(outcome), "; check TEST_MODEL (", model_, ")",
                                    unchanged);
      break;
  }
  return result;
}

}  // namespace gempool::keybroker
