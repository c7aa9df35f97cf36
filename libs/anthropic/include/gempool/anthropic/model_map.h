#pragma once
// ANTHROPIC_MODEL_MAP: which Gemini model serves a model name an Anthropic
// client sends. Claude Code and Anthropic SDK apps send Claude ids
// ("claude-sonnet-4-6", "claude-haiku-4-5-20251001"); a pattern maps them
// to a Gemini id. Patterns are globs ('*' any run of characters, '?' one
// character), matched against the whole name without case; when several
// match, the one with the most literal (non-wildcard) characters wins, then
// the earlier one, so "claude-*haiku*" beats "claude-*" whatever their order.
// A name no pattern matches (e.g. "gemini-2.5-flash") is used as given.
// Immutable once parsed; thread-safe.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::anthropic {

class ModelMap {
 public:
  struct Entry {
    std::string pattern;  // As written (matched case-insensitively).
    std::string model;    // The Gemini model id ("models/" removed).
  };

  // The default: {"claude-*haiku*": "gemini-2.5-flash", "claude-*": "gemini-2.5-pro"}.
  static ModelMap Default();
  // `text` is a JSON object of pattern → Gemini model id, in the order
  // written (an empty object maps nothing). InvalidArgument naming
  // ANTHROPIC_MODEL_MAP and the bad entry: not an object, an empty pattern,
  // a value that is not a non-empty string of model-id characters.
  static absl::StatusOr<ModelMap> Parse(absl::string_view text);

  // The Gemini model for `requested` ("models/" prefix allowed), or nullopt
  // when no pattern matches.
  std::optional<std::string> Map(absl::string_view requested) const;
  // The entries in their order of precedence as written.
  const std::vector<Entry>& entries() const { return entries_; }
  // The map as a JSON object, in the order written (for /config).
  std::string ToJson() const;

 private:
  std::vector<Entry> entries_;
};

// Whether `name` matches the glob `pattern` ('*', '?'; ASCII case ignored).
bool GlobMatches(absl::string_view pattern, absl::string_view name);

}  // namespace gempool::anthropic
