#include "fuzz/token_input_fuzz.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gempool/clienttokens/model_allow_list.h"
#include "gempool/clienttokens/token_validation.h"
#include "gempool/common/utf8.h"

namespace gempool::clienttokens {
namespace {

void Require(bool holds) {
  if (!holds) abort();
}

// 2026-12-06 12:00 UTC: a fixed "now" keeps runs reproducible.
constexpr int64_t kNowMs = 1796558400000;

void CheckName(absl::string_view name) {
  if (!ValidateName(name).ok()) return;
  Require(IsValidUtf8(name));
  Require(!absl::StripAsciiWhitespace(name).empty());
  size_t chars = 0;
  for (size_t i = 0; i < name.size(); i += Utf8SequenceLength(name.substr(i))) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    Require(c >= 0x20 && c != 0x7f);
    ++chars;
  }
  Require(chars >= 1 && chars <= static_cast<size_t>(kMaxNameChars));
}

void CheckExpiry(absl::string_view text) {
  static const absl::TimeZone kShanghai = [] {
    absl::TimeZone zone;
    return absl::LoadTimeZone("Asia/Shanghai", &zone) ? zone : absl::UTCTimeZone();
  }();
  for (const absl::TimeZone& zone : {absl::UTCTimeZone(), kShanghai}) {
    const absl::StatusOr<int64_t> expiry = ParseExpiry(text, kNowMs, zone);
    if (!expiry.ok()) {
      Require(absl::IsInvalidArgument(expiry.status()) && !expiry.status().message().empty());
      continue;
    }
    Require(*expiry == 0 || *expiry > kNowMs);
    Require(ValidateExpiry(*expiry, kNowMs).ok());
    const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
    absl::CivilDay day;
    if (trimmed.size() == 10 && absl::ParseCivilTime(trimmed, &day)) {
      // The token works through that day: it expires at the next midnight.
      Require(*expiry == absl::ToUnixMillis(absl::FromCivil(day + 1, zone)));
    }
  }
}

bool IsModelChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == ':' ||
         c == '/';
}

void CheckLimits(const std::vector<std::string>& patterns, const std::vector<absl::string_view>& models) {
  v1::ClientTokenLimits limits;
  for (const std::string& pattern : patterns) limits.add_allowed_models(pattern);
  if (!ValidateLimits(limits).ok()) return;
  for (const std::string& pattern : patterns) {
    Require(!pattern.empty() && pattern.size() <= static_cast<size_t>(kMaxModelPatternChars));
    for (size_t i = 0; i < pattern.size(); ++i) {
      Require(IsModelChar(pattern[i]) || (pattern[i] == '*' && i + 1 == pattern.size()));
    }
  }
  for (absl::string_view model : models) {
    const absl::string_view bare = BareModel(model);
    bool named = patterns.empty() || bare.empty();
    for (const std::string& entry : patterns) {
      const absl::string_view pattern = BareModel(entry);
      named = named || (absl::EndsWith(pattern, "*") ? absl::StartsWith(bare, pattern.substr(0, pattern.size() - 1))
                                                     : bare == pattern);
    }
    Require(ModelAllowed(limits, model) == named);
    Require(ModelAllowed(limits, model) == ModelAllowed(limits, std::string("models/") + std::string(bare)) ||
            bare.empty());
  }
}

}  // namespace

void FuzzTokenInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> lines = absl::StrSplit(input, '\n');
  CheckName(lines[0]);
  if (lines.size() < 2) return;
  CheckExpiry(lines[1]);
  std::vector<std::string> patterns;
  std::vector<absl::string_view> models;
  bool in_models = false;
  for (size_t i = 2; i < lines.size(); ++i) {
    if (!in_models && lines[i] == "--") {
      in_models = true;
    } else if (in_models) {
      models.push_back(lines[i]);
    } else {
      patterns.emplace_back(lines[i]);
    }
  }
  CheckLimits(patterns, models);
}

}  // namespace gempool::clienttokens
