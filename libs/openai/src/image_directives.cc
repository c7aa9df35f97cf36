#include "gempool/openai/image_directives.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gempool::openai {
namespace {

constexpr int kMaxImages = 4;
constexpr const char* kRatios[] = {"1:1", "3:4", "4:3", "9:16", "16:9"};

enum class Kind { kNone, kCount, kRatio };

// "{ n : 2 }" → kCount with value "2"; the inside of one pair of braces.
Kind Classify(absl::string_view inside, std::string& value) {
  const size_t colon = inside.find(':');
  if (colon == absl::string_view::npos) return Kind::kNone;
  const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(inside.substr(0, colon)));
  value.clear();
  for (char c : inside.substr(colon + 1)) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) value += c;
  }
  if (name == "n") return Kind::kCount;
  if (name == "ratio") return Kind::kRatio;
  return Kind::kNone;
}

// Appends `piece` to `out`, collapsing runs of spaces and tabs at the seam.
void AppendCollapsed(std::string& out, absl::string_view piece) {
  for (char c : piece) {
    const bool blank = c == ' ' || c == '\t';
    if (blank && (out.empty() || out.back() == ' ' || out.back() == '\t' || out.back() == '\n')) continue;
    // No blank left at a line's end where a directive was.
    if (c == '\n') {
      while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
    }
    out += c;
  }
}

}  // namespace

absl::StatusOr<ImageDirectives> ExtractImageDirectives(absl::string_view prompt) {
  ImageDirectives out;
  std::string rest;
  size_t i = 0;
  while (i < prompt.size()) {
    const size_t open = prompt.find('{', i);
    if (open == absl::string_view::npos) {
      AppendCollapsed(rest, prompt.substr(i));
      break;
    }
    const size_t close = prompt.find('}', open + 1);
    // Nested or unclosed braces are not directives.
    const size_t inner_open = prompt.find('{', open + 1);
    if (close == absl::string_view::npos || (inner_open != absl::string_view::npos && inner_open < close)) {
      AppendCollapsed(rest, prompt.substr(i, open + 1 - i));
      i = open + 1;
      continue;
    }
    std::string value;
    const Kind kind = Classify(prompt.substr(open + 1, close - open - 1), value);
    if (kind == Kind::kNone) {
      AppendCollapsed(rest, prompt.substr(i, close + 1 - i));
      i = close + 1;
      continue;
    }
    AppendCollapsed(rest, prompt.substr(i, open - i));
    if (kind == Kind::kCount) {
      int n = 0;
      if (!absl::SimpleAtoi(value, &n) || n < 1 || n > kMaxImages) {
        return absl::InvalidArgumentError(
            absl::StrCat("prompt directive {n:", value, "}: the number of images must be 1 to ", kMaxImages));
      }
      if (out.count.has_value() && *out.count != n) {
        return absl::InvalidArgumentError(
            absl::StrCat("prompt directives {n:", *out.count, "} and {n:", n, "} disagree: give one"));
      }
      out.count = n;
    } else {
      bool known = false;
      for (const char* ratio : kRatios) known = known || value == ratio;
      if (!known) {
        return absl::InvalidArgumentError(absl::StrCat("prompt directive {ratio:", value,
                                                       "}: the aspect ratio must be 1:1, 3:4, 4:3, 9:16 or 16:9"));
      }
      if (out.aspect_ratio.has_value() && *out.aspect_ratio != value) {
        return absl::InvalidArgumentError(absl::StrCat("prompt directives {ratio:", *out.aspect_ratio,
                                                       "} and {ratio:", value, "} disagree: give one"));
      }
      out.aspect_ratio = value;
    }
    i = close + 1;
  }
  // Without a directive the prompt is the client's, byte for byte.
  const bool found = out.count.has_value() || out.aspect_ratio.has_value();
  out.prompt = found ? std::string(absl::StripAsciiWhitespace(rest)) : std::string(prompt);
  return out;
}

}  // namespace gempool::openai
