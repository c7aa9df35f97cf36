#include "fuzz/image_directives_fuzz.h"

#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "gempool/openai/image_directives.h"

namespace gempool::openai {

void FuzzImageDirectives(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<ImageDirectives> out = ExtractImageDirectives(input);
  if (!out.ok()) {
    if (out.status().code() != absl::StatusCode::kInvalidArgument) abort();
    return;
  }
  if (out->prompt.size() > input.size()) abort();
  if (out->count.has_value() && (*out->count < 1 || *out->count > 4)) abort();
  if (out->aspect_ratio.has_value()) {
    const std::string& r = *out->aspect_ratio;
    if (r != "1:1" && r != "3:4" && r != "4:3" && r != "9:16" && r != "16:9") abort();
  }
}

}  // namespace gempool::openai
