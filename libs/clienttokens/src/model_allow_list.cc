#include "gempool/clienttokens/model_allow_list.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace gempool::clienttokens {

absl::string_view BareModel(absl::string_view model) {
  absl::ConsumePrefix(&model, "models/");
  return model;
}

bool ModelAllowed(const v1::ClientTokenLimits& limits, absl::string_view model) {
  if (limits.allowed_models().empty()) return true;
  model = BareModel(model);
  if (model.empty()) return true;
  for (const std::string& entry : limits.allowed_models()) {
    const absl::string_view allowed = BareModel(entry);
    if (absl::EndsWith(allowed, "*")) {
      if (absl::StartsWith(model, allowed.substr(0, allowed.size() - 1))) return true;
    } else if (model == allowed) {
      return true;
    }
  }
  return false;
}

}  // namespace gempool::clienttokens
