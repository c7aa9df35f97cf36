#pragma once
// Function names of the Responses API's namespace tools on Gemini, which has
// no namespaces: a function `name` in namespace `space` is declared as
// "<space>.<name>" (Gemini allows dots in function names), and a call's
// name is split back into its namespace and name in the answer (Codex CLI
// groups its sub-agent tools this way). Internal to gempool_responses.

#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace gempool::responses::internal {

// "<space>.<name>", or `name` when `space` is empty.
std::string QualifiedFunctionName(absl::string_view space, absl::string_view name);

// {namespace, name} of a Gemini function name: "a.b" → {"a", "b"}; a name
// without a dot → {"", name}.
std::pair<std::string, std::string> SplitFunctionName(absl::string_view qualified);

}  // namespace gempool::responses::internal
