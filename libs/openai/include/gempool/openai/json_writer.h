#pragma once
// JSON text of a nlohmann::json value, byte for byte what
// json.dump(-1, ' ', /*ensure_ascii=*/false, error_handler_t::replace)
// writes, in about a sixth of its instructions on the bodies the gateway
// converts (the benchmark's Gemini request and answer: 10,600 instead of
// 62,700, callgrind).
//
// Why: profiling the OpenAI chat path (bench/profile.py --case chat) showed
// nlohmann's serializer at 41% of the gateway's instructions per call: it
// decodes every byte of every string through a UTF-8 state machine. Here a
// string is checked for valid UTF-8 and copied in runs between the bytes
// that need escaping; strings that are not valid UTF-8 (rare: the replace
// rules are subtle) go through nlohmann itself, and floating-point numbers
// through nlohmann's own shortest-form conversion. Containers are walked
// through their std::map and std::vector, and the text is written through a
// pointer into room reserved from a size estimate.
// Stateless; thread-safe.

#include <string>

#include "nlohmann/json.hpp"

namespace gempool::openai {

// Compact JSON text of `value` (see above).
std::string WriteJson(const nlohmann::json& value);

// Appends the compact JSON text of `value` to `out`.
void AppendJson(const nlohmann::json& value, std::string& out);

}  // namespace gempool::openai
