#include "gempool/openai/options.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gempool::openai {

absl::StatusOr<LinkLanguage> ParseLinkLanguage(absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (lower == "en" || absl::StartsWith(lower, "en-") || absl::StartsWith(lower, "en_")) {
    return LinkLanguage::kEnglish;
  }
  if (lower == "zh" || absl::StartsWith(lower, "zh-") || absl::StartsWith(lower, "zh_")) {
    return LinkLanguage::kChinese;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown language '", text, "' for link headings: expected \"en\" or \"zh\""));
}

}  // namespace gempool::openai
