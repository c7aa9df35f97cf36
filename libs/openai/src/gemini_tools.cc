#include "gempool/openai/gemini_tools.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/openai/json_fields.h"

namespace gempool::openai {

bool AddFunctionAndSearchTools(nlohmann::json declarations, bool google_search, const ResolvedModel& model,
                               nlohmann::json& tools, std::vector<std::string>* warnings) {
  const bool has_functions = declarations.is_array() && !declarations.empty();
  if (google_search && has_functions && !IsGemini3Model(model.upstream)) {
    warnings->push_back(absl::StrCat("Google Search was not enabled: ", model.upstream,
                                     " cannot combine it with function tools"));
    google_search = false;
  }
  if (has_functions) tools.push_back(OneMember("functionDeclarations", std::move(declarations)));
  if (google_search) tools.push_back(OneMember("googleSearch", nlohmann::json::object()));
  return google_search;
}

}  // namespace gempool::openai
