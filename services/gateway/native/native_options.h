#pragma once
// The gateway's model options on a native Gemini call (/v1beta/models/...):
// the same rules and code as the OpenAI routes (openai::ApplyModelOptions).
// A derived id ("<m>-search", "-image", "-non-thinking") is resolved to its
// base model, which the upstream URL names; a model in FILTERED_MODELS is
// refused. generateContent and streamGenerateContent bodies get the options;
// a countTokens body's generateContentRequest.model names the base model. A
// body none of this changes is forwarded as the client sent it, byte for
// byte. Pure; thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/gemini/route.h"
#include "gempool/openai/options.h"

namespace gempool::gateway {

struct NativeCall {
  // The route to call upstream (the base model of a derived id).
  gemini::Route route;
  // The body to send instead of the client's; nullopt: the client's bytes.
  std::optional<std::string> body;
  // What the options adjusted or left out (for the log).
  std::vector<std::string> warnings;
};

// NotFound (naming FILTERED_MODELS) for a filtered model; otherwise the call
// to make.
absl::StatusOr<NativeCall> PrepareNativeCall(const gemini::Route& route, absl::string_view body,
                                             const openai::ConversionOptions& options);

}  // namespace gempool::gateway
