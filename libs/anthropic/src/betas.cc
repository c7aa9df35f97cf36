#include "gempool/anthropic/betas.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gempool::anthropic {

bool IsServedBeta(absl::string_view beta) {
  static const auto* const kServed = new std::set<std::string, std::less<>>{
      "claude-code-20250219",
      "interleaved-thinking-2025-05-14",
      "effort-2025-11-24",
      "output-128k-2025-02-19",
      "context-1m-2025-08-07",
      "fine-grained-tool-streaming-2025-05-14",
      "token-efficient-tools-2025-02-19",
      "structured-outputs-2025-11-13",
      "prompt-caching-2024-07-31",
      "extended-cache-ttl-2025-04-11",
      "prompt-caching-scope-2026-01-05",
  };
  return kServed->count(beta) > 0;
}

std::vector<std::string> UnservedBetaWarnings(absl::string_view header) {
  std::vector<std::string> warnings;
  std::set<std::string, std::less<>> seen;
  for (absl::string_view part : absl::StrSplit(header, ',')) {
    const absl::string_view beta = absl::StripAsciiWhitespace(part);
    if (beta.empty() || IsServedBeta(beta) || !seen.emplace(beta).second) continue;
    warnings.push_back(
        absl::StrCat("anthropic-beta '", beta, "' is not served by gempool (Gemini upstream) and was ignored"));
  }
  return warnings;
}

}  // namespace gempool::anthropic
