#include "gempool/clienttokens/token_validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "gempool/common/time_zone.h"
#include "gempool/common/utf8.h"

namespace gempool::clienttokens {
namespace {

// Code points of valid UTF-8 `text`, or -1 when it is not valid UTF-8 or
// holds a control character.
int CountPrintableUtf8(absl::string_view text) {
  int count = 0;
  while (!text.empty()) {
    const unsigned char c = static_cast<unsigned char>(text[0]);
    if (c < 0x20 || c == 0x7f) return -1;
    const size_t length = Utf8SequenceLength(text);
    if (length == 0) return -1;
    text.remove_prefix(length);
    ++count;
  }
  return count;
}

bool IsModelChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == ':' ||
         c == '/';
}

}  // namespace

absl::Status ValidateName(absl::string_view name) {
  if (absl::StripAsciiWhitespace(name).empty()) {
    return absl::InvalidArgumentError("a client token needs a name (1 to 64 characters, e.g. \"cherry-studio-laptop\")");
  }
  const int chars = CountPrintableUtf8(name);
  if (chars < 0) {
    return absl::InvalidArgumentError("a client token's name must be text without control characters (tabs, newlines)");
  }
  if (chars > kMaxNameChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("a client token's name has at most ", kMaxNameChars, " characters; this one has ", chars));
  }
  return absl::OkStatus();
}

absl::Status ValidateExpiry(int64_t expires_at_ms, int64_t now_ms) {
  if (expires_at_ms == 0) return absl::OkStatus();
  if (expires_at_ms <= now_ms) {
    return absl::InvalidArgumentError(
        "the expiry must be in the future (or 0 for a token that never expires)");
  }
  return absl::OkStatus();
}

absl::Status ValidateLimits(const v1::ClientTokenLimits& limits) {
  if (limits.requests_per_minute() < 0 || limits.requests_per_minute() > kMaxRequestsPerMinute) {
    return absl::InvalidArgumentError(absl::StrCat("requests_per_minute must be 0 (no limit) to ",
                                                   kMaxRequestsPerMinute, "; got ", limits.requests_per_minute()));
  }
  if (limits.tokens_per_day() < 0 || limits.tokens_per_day() > kMaxTokensPerDay) {
    return absl::InvalidArgumentError(absl::StrCat("tokens_per_day must be 0 (no limit) to ", kMaxTokensPerDay,
                                                   "; got ", limits.tokens_per_day()));
  }
  if (limits.allowed_models_size() > kMaxAllowedModels) {
    return absl::InvalidArgumentError(absl::StrCat("at most ", kMaxAllowedModels, " allowed models; got ",
                                                   limits.allowed_models_size()));
  }
  for (const std::string& pattern : limits.allowed_models()) {
    if (pattern.empty() || pattern.size() > static_cast<size_t>(kMaxModelPatternChars)) {
      return absl::InvalidArgumentError(absl::StrCat("an allowed model has 1 to ", kMaxModelPatternChars,
                                                     " characters, e.g. \"gemini-2.5-flash\" or \"gemini-2.5-*\""));
    }
    for (size_t i = 0; i < pattern.size(); ++i) {
      const char c = pattern[i];
      if (c == '*' && i + 1 == pattern.size()) continue;
      if (!IsModelChar(c)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "allowed model \"", pattern,
            "\" is not a model id or a prefix ending in \"*\" (letters, digits and . _ - : / only, \"*\" at the "
            "end)"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ParseExpiry(absl::string_view text, int64_t now_ms, const absl::TimeZone& zone) {
  text = absl::StripAsciiWhitespace(text);
  const auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot read the expiry \"", text,
        "\": use a duration such as 30d, 12h or 90m, a date YYYY-MM-DD (the token works through that day), or "
        "\"never\""));
  };
  if (text.empty() || absl::AsciiStrToLower(text) == "never") return 0;
  absl::CivilDay day;
  if (text.size() == 10 && absl::ParseCivilTime(text, &day)) {
    const int64_t end = absl::ToUnixMillis(absl::FromCivil(day + 1, zone));
    if (end <= now_ms) return absl::InvalidArgumentError(absl::StrCat("the expiry date ", text, " has passed"));
    return end;
  }
  const char unit = text.back();
  int64_t count = 0;
  if (!absl::SimpleAtoi(text.substr(0, text.size() - 1), &count) || count <= 0 || count > 100'000) return bad();
  int64_t unit_ms = 0;
  switch (unit) {
    case 'd':
      unit_ms = 86'400'000;
      break;
    case 'h':
      unit_ms = 3'600'000;
      break;
    case 'm':
      unit_ms = 60'000;
      break;
    default:
      return bad();
  }
  return now_ms + count * unit_ms;
}

std::string RefusalReason(const v1::ClientToken& token, int64_t now_ms) {
  if (token.disabled()) return absl::StrCat("client token '", token.name(), "' is disabled");
  if (token.expires_at_ms() > 0 && now_ms >= token.expires_at_ms()) {
    return absl::StrCat("client token '", token.name(), "' expired at ",
                        absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMillis(token.expires_at_ms()),
                                         absl::UTCTimeZone()));
  }
  return "";
}

}  // namespace gempool::clienttokens
