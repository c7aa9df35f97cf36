#include "gempool/keypool/paid_key.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gempool::keypool {

bool IsPaidKeyModel(absl::string_view model) { return absl::StartsWith(model, "imagen-"); }

std::optional<AcquireResult> AcquirePaidKey(absl::string_view paid_key, absl::string_view model,
                                            absl::Span<const int64_t> exclude) {
  if (paid_key.empty() || !IsPaidKeyModel(model)) return std::nullopt;
  AcquireResult result;
  if (std::find(exclude.begin(), exclude.end(), kPaidKeyId) != exclude.end()) {
    result.unavailable_reason = absl::StrCat("image model ", model,
                                             " is served by PAID_KEY only, and it was already tried for this request");
    return result;
  }
  result.available = true;
  result.key_id = kPaidKeyId;
  result.secret = std::string(paid_key);
  return result;
}

}  // namespace gempool::keypool
