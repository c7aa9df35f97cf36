#pragma once
// J("...") parses a JSON literal in a test: one definition for the
// anthropic tests' helper headers, which a unity build compiles together.

#include <string>

#include "nlohmann/json.hpp"

namespace gempool::anthropic::testing {

inline nlohmann::json J(const std::string& text) { return nlohmann::json::parse(text); }

}  // namespace gempool::anthropic::testing
