#pragma once
// gemini-balance's Imagen prompt directives: "{n:N}" (N images, 1 to 4) and
// "{ratio:W:H}" (one of Imagen's aspect ratios 1:1, 3:4, 4:3, 9:16, 16:9),
// anywhere in the prompt, taken out of it and sent as Imagen's parameters
// (sampleCount, aspectRatio); they win over the request's `n` and `size`.
// Spaces are allowed inside the braces ("{ratio: 16:9}") and the names are
// case-insensitive. Braces that are not a directive ("{name}", JSON in the
// prompt) are left as they are. Pure; thread-safe.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::openai {

struct ImageDirectives {
  // The prompt without the directives, surrounding spaces trimmed and the
  // spaces a directive leaves collapsed; without a directive, the prompt as
  // it was.
  std::string prompt;
  std::optional<int> count;                 // {n:N}
  std::optional<std::string> aspect_ratio;  // {ratio:W:H}
};

// InvalidArgument naming the directive when N is not 1 to 4, the ratio is not
// one Imagen offers, or a directive is given twice with different values.
absl::StatusOr<ImageDirectives> ExtractImageDirectives(absl::string_view prompt);

}  // namespace gempool::openai
