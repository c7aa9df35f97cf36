#include "gempool/openai/stop_sequences.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"

namespace gempool::openai {

using nlohmann::json;

absl::Status ConvertStopSequences(const json& body, absl::string_view field, bool allow_string, json& config) {
  const json* stop = Find(body, field);
  if (stop == nullptr) return absl::OkStatus();
  json sequences = json::array();
  if (stop->is_string() && allow_string) {
    if (!stop->get_ref<const std::string&>().empty()) sequences.push_back(*stop);
  } else if (stop->is_array()) {
    for (size_t i = 0; i < stop->size(); ++i) {
      if (!(*stop)[i].is_string()) {
        return FieldError(Path(field, i), absl::StrCat("must be a string, got ", JsonTypeName((*stop)[i])));
      }
      if (!(*stop)[i].get_ref<const std::string&>().empty()) sequences.push_back((*stop)[i]);
    }
  } else {
    return FieldError(field, absl::StrCat(allow_string ? "must be a string or an array of strings, got "
                                                       : "must be an array of strings, got ",
                                          JsonTypeName(*stop)));
  }
  if (sequences.size() > kMaxStopSequences) {
    return FieldError(field, absl::StrCat("has ", sequences.size(), " sequences; Gemini accepts at most ",
                                          kMaxStopSequences));
  }
  if (!sequences.empty()) config["stopSequences"] = std::move(sequences);
  return absl::OkStatus();
}

}  // namespace gempool::openai
