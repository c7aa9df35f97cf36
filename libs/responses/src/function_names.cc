#include "function_names.h"

#include "absl/strings/str_cat.h"

namespace gempool::responses::internal {

std::string QualifiedFunctionName(absl::string_view space, absl::string_view name) {
  return space.empty() ? std::string(name) : absl::StrCat(space, ".", name);
}

std::pair<std::string, std::string> SplitFunctionName(absl::string_view qualified) {
  const size_t dot = qualified.find('.');
  if (dot == absl::string_view::npos || dot == 0 || dot + 1 == qualified.size()) return {"", std::string(qualified)};
  return {std::string(qualified.substr(0, dot)), std::string(qualified.substr(dot + 1))};
}

}  // namespace gempool::responses::internal
