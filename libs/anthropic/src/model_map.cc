#include "gempool/anthropic/model_map.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gempool/openai/model_id.h"
#include "nlohmann/json.hpp"

namespace gempool::anthropic {
namespace {

using nlohmann::ordered_json;

constexpr absl::string_view kSetting = "ANTHROPIC_MODEL_MAP";

// Gemini ids ("gemini-2.5-flash", "tunedModels/x", "gemini-exp-1206") use
// these; anything else (spaces, quotes, a URL) is a configuration mistake.
bool IsModelIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '/' ||
         c == ':';
}

// Characters of `pattern` that must match exactly: more of them means a more
// specific pattern.
size_t LiteralCount(absl::string_view pattern) {
  size_t count = 0;
  for (char c : pattern) {
    if (c != '*' && c != '?') ++count;
  }
  return count;
}

absl::Status MapError(absl::string_view detail) {
  return absl::InvalidArgumentError(absl::StrCat(kSetting, " ", detail));
}

}  // namespace

// Two cursors and the position of the last '*' seen: when a literal fails,
// that star absorbs one more character and matching resumes after it. Each
// (pattern, name) position pair is visited at most once per star, so the
// cost is O(|pattern| * |name|) with no exponential backtracking (an earlier
// star never needs revisiting: the last star can absorb whatever it could).
bool GlobMatches(absl::string_view pattern, absl::string_view name) {
  size_t p = 0;
  size_t n = 0;
  size_t star = absl::string_view::npos;
  size_t star_name = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_name = n;
    } else if (p < pattern.size() &&
               (pattern[p] == '?' || absl::ascii_tolower(static_cast<unsigned char>(pattern[p])) ==
                                         absl::ascii_tolower(static_cast<unsigned char>(name[n])))) {
      ++p;
      ++n;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      n = ++star_name;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

ModelMap ModelMap::Default() {
  ModelMap map;
  map.entries_ = {{"claude-*haiku*", "gemini-2.5-flash"}, {"claude-*", "gemini-2.5-pro"}};
  return map;
}

absl::StatusOr<ModelMap> ModelMap::Parse(absl::string_view text) {
  // ordered_json keeps the entries in the order written, which breaks ties.
  ordered_json parsed = ordered_json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return MapError(
        "is not valid JSON: write an object of pattern → Gemini model, e.g. "
        "{\"claude-*haiku*\":\"gemini-2.5-flash\",\"claude-*\":\"gemini-2.5-pro\"}");
  }
  if (!parsed.is_object()) {
    return MapError(absl::StrCat("must be a JSON object of pattern → Gemini model, got ", parsed.type_name()));
  }
  ModelMap map;
  for (const auto& [pattern, value] : parsed.items()) {
    if (pattern.empty()) return MapError("has an empty pattern; use \"*\" to match every model");
    if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
      return MapError(absl::StrCat("entry '", pattern, "' must map to a Gemini model id string, e.g. "
                                   "\"gemini-2.5-pro\""));
    }
    std::string model = openai::StripModelsPrefix(value.get<std::string>());
    bool valid = !model.empty();
    for (char c : model) valid = valid && IsModelIdChar(c);
    if (!valid) {
      return MapError(absl::StrCat("entry '", pattern, "' maps to '", value.get<std::string>(),
                                   "', which is not a Gemini model id (letters, digits, '-', '.', '_')"));
    }
    map.entries_.push_back(Entry{pattern, std::move(model)});
  }
  return map;
}

std::optional<std::string> ModelMap::Map(absl::string_view requested) const {
  absl::ConsumePrefix(&requested, "models/");
  const Entry* best = nullptr;
  size_t best_literals = 0;
  for (const Entry& entry : entries_) {
    if (!GlobMatches(entry.pattern, requested)) continue;
    size_t literals = LiteralCount(entry.pattern);
    // Strictly more: on a tie the earlier entry stays.
    if (best == nullptr || literals > best_literals) {
      best = &entry;
      best_literals = literals;
    }
  }
  if (best == nullptr) return std::nullopt;
  return best->model;
}

std::string ModelMap::ToJson() const {
  ordered_json out = ordered_json::object();
  for (const Entry& entry : entries_) out[entry.pattern] = entry.model;
  return out.dump();
}

}  // namespace gempool::anthropic
