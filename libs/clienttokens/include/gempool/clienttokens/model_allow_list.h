#pragma once
// ClientTokenLimits.allowed_models: exact model ids, or a prefix ending in
// "*" ("gemini-2.5-*"). Pure; thread-safe.

#include <string>

#include "absl/strings/string_view.h"
#include "gempool/v1/types.pb.h"

namespace gempool::clienttokens {

// Whether `model` ("gemini-2.5-flash", "models/gemini-2.5-flash") may be
// called with `limits`. An empty list allows every model; an empty model
// (routes that name none) is always allowed.
bool ModelAllowed(const v1::ClientTokenLimits& limits, absl::string_view model);

// "models/x" → "x".
absl::string_view BareModel(absl::string_view model);

}  // namespace gempool::clienttokens
