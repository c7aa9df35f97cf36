#include "fuzz/usage_scanner_fuzz.h"

#include <cstdlib>

#include "absl/strings/string_view.h"
#include "gempool/gemini/usage_scanner.h"

namespace gempool::gemini {

void FuzzUsageScanner(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
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
