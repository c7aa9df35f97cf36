#include "fuzz/usage_scanner_fuzz.h"

#include <cstdlib>
#include <optional>

#include <nlohmann/json.hpp>

#include "absl/strings/string_view.h"
#include "gempool/gemini/token_count.h"
#include "gempool/gemini/usage_metadata.h"
#include "gempool/gemini/usage_scanner.h"

namespace gempool::gemini {
namespace {

// What ParseUsageMetadata must return, read from a parsed tree (the oracle:
// ParseUsageMetadata reads SAX events instead, for speed).
std::optional<TokenCounts> ReadFromTree(absl::string_view text) {
  const nlohmann::json parsed = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  TokenCounts counts;
  counts.prompt = TokenCount(parsed, "promptTokenCount");
  counts.candidates = TokenCount(parsed, "candidatesTokenCount");
  counts.thoughts = TokenCount(parsed, "thoughtsTokenCount");
  counts.cached = TokenCount(parsed, "cachedContentTokenCount");
  counts.tool_use_prompt = TokenCount(parsed, "toolUsePromptTokenCount");
  counts.total = parsed.contains("totalTokenCount")
                     ? TokenCount(parsed, "totalTokenCount")
                     : counts.prompt + counts.candidates + counts.thoughts + counts.tool_use_prompt;
  return counts;
}

}  // namespace

void FuzzUsageScanner(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  // The input as a usageMetadata object itself: the same counts as the tree.
  if (ParseUsageMetadata(input) != ReadFromTree(input)) abort();

  UsageScanner whole;
  whole.Feed(input);

  UsageScanner pieces;
  size_t at = 0;
  size_t turn = 0;
  while (at < input.size()) {
    // Piece sizes 1..16 from the input's own bytes, so the fuzzer explores cuts.
    const size_t piece = 1 + (static_cast<unsigned char>(input[turn++ % input.size()]) % 16);
    pieces.Feed(input.substr(at, piece));
    at += piece;
  }
  if (whole.last() != pieces.last()) abort();
  if (const auto& last = whole.last(); last.has_value()) {
    if (last->prompt < 0 || last->candidates < 0 || last->thoughts < 0 || last->cached < 0 ||
        last->tool_use_prompt < 0 || last->total < 0) {
      abort();
    }
  }
}

}  // namespace gempool::gemini
