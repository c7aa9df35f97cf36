#include "gempool/gemini/url.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace gempool::gemini {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The decoded name of one "name=value" query piece.
std::string PieceName(absl::string_view piece) {
  return PercentDecode(piece.substr(0, piece.find('=')), /*plus_as_space=*/true);
}

}  // namespace

std::string PercentDecode(absl::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_as_space && c == '+') ? ' ' : c;
  }
  return out;
}

absl::StatusOr<std::string> PercentDecodeStrict(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int hi = i + 1 < text.size() ? HexValue(text[i + 1]) : -1;
    const int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError(absl::StrCat("the '%' at byte ", i + 1,
                                                     " is not followed by two hex digits (write % as %25)"));
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::pair<absl::string_view, absl::string_view> SplitTarget(absl::string_view target) {
  const size_t q = target.find('?');
  if (q == absl::string_view::npos) return {target, absl::string_view()};
  return {target.substr(0, q), target.substr(q + 1)};
}

std::optional<std::string> QueryParam(absl::string_view raw_query, absl::string_view name) {
  for (absl::string_view piece : absl::StrSplit(raw_query, '&', absl::SkipEmpty())) {
    if (PieceName(piece) != name) continue;
    const size_t eq = piece.find('=');
    if (eq == absl::string_view::npos) return std::string();
    return PercentDecode(piece.substr(eq + 1), /*plus_as_space=*/true);
  }
  return std::nullopt;
}

std::string RemoveQueryParam(absl::string_view raw_query, absl::string_view name) {
  std::vector<absl::string_view> kept;
  for (absl::string_view piece : absl::StrSplit(raw_query, '&', absl::SkipEmpty())) {
    if (PieceName(piece) != name) kept.push_back(piece);
  }
  return absl::StrJoin(kept, "&");
}

}  // namespace gempool::gemini
