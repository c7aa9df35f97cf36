#include "gempool/gemini/error_classifier.h"

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gempool/gemini/google_status.h"

namespace gempool::gemini {
namespace {

using nlohmann::json;

constexpr size_t kMaxPlainMessage = 512;

// The google.rpc.Status object inside an error body, or nullptr. Accepts
// {"error":{...}}, [{"error":{...}}] and an SSE-framed "data: {...}".
const json* FindStatus(const json& body) {
  if (body.is_object()) {
    auto it = body.find("error");
    if (it != body.end() && it->is_object()) return &*it;
  }
  if (body.is_array() && !body.empty()) return FindStatus(body.front());
  return nullptr;
}

std::string StringField(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Retry-After: delta seconds, or an IMF-fixdate.
int64_t ParseRetryAfterMs(absl::string_view value, int64_t now_unix_ms) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return 0;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) return seconds > 0 ? seconds * 1000 : 0;
  absl::Time when;
  std::string err;
  if (absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", std::string(value), &when, &err)) {
    const int64_t delta = absl::ToUnixMillis(when) - now_unix_ms;
    return delta > 0 ? delta : 0;
  }
  return 0;
}

// "... Please retry in 19.424395716s." as Google writes in quota messages.
int64_t RetryHintMs(absl::string_view message) {
  const size_t at = message.find("retry in ");
  if (at == absl::string_view::npos) return 0;
  absl::string_view rest = message.substr(at + 9);
  size_t end = 0;
  while (end < rest.size() &&
         (absl::ascii_isdigit(static_cast<unsigned char>(rest[end])) || rest[end] == '.')) {
    ++end;
  }
  if (end == 0 || end >= rest.size() || rest[end] != 's') return 0;
  const int64_t ms = ParseDurationMs(rest.substr(0, end + 1));
  return ms > 0 ? ms : 0;
}

bool MentionsInvalidKey(absl::string_view message) {
  return absl::StrContains(message, "API key not valid") ||
         absl::StrContains(message, "API key expired");
}

// Google's 403 for a Files API file the key's project cannot see ("You do
// not have permission to access the File abc or it may not exist."): the
// request names a file of another key, or one that is gone. The key itself
// is fine, so it must not be disabled for it.
bool IsFilePermissionDenied(int http_status, absl::string_view message) {
  return http_status == 403 && absl::StrContains(message, "permission to access the File");
}

}  // namespace

bool RetryableWithAnotherKey(OutcomeKind kind) {
  return kind != OutcomeKind::kSuccess && kind != OutcomeKind::kClientError;
}

int64_t ParseDurationMs(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (!absl::ConsumeSuffix(&text, "s") || text.empty()) return -1;
  const size_t dot = text.find('.');
  absl::string_view whole = text.substr(0, dot);
  absl::string_view frac = dot == absl::string_view::npos ? "" : text.substr(dot + 1);
  int64_t seconds = 0;
  if (whole.empty()) {
    if (frac.empty()) return -1;
  } else if (!absl::SimpleAtoi(whole, &seconds) || seconds < 0) {
    return -1;
  }
  int64_t ms = seconds * 1000;
  bool remainder = false;
  for (size_t i = 0; i < frac.size(); ++i) {
    const char c = frac[i];
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return -1;
    if (i < 3) {
      static constexpr int kScale[] = {100, 10, 1};
      ms += (c - '0') * kScale[i];
    } else if (c != '0') {
      remainder = true;
    }
  }
  return remainder ? ms + 1 : ms;
}

Classification ClassifyResponse(int http_status, absl::string_view body,
                                absl::string_view retry_after, int64_t now_unix_ms) {
  Classification out;
  if (http_status >= 200 && http_status < 300) return out;

  std::string status_name;
  std::string reason;
  int64_t retry_info_ms = -1;
  absl::string_view json_text = absl::StripAsciiWhitespace(body);
  absl::ConsumePrefix(&json_text, "data:");
  const json parsed = json::parse(json_text.begin(), json_text.end(), nullptr,
                                  /*allow_exceptions=*/false);
  const json* status = parsed.is_discarded() ? nullptr : FindStatus(parsed);
  if (status != nullptr) {
    out.message = StringField(*status, "message");
    status_name = StringField(*status, "status");
    auto details = status->find("details");
    if (details != status->end() && details->is_array()) {
      for (const json& detail : *details) {
        if (!detail.is_object()) continue;
        const std::string type = StringField(detail, "@type");
        if (absl::EndsWith(type, "google.rpc.ErrorInfo") && reason.empty()) {
          reason = StringField(detail, "reason");
        } else if (absl::EndsWith(type, "google.rpc.RetryInfo") && retry_info_ms < 0) {
          retry_info_ms = ParseDurationMs(StringField(detail, "retryDelay"));
        } else if (absl::EndsWith(type, "google.rpc.QuotaFailure") && out.quota_id.empty()) {
          auto violations = detail.find("violations");
          if (violations != detail.end() && violations->is_array() && !violations->empty() &&
              violations->front().is_object()) {
            out.quota_id = StringField(violations->front(), "quotaId");
          }
        }
      }
    }
  } else {
    absl::string_view plain = absl::StripAsciiWhitespace(body);
    out.message = std::string(plain.substr(0, kMaxPlainMessage));
    if (out.message.empty()) out.message = absl::StrCat("HTTP ", http_status, " with an empty body");
  }

  if (!reason.empty()) {
    out.error_reason = reason;
  } else if (!status_name.empty()) {
    out.error_reason = status_name;
  } else {
    // A status outside Google's mapping (a proxy's 502, say) is named by its
    // number, so the key's state says what came back.
    const std::optional<absl::string_view> name = GoogleStatusName(http_status);
    out.error_reason = name ? std::string(*name) : absl::StrCat("HTTP_", http_status);
  }

  if (retry_info_ms > 0) {
    out.retry_delay_ms = retry_info_ms;
  } else if (int64_t header_ms = ParseRetryAfterMs(retry_after, now_unix_ms); header_ms > 0) {
    out.retry_delay_ms = header_ms;
  } else {
    out.retry_delay_ms = RetryHintMs(out.message);
  }

  if (http_status == 429) {
    out.kind = OutcomeKind::kRateLimited;
  } else if (IsFilePermissionDenied(http_status, out.message)) {
    out.kind = OutcomeKind::kClientError;
  } else if (http_status == 401 || http_status == 403 || reason == "API_KEY_INVALID" ||
             (http_status == 400 && MentionsInvalidKey(out.message))) {
    out.kind = OutcomeKind::kKeyInvalid;
  } else if (http_status >= 500) {
    out.kind = OutcomeKind::kServerError;
  } else {
    out.kind = OutcomeKind::kClientError;
  }
  return out;
}

Classification ClassifyTransportFailure(TransportFailure failure, absl::string_view detail) {
  Classification out;
  out.kind = failure == TransportFailure::kTimeout ? OutcomeKind::kTimeout
                                                   : OutcomeKind::kConnectionError;
  out.error_reason = failure == TransportFailure::kTimeout ? "TIMEOUT" : "CONNECTION";
  out.message = std::string(detail);
  return out;
}

}  // namespace gempool::gemini
