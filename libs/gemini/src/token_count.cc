#include "gempool/gemini/token_count.h"

#include <algorithm>
#include <string_view>

namespace gempool::gemini {

int64_t TokenCountOfUnsigned(uint64_t value) {
  return static_cast<int64_t>(std::min<uint64_t>(value, kMaxTokenCount));
}

int64_t TokenCountOfInteger(int64_t value) { return std::clamp<int64_t>(value, 0, kMaxTokenCount); }

int64_t TokenCountOfFloat(double value) {
  // Compared as a double before any conversion: casting an out-of-range
  // double to an integer is undefined (UBSan caught 1e300 here).
  if (!(value > 0)) return 0;  // Also NaN.
  return value >= static_cast<double>(kMaxTokenCount) ? kMaxTokenCount : static_cast<int64_t>(value);
}

int64_t TokenCount(const nlohmann::json& object, absl::string_view key) {
  if (!object.is_object()) return 0;
  const auto it = object.find(std::string_view(key.data(), key.size()));
  if (it == object.end()) return 0;
  const nlohmann::json& value = *it;
  if (value.is_number_unsigned()) return TokenCountOfUnsigned(value.get<uint64_t>());
  if (value.is_number_integer()) return TokenCountOfInteger(value.get<int64_t>());
  if (value.is_number_float()) return TokenCountOfFloat(value.get<double>());
  return 0;
}

}  // namespace gempool::gemini
