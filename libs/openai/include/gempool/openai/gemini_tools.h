#pragma once
// The part of Gemini's `tools` every converted API builds the same way:
// function declarations and Google Search grounding. Pure functions;
// thread-safe.

#include <string>
#include <vector>

#include "gempool/openai/model_id.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

// Appends {functionDeclarations: declarations} (when not empty) and
// {googleSearch: {}} (when `google_search`) to `tools`. Gemini 2.x answers
// 400 "Tool use with function calling is unsupported" to Google Search next
// to function declarations, so there search is left out with a warning.
// Returns whether Google Search was added.
bool AddFunctionAndSearchTools(nlohmann::json declarations, bool google_search, const ResolvedModel& model,
                               nlohmann::json& tools, std::vector<std::string>* warnings);

}  // namespace gempool::openai
