#pragma once
// A route's path pattern: an ECMAScript regex matched against the whole
// decoded path, with the regex engine kept off the common paths. The literal
// text a pattern starts with is compared first; a pattern that is all literal
// is an exact comparison, and one that is a literal followed by ".*" is a
// prefix comparison. std::regex costs ~4,000 instructions per match and
// recurses once per character of the path (~16 KiB of stack for a native
// Gemini path), on every request, for every route tried in front of the
// right one. Immutable after construction, so thread-safe.

#include <regex>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace gempool::gateway {

class PathPattern {
 public:
  // `pattern` must be a valid ECMAScript regex (std::regex_error otherwise).
  explicit PathPattern(std::string pattern);

  // Whether the whole `path` matches. On a match, `groups` (when not null)
  // receives the regex's capture groups, in order.
  bool Match(const std::string& path, std::vector<std::string>* groups = nullptr) const;

  const std::string& pattern() const { return pattern_; }
  // The literal text every matching path starts with.
  absl::string_view literal_prefix() const { return prefix_; }

 private:
  enum class Kind { kExact, kPrefix, kRegex };

  std::string pattern_;
  std::string prefix_;
  Kind kind_ = Kind::kRegex;
  std::regex regex_;
};

}  // namespace gempool::gateway
